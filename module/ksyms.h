/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calling kernel functions that are not exported.  ksyms.c resolves them
 * once at load and defines forwarders that the kernel's inline helpers
 * (pte_alloc_map_lock(), pmd_none_or_clear_bad(), add_mm_counter() ...) and
 * our walk call by the kernel's names, exactly as mm/memory.c does.  In the
 * object code the forwarders are forklab_<name> (FL_KSYM_RENAME below), so
 * that kallsyms never holds two functions of one name: the kernel refuses a
 * kprobe on a name it finds twice (EADDRNOTAVAIL), and bpftrace on
 * vm_normal_page would fail while forklab is loaded.  Every file that calls
 * one of them, itself or through a kernel inline, includes this header
 * after the kernel's (a file that does not fails to link: modpost reports
 * the kernel's name as undefined).
 */
#ifndef FORKLAB_KSYMS_H
#define FORKLAB_KSYMS_H

#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/memcontrol.h>
#include <linux/mmu_notifier.h>
#include <linux/pgtable.h>
#include <linux/rmap.h>
#include <linux/spinlock.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include "compat.h"

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

/*
 * The list: FN(arity, return type, name, parameter types...) for functions,
 * FNV(...) for those returning void, VAR(type, name) for data.  What differs
 * between releases is spelled out per release.
 */
#if defined(__HAVE_PFNMAP_TRACKING) && FL_WALK_TRACKS_PFNMAP
/* x86 PAT: the generic versions are inline no-ops elsewhere. */
#define FL_KSYMS_PFNMAP(FN, FNV)						\
	FN(3, int, track_pfn_copy, struct vm_area_struct *, struct vm_area_struct *, unsigned long *) \
	FNV(2, untrack_pfn_copy, struct vm_area_struct *, unsigned long)
#else
#define FL_KSYMS_PFNMAP(FN, FNV)
#endif

/* THP (not on PREEMPT_RT): without it the walk's calls are dead code */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
#define FL_KSYMS_HUGE_PMD(FN, FNV)						\
	FN(7, int, copy_huge_pmd, struct mm_struct *, struct mm_struct *, pmd_t *, pmd_t *, \
	   unsigned long, struct vm_area_struct *, struct vm_area_struct *)
#else
#define FL_KSYMS_HUGE_PMD(FN, FNV)
#endif

/* PUD-sized THP (x86_64): elsewhere the walk's call is dead code */
#if defined(CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD) && defined(CONFIG_TRANSPARENT_HUGEPAGE)
#define FL_KSYMS_HUGE_PUD(FN, FNV)						\
	FN(6, int, copy_huge_pud, struct mm_struct *, struct mm_struct *, pud_t *, pud_t *, \
	   unsigned long, struct vm_area_struct *)
#else
#define FL_KSYMS_HUGE_PUD(FN, FNV)
#endif

#ifdef CONFIG_HUGETLB_PAGE
#define FL_KSYMS_HUGETLB(FN, FNV)						\
	FN(4, int, copy_hugetlb_page_range, struct mm_struct *, struct mm_struct *, \
	   struct vm_area_struct *, struct vm_area_struct *)
#else
#define FL_KSYMS_HUGETLB(FN, FNV)
#endif

/* Out-of-line helpers of inline page-table accessors, per arch. */
#if defined(CONFIG_X86) && !defined(FL_KERNEL_6_1)
/* 6.6 gave pte_mkwrite() a vma (shadow stacks) and moved it out of line */
#define FL_KSYMS_ARCH(FN, FNV)	FN(2, pte_t, pte_mkwrite, pte_t, struct vm_area_struct *)
#elif defined(CONFIG_ARM64_MTE)
/* set_ptes() syncs MTE tags of tagged pages */
#define FL_KSYMS_ARCH(FN, FNV)	FNV(2, mte_sync_tags, pte_t, unsigned int)
#else
#define FL_KSYMS_ARCH(FN, FNV)
#endif

/* What 6.12 and 7.3 share: folio-based rmap and accounting, fallible PTE maps. */
#define FL_KSYMS_FOLIO(FN, FNV)							\
	FNV(2, mm_trace_rss_stat, struct mm_struct *, int)			\
	FNV(1, __mmu_notifier_invalidate_range_end, struct mmu_notifier_range *) \
	FNV(4, folio_add_new_anon_rmap, struct folio *, struct vm_area_struct *, unsigned long, rmap_t) \
	FNV(2, folio_add_lru_vma, struct folio *, struct vm_area_struct *)	\
	FNV(2, __folio_throttle_swaprate, struct folio *, gfp_t)		\
	FN(3, pte_t *, __pte_offset_map, pmd_t *, unsigned long, pmd_t *)

