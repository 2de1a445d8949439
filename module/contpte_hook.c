// SPDX-License-Identifier: GPL-2.0
/*
 * Puts the contpte policies under the kernel's own callers (arm64 with
 * CONFIG_ARM64_CONTPTE): one IPMODIFY ftrace_ops on the exported, out-of-line
 * helpers the kernel calls for more than one PTE at a time:
 *
 *   contpte_wrprotect_ptes()          fork of a large folio (copy_present_ptes)
 *   contpte_get_and_clear_full_ptes() teardown (zap_present_ptes)
 *   contpte_clear_full_ptes()         teardown, when the PTE value is not needed
 *
 * Single-PTE operations are inline in the kernel and stay the kernel's;
 * forklab's own walk (perpte, batched) calls the policies for every PTE.
 * The policy is global like the copy mode, filtered by the same scope.
 */
#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/trace_recursion.h>
#include "forklab.h"
#include "contpte.h"

/*
 * The replacements: same signatures, resumed into by the trampoline.  A task
 * that read the policy after a switch back to KERNEL still has to get the
 * work done: it calls the kernel's helper, which the handler lets through
 * because the call comes from module text (the barrier keeps it a real call
 * rather than a tail call from outside the module's view).
 */
static void fl_hook_wrprotect_ptes(struct mm_struct *mm, unsigned long addr,
				   pte_t *ptep, unsigned int nr)
{
	unsigned int policy = READ_ONCE(fl_live_contpte);

	if (policy == FORKLAB_CONTPTE_KERNEL)
		contpte_wrprotect_ptes(mm, addr, ptep, nr);
	else
		fl_contpte_wrprotect_ptes(policy, mm, addr, ptep, nr);
	barrier();
	fl_redirect_leave();
}

static pte_t fl_hook_get_and_clear_full_ptes(struct mm_struct *mm, unsigned long addr,
					     pte_t *ptep, unsigned int nr, int full)
{
	unsigned int policy = READ_ONCE(fl_live_contpte);
	pte_t pte;

	if (policy == FORKLAB_CONTPTE_KERNEL)
		pte = contpte_get_and_clear_full_ptes(mm, addr, ptep, nr, full);
	else
		pte = fl_contpte_get_and_clear_full_ptes(policy, mm, addr, ptep, nr, full);
	barrier();
	fl_redirect_leave();
	return pte;
}

static void fl_hook_clear_full_ptes(struct mm_struct *mm, unsigned long addr,
				    pte_t *ptep, unsigned int nr, int full)
{
	unsigned int policy = READ_ONCE(fl_live_contpte);

	if (policy == FORKLAB_CONTPTE_KERNEL)
		contpte_clear_full_ptes(mm, addr, ptep, nr, full);
	else
		fl_contpte_get_and_clear_full_ptes(policy, mm, addr, ptep, nr, full);
	barrier();
	fl_redirect_leave();
}

/* One ftrace_ops per kernel helper, so that each knows where to resume. */
struct fl_hook {
	struct ftrace_ops ops;
	const char *name;
	unsigned long ip;	/* the kernel's helper */
	unsigned long target;	/* its replacement */
};

static void notrace fl_contpte_handler(unsigned long ip, unsigned long parent_ip,
				       struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	int bit;

	/* our own calls of the kernel's helpers (see above) run unchanged */
	if (within_module(parent_ip, THIS_MODULE))
		return;
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	if (fl_scope_match(current)) {
		fl_redirect_enter();
		fl_ftrace_set_ip(fregs, container_of(ops, struct fl_hook, ops)->target);
	}
	ftrace_test_recursion_unlock(bit);
}

/* as the copy_page_range redirect: see redirect.c */
#define FL_HOOK(kernel_fn, replacement) {					\
	.ops = { .func = fl_contpte_handler,					\
		 .flags = FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_PERMANENT |	\
			  FL_FTRACE_SAVE_REGS },				\
	.name = #kernel_fn,							\
	.ip = (unsigned long)kernel_fn,						\
	.target = (unsigned long)replacement,					\
}

static struct fl_hook fl_hooks[] = {
	FL_HOOK(contpte_wrprotect_ptes, fl_hook_wrprotect_ptes),
	FL_HOOK(contpte_get_and_clear_full_ptes, fl_hook_get_and_clear_full_ptes),
	FL_HOOK(contpte_clear_full_ptes, fl_hook_clear_full_ptes),
};

static bool fl_contpte_registered;

/* Called with the config mutex held.  All hooks or none. */
int fl_contpte_hook_register(void)
{
	unsigned int i;
	int ret = 0;

	if (fl_contpte_registered)
		return 0;
	for (i = 0; i < ARRAY_SIZE(fl_hooks); i++) {
		ret = fl_ftrace_attach(&fl_hooks[i].ops, fl_hooks[i].ip, fl_hooks[i].name);
		if (ret)
			break;
	}
	if (ret) {
		while (i--)
			fl_ftrace_detach(&fl_hooks[i].ops, fl_hooks[i].ip);
		return ret;
	}
	fl_contpte_registered = true;
	return 0;
}

/* Called with the config mutex held. */
void fl_contpte_hook_unregister(void)
{
	unsigned int i;

	if (!fl_contpte_registered)
		return;
	for (i = 0; i < ARRAY_SIZE(fl_hooks); i++)
		fl_ftrace_detach(&fl_hooks[i].ops, fl_hooks[i].ip);
	fl_contpte_registered = false;
}
