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
 * The releases forklab's walk follows.  The walk reimplements parts of
 * mm/memory.c, so on any other release Kbuild leaves it out (FL_NO_WALK)
 * rather than build it against an mm/memory.c it was not written for.
 */
#ifdef FL_NO_WALK
/* Kbuild: a release without forklab's walk, or FL_WALK=none */
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define FL_KERNEL_6_1	1
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define FL_KERNEL_6_12	1
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(7, 3, 0) && LINUX_VERSION_CODE < KERNEL_VERSION(7, 4, 0)
#define FL_KERNEL_7_3	1
#else
#error "Kbuild's FL_WALK_RELEASES and module/compat.h disagree: a release with forklab's walk must be named in both"
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

/* The fork walk's MMU-notifier range: mmu_notifier_range_init() lost its vma argument in 6.3. */
#if defined(FL_KERNEL_6_1)
#define fl_mmu_notifier_range_init_fork(range, vma, start, end) \
	mmu_notifier_range_init(range, MMU_NOTIFY_PROTECTION_PAGE, 0, vma, (vma)->vm_mm, start, end)
/* 6.4 (per-VMA locks) made fork write-lock each VMA; 6.1 has the mmap lock. */
#define fl_assert_fork_locked(vma)	mmap_assert_write_locked((vma)->vm_mm)
#else
#define fl_mmu_notifier_range_init_fork(range, vma, start, end) \
	mmu_notifier_range_init(range, MMU_NOTIFY_PROTECTION_PAGE, 0, (vma)->vm_mm, start, end)
#define fl_assert_fork_locked(vma)	vma_assert_write_locked(vma)
#endif

/*
 * PTE batching helpers, added in 6.9 with the batched fork ("mm/memory:
 * optimize fork() with PTE-mapped THP"): without them a run is scanned one
 * entry at a time and the PFN advanced through pfn_pte().
 */
#ifdef FL_KERNEL_6_1
#include <linux/pgtable.h>

static inline unsigned int pte_batch_hint(pte_t *ptep, pte_t pte)
{
	return 1;
}

/*
 * The next PFN by adding to the entry, as 6.9's helper does: the walk calls
 * this for every PTE it sets, and rebuilding the entry through pfn_pte()
 * (PAT and protection checks) cost more than the rest of a PTE's copy.
 * x86 stores the PFN of a PROT_NONE entry inverted (L1TF, 4.19), so there
 * the PFN goes down as the page goes up.
 */
static inline pte_t pte_advance_pfn(pte_t pte, unsigned long nr)
{
#ifdef CONFIG_X86
	if (__pte_needs_invert(pte_val(pte)))
		return __pte(pte_val(pte) - (nr << PAGE_SHIFT));
	return __pte(pte_val(pte) + (nr << PAGE_SHIFT));
#else
	return pfn_pte(pte_pfn(pte) + nr, pte_pgprot(pte));
#endif
}
#endif

/*
 * The walk's page-table API, where it moved between 6.12 and 7.3.  These
 * need <linux/mm.h> and friends: walk.c and the PTE levels include them
 * before this header.
 */
#ifdef FL_KERNEL_7_3
/* COW is a property of the VMA's flag bitmap (vma_flags_t) in 7.3 */
#define fl_is_cow_mapping(vma)		vma_is_cow_mapping(vma)
/*
 * Huge PMD entries, migration entries of one included: the devmap bits
 * went away and pmd_is_huge() took over the three-way test, by 7.3.
 */
#define fl_pmd_is_huge(pmd)		pmd_is_huge(pmd)
#define fl_pud_is_huge(pud)		pud_trans_huge(pud)
/* the source table, for writing, with its lock not taken ("_rw_nolock", 6.13) */
#define FL_PTE_MAP_CAN_FAIL		1
#define fl_pte_offset_map_src(mm, pmd, addr, ptlp) ({			\
	pmd_t fl_pmdval;						\
	pte_offset_map_rw_nolock(mm, pmd, addr, &fl_pmdval, ptlp);	\
})
/* lazy MMU mode lost its arch_ prefix (and may nest) by 7.3 */
#define fl_lazy_mmu_enable()		lazy_mmu_mode_enable()
#define fl_lazy_mmu_disable()		lazy_mmu_mode_disable()
/* swap entries are soft leaf entries; the count's extension is a table */
#define fl_swap_entry_of(pte)		softleaf_from_pte(pte)
#define fl_swap_retry_alloc(entry, gfp)	swap_retry_table_alloc(entry, gfp)
/* PFN-map tracking moved out of copy_page_range() into the VMA copy by 7.3 */
#define FL_WALK_TRACKS_PFNMAP		0
#else
#define fl_is_cow_mapping(vma)		is_cow_mapping((vma)->vm_flags)
#define fl_pmd_is_huge(pmd)		(is_swap_pmd(pmd) || pmd_trans_huge(pmd) || pmd_devmap(pmd))
#define fl_pud_is_huge(pud)		(pud_trans_huge(pud) || pud_devmap(pud))
#ifdef FL_KERNEL_6_1
#define fl_pte_offset_map_src(mm, pmd, addr, ptlp) ({			\
	pte_t *fl_pte = pte_offset_map(pmd, addr);			\
	*(ptlp) = pte_lockptr(mm, pmd);					\
	fl_pte;								\
})
/*
 * 6.5 made the map fallible (a file THP collapse can take the table away
 * meanwhile); 6.1's cannot fail, and telling the compiler so keeps the
 * loop's registers as 6.1's own copy has them.
 */
#define FL_PTE_MAP_CAN_FAIL		0
#else
#define fl_pte_offset_map_src(mm, pmd, addr, ptlp) pte_offset_map_nolock(mm, pmd, addr, ptlp)
#define FL_PTE_MAP_CAN_FAIL		1
#endif
#define fl_lazy_mmu_enable()		arch_enter_lazy_mmu_mode()
#define fl_lazy_mmu_disable()		arch_leave_lazy_mmu_mode()
#define fl_swap_entry_of(pte)		pte_to_swp_entry(pte)
#define fl_swap_retry_alloc(entry, gfp)	add_swap_count_continuation(entry, gfp)
#define FL_WALK_TRACKS_PFNMAP		1
#endif
/*
 * A page copied for the child (a possibly pinned one) fails with -EHWPOISON
 * when the parent's is poisoned: copy_mc_user_highpage() came in 6.2.
 */
#ifdef FL_KERNEL_6_1
#define FL_COPY_MC			0
#else
#define FL_COPY_MC			1
#endif

/*
 * The kernel's fold and unfold of a contpte block (contpte_convert(), a
 * break-before-make) invalidate the block's TLB entries, except, in 7.3, on
 * CPUs with BBM level 3, where the architecture lets the contiguous bit
 * change without it (QEMU's -cpu max has no BBML3).
 */
#if defined(FL_KERNEL_7_3) && defined(CONFIG_ARM64)
#define fl_contpte_convert_invalidates()	(!system_supports_bbml3())
#else
#define fl_contpte_convert_invalidates()	true
#endif

#endif /* FORKLAB_COMPAT_H */