#if defined(FL_NO_WALK)
#define FL_KSYMS_RELEASE(FN, FNV)
#elif defined(FL_KERNEL_6_1)
#define FL_KSYMS_RELEASE(FN, FNV)						\
	FN(1, int, swap_duplicate, swp_entry_t)					\
	FN(2, int, add_swap_count_continuation, swp_entry_t, gfp_t)		\
	FNV(3, mm_trace_rss_stat, struct mm_struct *, int, long)		\
	FNV(2, __mmu_notifier_invalidate_range_end, struct mmu_notifier_range *, bool) \
	FNV(3, page_add_new_anon_rmap, struct page *, struct vm_area_struct *, unsigned long) \
	FNV(2, lru_cache_add_inactive_or_unevictable, struct page *, struct vm_area_struct *) \
	FNV(2, __cgroup_throttle_swaprate, struct page *, gfp_t)			\
	FNV(4, page_add_anon_rmap, struct page *, struct vm_area_struct *, unsigned long, rmap_t)
#elif defined(FL_KERNEL_6_12)
#define FL_KSYMS_RELEASE(FN, FNV)						\
	FN(1, int, swap_duplicate, swp_entry_t)					\
	FN(2, int, add_swap_count_continuation, swp_entry_t, gfp_t)		\
	FL_KSYMS_FOLIO(FN, FNV)							\
	FN(4, pte_t *, pte_offset_map_nolock, struct mm_struct *, pmd_t *, unsigned long, spinlock_t **) \
	FN(4, pte_t *, __pte_offset_map_lock, struct mm_struct *, pmd_t *, unsigned long, spinlock_t **) \
	FNV(6, folio_add_anon_rmap_ptes, struct folio *, struct page *, int, struct vm_area_struct *, \
	    unsigned long, rmap_t)
#else
/*
 * 7.3 declares these in mm/internal.h and mm/swap.h, which the headers
 * package does not ship: the declarations are theirs, as 7.3 has them.
 */
void folio_add_lru_vma(struct folio *folio, struct vm_area_struct *vma);
int swap_retry_table_alloc(swp_entry_t entry, gfp_t gfp);

#define FL_KSYMS_RELEASE(FN, FNV)						\
	FN(1, int, swap_dup_entry_direct, swp_entry_t)				\
	FN(2, int, swap_retry_table_alloc, swp_entry_t, gfp_t)			\
	FL_KSYMS_FOLIO(FN, FNV)							\
	FN(5, pte_t *, pte_offset_map_rw_nolock, struct mm_struct *, pmd_t *, unsigned long, \
	   pmd_t *, spinlock_t **)						\
	FN(4, pte_t *, pte_offset_map_lock, struct mm_struct *, pmd_t *, unsigned long, spinlock_t **) \
	FN(3, bool, can_change_pte_writable, struct vm_area_struct *, unsigned long, pte_t)
#endif

#ifdef FL_NO_WALK
/* Without the walk nothing calls the kernel's unexported functions. */
#define FL_KSYMS(FN, FNV)
#else
#define FL_KSYMS(FN, FNV)							\
	FN(3, struct page *, vm_normal_page, struct vm_area_struct *, unsigned long, pte_t) \
	FN(2, int, __pte_alloc, struct mm_struct *, pmd_t *)			\
	FN(3, int, __pmd_alloc, struct mm_struct *, pud_t *, unsigned long)	\
	FN(3, int, __pud_alloc, struct mm_struct *, p4d_t *, unsigned long)	\
	FN(3, int, __p4d_alloc, struct mm_struct *, pgd_t *, unsigned long)	\
	FNV(1, pgd_clear_bad, pgd_t *)						\
	FNV(1, p4d_clear_bad, p4d_t *)						\
	FNV(1, pud_clear_bad, pud_t *)						\
	FNV(1, pmd_clear_bad, pmd_t *)						\
	FL_KSYMS_HUGE_PMD(FN, FNV)						\
	FL_KSYMS_HUGE_PUD(FN, FNV)						\
	FN(1, int, __mmu_notifier_invalidate_range_start, struct mmu_notifier_range *) \
	FN(3, int, __mem_cgroup_charge, struct folio *, struct mm_struct *, gfp_t) \
	FL_KSYMS_PFNMAP(FN, FNV)						\
	FL_KSYMS_HUGETLB(FN, FNV)						\
	FL_KSYMS_ARCH(FN, FNV)							\
	FL_KSYMS_RELEASE(FN, FNV)
#endif

/*
 * The forwarders' names in the object code: GCC takes an asm label on a
 * later declaration, for every use in the file, calls from kernel inlines
 * included before it too.
 */
#define FL_KSYM_RENAME(n, ret, name, types...)	\
	extern __typeof__(name) name __asm__("forklab_" #name);
#define FL_KSYM_RENAMEV(n, name, types...)	\
	extern __typeof__(name) name __asm__("forklab_" #name);
FL_KSYMS(FL_KSYM_RENAME, FL_KSYM_RENAMEV)

/* Non-exported kernel data the walk uses. */
extern spinlock_t *fl_ksym_mmlist_lock;
extern unsigned long *fl_ksym_highest_memmap_pfn;	/* mm/memory.c */
#ifdef FL_KERNEL_7_3
extern struct mm_struct *fl_ksym_init_mm;	/* the list swapoff walks hangs off it */
#endif

#endif /* FORKLAB_KSYMS_H */
