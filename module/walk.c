// SPDX-License-Identifier: GPL-2.0
/*
 * forklab's copy_page_range(): the walk from the pgd down to the PMD level,
 * in the names and order of mm/memory.c (the same in 6.1, 6.12 and 7.3 but
 * for the API names of compat.h), so it reads side by side with the
 * kernel's, and the release's PTE level (pte_v6_1.h, pte_v6_12.h,
 * pte_v7_3.h).  Huge PMD/PUD entries, hugetlb and PFN tracking are
 * delegated to the kernel's own helpers, as the kernel does.
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/mmu_notifier.h>
#include "forklab.h"
#include "walk.h"
#if defined(FL_KERNEL_6_1)
#include "pte_v6_1.h"
#elif defined(FL_KERNEL_6_12)
#include "pte_v6_12.h"
#else
#include "pte_v7_3.h"
#endif

static inline int copy_pmd_range(struct fl_walk *w, struct vm_area_struct *dst_vma,
				 struct vm_area_struct *src_vma, pud_t *dst_pud, pud_t *src_pud,
				 unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	pmd_t *src_pmd, *dst_pmd;
	unsigned long next;

	dst_pmd = pmd_alloc(dst_mm, dst_pud, addr);
	if (!dst_pmd)
		return -ENOMEM;
	src_pmd = pmd_offset(src_pud, addr);
	do {
		next = pmd_addr_end(addr, end);
		if (fl_pmd_is_huge(*src_pmd)) {
			int err;

			VM_BUG_ON_VMA(next - addr != HPAGE_PMD_SIZE, src_vma);
			err = copy_huge_pmd(dst_mm, src_mm, dst_pmd, src_pmd, addr, dst_vma, src_vma);
			if (err == -ENOMEM)
				return -ENOMEM;
			if (!err)
				continue;
			/* the huge PMD was split meanwhile: copy its PTE table */
		}
		if (pmd_none_or_clear_bad(src_pmd))
			continue;
		if (copy_pte_range(w, dst_vma, src_vma, dst_pmd, src_pmd, addr, next))
			return -ENOMEM;
	} while (dst_pmd++, src_pmd++, addr = next, addr != end);
	return 0;
}

static inline int copy_pud_range(struct fl_walk *w, struct vm_area_struct *dst_vma,
				 struct vm_area_struct *src_vma, p4d_t *dst_p4d, p4d_t *src_p4d,
				 unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	pud_t *src_pud, *dst_pud;
	unsigned long next;

	dst_pud = pud_alloc(dst_mm, dst_p4d, addr);
	if (!dst_pud)
		return -ENOMEM;
	src_pud = pud_offset(src_p4d, addr);
	do {
		next = pud_addr_end(addr, end);
		if (fl_pud_is_huge(*src_pud)) {
			int err;

			VM_BUG_ON_VMA(next - addr != HPAGE_PUD_SIZE, src_vma);
			err = copy_huge_pud(dst_mm, src_mm, dst_pud, src_pud, addr, src_vma);
			if (err == -ENOMEM)
				return -ENOMEM;
			if (!err)
				continue;
		}
		if (pud_none_or_clear_bad(src_pud))
			continue;
		if (copy_pmd_range(w, dst_vma, src_vma, dst_pud, src_pud, addr, next))
			return -ENOMEM;
	} while (dst_pud++, src_pud++, addr = next, addr != end);
	return 0;
}

static inline int copy_p4d_range(struct fl_walk *w, struct vm_area_struct *dst_vma,
				 struct vm_area_struct *src_vma, pgd_t *dst_pgd, pgd_t *src_pgd,
				 unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	p4d_t *src_p4d, *dst_p4d;
	unsigned long next;

	dst_p4d = p4d_alloc(dst_mm, dst_pgd, addr);
	if (!dst_p4d)
		return -ENOMEM;
	src_p4d = p4d_offset(src_pgd, addr);
	do {
		next = p4d_addr_end(addr, end);
		if (p4d_none_or_clear_bad(src_p4d))
			continue;
		if (copy_pud_range(w, dst_vma, src_vma, dst_p4d, src_p4d, addr, next))
			return -ENOMEM;
	} while (dst_p4d++, src_p4d++, addr = next, addr != end);
	return 0;
}

/*
 * Whether this VMA's page tables must be copied at fork, or can be left to
 * fault in the child (the kernel's rule, unchanged).
 */
static bool vma_needs_copy(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
#ifdef VM_COPY_ON_FORK
	/*
	 * 7.3 names what lives only in the page tables: PFN maps, uffd
	 * write- and read-protection, guard regions.  On the child's VMA,
	 * where the uffd flags may be set alone.
	 */
	if (dst_vma->vm_flags & VM_COPY_ON_FORK)
		return true;
#else
	/* uffd-wp state lives only in the page tables */
	if (userfaultfd_wp(dst_vma))
		return true;
	if (src_vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return true;
#endif
	if (src_vma->anon_vma)
		return true;
	return false;
}

int fl_walk_copy_page_range(struct fl_walk *w, struct vm_area_struct *dst_vma,
			    struct vm_area_struct *src_vma)
{
	unsigned long addr = src_vma->vm_start;
	unsigned long end = src_vma->vm_end;
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	struct mmu_notifier_range range;
	pgd_t *src_pgd, *dst_pgd;
	unsigned long next;
#if FL_WALK_TRACKS_PFNMAP
	unsigned long pfn = 0;
#endif
	bool is_cow;
	int ret;

	if (!vma_needs_copy(dst_vma, src_vma))
		return 0;
	w->counts.vmas = 1;

	if (is_vm_hugetlb_page(src_vma))
		return copy_hugetlb_page_range(dst_mm, src_mm, dst_vma, src_vma);

#if FL_WALK_TRACKS_PFNMAP
	if (unlikely(src_vma->vm_flags & VM_PFNMAP)) {
		ret = track_pfn_copy(dst_vma, src_vma, &pfn);
		if (ret)
			return ret;
	}
#endif

	/*
	 * Secondary MMUs need invalidating only when the parent's PTEs may
	 * lose write permission, that is, for COW mappings.
	 */
	is_cow = fl_is_cow_mapping(src_vma);
	if (is_cow) {
		fl_mmu_notifier_range_init_fork(&range, src_vma, addr, end);
		mmu_notifier_invalidate_range_start(&range);
		/*
		 * GUP-fast readers retry while this count is odd.  The raw
		 * variant: fork holds the mmap lock for writing and the
		 * readers never spin, so preemption may stay enabled.
		 */
		fl_assert_fork_locked(src_vma);
		raw_write_seqcount_begin(&src_mm->write_protect_seq);
	}

	ret = 0;
	dst_pgd = pgd_offset(dst_mm, addr);
	src_pgd = pgd_offset(src_mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none_or_clear_bad(src_pgd))
			continue;
		if (unlikely(copy_p4d_range(w, dst_vma, src_vma, dst_pgd, src_pgd, addr, next))) {
			ret = -ENOMEM;
			break;
		}
	} while (dst_pgd++, src_pgd++, addr = next, addr != end);

	if (is_cow) {
		raw_write_seqcount_end(&src_mm->write_protect_seq);
		mmu_notifier_invalidate_range_end(&range);
	}
#if FL_WALK_TRACKS_PFNMAP
	if (ret && unlikely(src_vma->vm_flags & VM_PFNMAP))
		untrack_pfn_copy(dst_vma, pfn);
#endif
	return ret;
}
