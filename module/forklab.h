/* SPDX-License-Identifier: GPL-2.0 */
/*
 * forklab internals: what the module's files share.  One concern per file:
 * symbols.c resolves, redirect.c hooks, modes.c copies, config.c decides,
 * scope.c filters, stats.c counts, dev.c talks to userspace, main.c ties up;
 * ksyms.c reaches what the kernel does not export; walk.c (with pte_v*.h) copies;
 * contpte.c holds the arm64 contiguous-PTE policies, contpte_hook.c puts
 * them under the kernel's own callers.
 */
#ifndef FORKLAB_H
#define FORKLAB_H

#include <linux/errno.h>
#include <linux/types.h>
#include "compat.h"
#include "uapi/forklab.h"

#define FL_MODULE_VERSION	"0.1.0"

struct ftrace_ops;
struct vm_area_struct;
struct task_struct;

/* ksyms.c: kernel symbols the module uses but the kernel does not export. */
extern int (*fl_kernel_copy_page_range)(struct vm_area_struct *dst_vma,
					struct vm_area_struct *src_vma);
extern void *fl_kernel_copy_page_range_body;
int fl_resolve_symbols(void);

/* modes.c: what each mode does once a fork has been redirected to us. */
struct fl_mode {
	/* stock needs no redirect; every other mode does */
	bool needs_redirect;
	int (*copy_page_range)(struct vm_area_struct *dst_vma,
			       struct vm_area_struct *src_vma);
};
const struct fl_mode *fl_mode(unsigned int mode);
const char *fl_mode_name(unsigned int mode);
int fl_mode_by_name(const char *name);
bool fl_mode_supported(unsigned int mode);
u32 fl_modes_supported(void);
int fl_call_kernel_copy_page_range(struct vm_area_struct *dst_vma,
				   struct vm_area_struct *src_vma);

/* redirect.c: the ftrace redirect of copy_page_range, and what redirects share. */
int fl_redirect_register(void);
void fl_redirect_unregister(void);
void fl_redirect_drain(void);
long fl_redirect_in_flight(void);
void fl_redirect_enter(void);
void fl_redirect_leave(void);
int fl_ftrace_attach(struct ftrace_ops *ops, unsigned long ip, const char *name);
void fl_ftrace_detach(struct ftrace_ops *ops, unsigned long ip);
extern unsigned int fl_live_mode;	/* read by the redirected path */

/*
 * contpte.c / contpte_hook.c: contpte policies (arm64 with
 * CONFIG_ARM64_CONTPTE, on a release with forklab's walk, whose contpte
 * code they follow; elsewhere only KERNEL exists and the rest is absent).
 */
#if defined(CONFIG_ARM64_CONTPTE) && !defined(FL_NO_WALK)
#define FL_CONTPTE_SUPPORTED	((1U << FORKLAB_CONTPTE_POLICY_COUNT) - 1)
int fl_contpte_hook_register(void);
void fl_contpte_hook_unregister(void);
#else
#define FL_CONTPTE_SUPPORTED	(1U << FORKLAB_CONTPTE_KERNEL)
static inline int fl_contpte_hook_register(void) { return -EOPNOTSUPP; }
static inline void fl_contpte_hook_unregister(void) { }
#endif
extern unsigned int fl_live_contpte;	/* read by the hooks and the walk */
const char *fl_contpte_name(unsigned int policy);
int fl_contpte_by_name(const char *name);

/* scope.c: which tasks take the redirected path. */
struct fl_scope;
bool fl_scope_match(struct task_struct *task);
struct fl_scope *fl_scope_prepare(const struct forklab_config *cfg);
struct fl_scope *fl_scope_swap(struct fl_scope *scope);
void fl_scope_discard(struct fl_scope *scope);
void fl_scope_get(struct forklab_config *cfg);
void fl_scope_exit(void);

/* config.c: the one place mode and scope change. */
int fl_config_init(unsigned int initial_mode, unsigned int initial_contpte);
bool fl_contpte_supported(unsigned int policy);
void fl_config_exit(void);
int fl_config_set(const struct forklab_config *cfg);
void fl_config_get(struct forklab_config *cfg);

/* params.c: mode= and contpte=, at load time and live. */
void fl_params_begin(unsigned int *mode, unsigned int *contpte);
void fl_params_end(bool live);
void fl_params_stop(void);

/* stats.c: counters, per CPU, summed on read. */
int fl_stats_init(void);
void fl_stats_exit(void);
void fl_stats_redirected(void);
void fl_stats_out_of_scope(void);
void fl_stats_registered(void);
void fl_stats_call(unsigned int mode, u64 ns, int ret);
struct fl_walk_counts;
void fl_stats_walk(unsigned int mode, const struct fl_walk_counts *counts);
struct fl_contpte_tally;
void fl_stats_contpte(unsigned int policy, unsigned int helper, unsigned int nr,
		      const struct fl_contpte_tally *tally);
void fl_stats_read(struct forklab_stats *st);
void fl_stats_reset(void);

/* dev.c: /dev/forklab. */
int fl_dev_init(void);
void fl_dev_exit(void);

#endif /* FORKLAB_H */
