/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calling kernel functions that are not exported.  ksyms.c resolves them
 * once at load and defines forwarders under the kernel's own names, so the
 * kernel's inline helpers (pte_alloc_map_lock(), pmd_none_or_clear_bad(),
 * add_mm_counter() ...) and our walk call them exactly as mm/memory.c does.
 */
#ifndef FORKLAB_KSYMS_H
#define FORKLAB_KSYMS_H

#include <linux/spinlock.h>

/* Argument lists for the forwarders, by arity. */
#define FL_PARAMS1(t1) t1 a1
#define FL_PARAMS2(t1, t2) t1 a1, t2 a2
#define FL_PARAMS3(t1, t2, t3) t1 a1, t2 a2, t3 a3
#define FL_PARAMS4(t1, t2, t3, t4) t1 a1, t2 a2, t3 a3, t4 a4
#define FL_PARAMS5(t1, t2, t3, t4, t5) t1 a1, t2 a2, t3 a3, t4 a4, t5 a5
#define FL_PARAMS6(t1, t2, t3, t4, t5, t6) t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6
#define FL_PARAMS7(t1, t2, t3, t4, t5, t6, t7) t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6, t7 a7
#define FL_ARGS1 a1
#define FL_ARGS2 a1, a2
#define FL_ARGS3 a1, a2, a3
#define FL_ARGS4 a1, a2, a3, a4
#define FL_ARGS5 a1, a2, a3, a4, a5
#define FL_ARGS6 a1, a2, a3, a4, a5, a6
#define FL_ARGS7 a1, a2, a3, a4, a5, a6, a7

#define FL_UNPAREN(...) __VA_ARGS__

/*
 * FL_KCALL(n, ret, fn, (args...), types...): calls a kernel function we hold
 * only the address of.  On x86, call_x86.S enters it through a return,
 * which IBT does not check.
 */
#ifdef CONFIG_X86
#define FL_KCALL(n, ret, fn, args, types...) ({				\
	ret (*fl_thunk)(types, void *) = (void *)fl_x86_tcall##n;		\
	fl_thunk(FL_UNPAREN args, (void *)(fn));				\
})
void fl_x86_tcall0(void);
void fl_x86_tcall1(void);
void fl_x86_tcall2(void);
void fl_x86_tcall3(void);
void fl_x86_tcall4(void);
void fl_x86_tcall5(void);
void fl_x86_tcall6(void);
void fl_x86_tcall7(void);
#else
#define FL_KCALL(n, ret, fn, args, types...) ((ret (*)(types))(fn))(FL_UNPAREN args)
#endif

/* Non-exported kernel data the walk uses. */
extern spinlock_t *fl_ksym_mmlist_lock;
extern unsigned long *fl_ksym_highest_memmap_pfn;	/* mm/memory.c */

#endif /* FORKLAB_KSYMS_H */
