/* SPDX-License-Identifier: GPL-2.0 */
/*
 * forklab compat layer: every kernel API difference the module bridges, each
 * named after the upstream change that made it.  Core files test the names
 * defined here, never version numbers.
 */
#ifndef FORKLAB_COMPAT_H
#define FORKLAB_COMPAT_H

#include <linux/version.h>
#include <linux/ftrace.h>

/*
 * Supported range.  The module reimplements parts of mm/memory.c, so a kernel
 * outside the releases it was written against must not build silently.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#error "forklab supports Linux 6.1 to 6.12 (tested: Debian 6.1.y and 6.12.y); this kernel is outside that range"
#endif

/*
 * Redirecting needs an ftrace handler that can change where the traced
 * function resumes; without WITH_ARGS the kernel's setter is a silent no-op.
 */
#ifndef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#error "forklab needs CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS to redirect copy_page_range"
#endif

/*
 * Setting the resumed instruction pointer from an ftrace handler: 6.1 calls it
 * ftrace_instruction_pointer_set() (a macro on every arch); upstream renamed
 * it ftrace_regs_set_instruction_pointer() with the ftrace_regs accessor
 * rework ("ftrace: abstract DYNAMIC_FTRACE_WITH_ARGS accesses").
 */
#ifdef ftrace_instruction_pointer_set
#define fl_ftrace_set_ip(fregs, ip)	ftrace_instruction_pointer_set(fregs, ip)
#else
#define fl_ftrace_set_ip(fregs, ip)	ftrace_regs_set_instruction_pointer(fregs, ip)
#endif

/*
 * Full pt_regs are only needed where ftrace lacks WITH_ARGS IP modification;
 * x86 has both and its regs trampoline is the one that honours a new ip, so
 * ask for regs wherever the architecture offers them (arm64 has no WITH_REGS).
 */
#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS
#define FL_FTRACE_SAVE_REGS	FTRACE_OPS_FL_SAVE_REGS
#else
#define FL_FTRACE_SAVE_REGS	0
#endif

#endif /* FORKLAB_COMPAT_H */
