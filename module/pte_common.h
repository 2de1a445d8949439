/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the PTE levels of both releases share: rss accounting and the
 * detection of a run of PTEs that map one large folio.
 */
#ifndef FORKLAB_PTE_COMMON_H
#define FORKLAB_PTE_COMMON_H

#include <linux/mm.h>
#include <linux/pgtable.h>
#include "compat.h"
#include "ksyms.h"

static inline void init_rss_vec(int *rss)
{
	memset(rss, 0, sizeof(int) * NR_MM_COUNTERS);
}

static inline void add_mm_rss_vec(struct mm_struct *mm, int *rss)
{
	int i;

	for (i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(mm, i, rss[i]);
}

/*
 * Soft-dirty tracking is on while VM_SOFTDIRTY is clear (the flag marks a
 * VMA whose every page counts as dirty).  Later releases ask the page
 * tables whether they have the bit at all (a runtime test on some arches).
 */
static inline bool vma_soft_dirty_enabled(struct vm_area_struct *vma)
{
#ifdef pgtable_supports_soft_dirty
	if (!pgtable_supports_soft_dirty())
		return false;
#else
	if (!IS_ENABLED(CONFIG_MEM_SOFT_DIRTY))
		return false;
#endif
	return !(vma->vm_flags & VM_SOFTDIRTY);
}

/*
 * vm_normal_page() for the common case, inline: an entry that is not special
 * maps a page that has a struct page.  Everything else (special entries, the
 * zero page, a PFN beyond the memory map, which the kernel reports) goes to
 * the kernel's own function.  The kernel calls it once a PTE; forklab would
 * reach it through a forwarder and (x86) a return trampoline, several
 * instructions a PTE over the kernel's cost, where this costs a few less.
 */
static __always_inline struct page *fl_vm_normal_page(struct vm_area_struct *vma,
						      unsigned long addr, pte_t pte)
{
	if (IS_ENABLED(CONFIG_ARCH_HAS_PTE_SPECIAL) && likely(!pte_special(pte))) {
		unsigned long pfn = pte_pfn(pte);

		if (likely(pfn <= *fl_ksym_highest_memmap_pfn))
			return pfn_to_page(pfn);
	}
	return vm_normal_page(vma, addr, pte);
}

/* What two PTEs of one run may differ in besides the PFN. */
static inline pte_t fl_pte_batch_normalize(pte_t pte, bool ignore_dirty, bool ignore_soft_dirty)
{
	if (ignore_dirty)
		pte = pte_mkclean(pte);
	if (ignore_soft_dirty)
		pte = pte_clear_soft_dirty(pte);
	return pte_wrprotect(pte_mkold(pte));
}

/*
 * Length of the run starting at @start_ptep: consecutive present PTEs that
 * map consecutive pages of @folio with the same bits, up to @max_nr.  The
 * bits that may differ: accessed and writable always, dirty in shared
 * mappings (the child's copy is made clean anyway), soft-dirty where tracking
 * is off; uffd-wp may not differ.  Sets *any_writable if any but the first
 * is writable.  Upstream's folio_pte_batch() follows the same rules.
 */
static inline int fl_folio_pte_batch(struct folio *folio, pte_t *start_ptep, pte_t pte,
			      int max_nr, bool ignore_dirty, bool ignore_soft_dirty,
			      bool *any_writable)
{
	pte_t expected, *ptep;
	int nr, hint;

	*any_writable = false;
	/* no further than the folio's last page */
	max_nr = min_t(unsigned long, max_nr,
		       folio_pfn(folio) + folio_nr_pages(folio) - pte_pfn(pte));

	nr = pte_batch_hint(start_ptep, pte);
	expected = fl_pte_batch_normalize(pte_advance_pfn(pte, nr), ignore_dirty,
					  ignore_soft_dirty);
	ptep = start_ptep + nr;
	while (nr < max_nr) {
		pte = ptep_get(ptep);
		if (!pte_same(fl_pte_batch_normalize(pte, ignore_dirty, ignore_soft_dirty), expected))
			break;
		*any_writable |= !!pte_write(pte);
		/* arm64: a contiguous block can be taken whole */
		hint = pte_batch_hint(ptep, pte);
		expected = pte_advance_pfn(expected, hint);
		ptep += hint;
		nr += hint;
	}
	return min(nr, max_nr);
}

#endif /* FORKLAB_PTE_COMMON_H */
