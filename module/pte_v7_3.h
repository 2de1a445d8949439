/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FORKLAB_PTE_V7_3_H
#define FORKLAB_PTE_V7_3_H
/*
 * The PTE level of forklab's walk for Linux 7.3, in the names and order of
 * that release's mm/memory.c: soft leaf entries for everything non-present,
 * rmap duplication that knows the child's VMA (the mapcount's MM ids),
 * uffd read-write protection (RWP) carried in PTEs.  Two strategies share
 * it: per-PTE (as before 6.9: one reference, one rmap duplication, one
 * write-protect and one set per page) and batched (runs of PTEs mapping one
 * large folio at once, 7.3's own algorithm).  The table's loop is
 * pte_loop.h, the same for every release.
 *
 * Included by walk.c alone: as in mm/memory.c, the PTE level compiles into
 * the function of the level above it (copy_pmd_range()), so the compiler
 * inlines into it what it inlines into the kernel's copy_page_range().
 */
#include <linux/mm.h>
#include <linux/leafops.h>
#include <linux/memcontrol.h>
#include <linux/mm_inline.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/userfaultfd_k.h>
#include "forklab.h"
#include "ksyms.h"
#include "walk.h"
#include "contpte.h"
#include "pte_common.h"

/*
 * Makes a device-exclusive entry (a page a device driver took for atomic
 * access) present again, as the kernel does before copying it.  The folio
 * keeps its mapping meanwhile (7.3 does not drop the rmap for it).
 */
static void restore_exclusive_pte(struct vm_area_struct *vma, struct folio *folio,
				  struct page *page, unsigned long address, pte_t *ptep,
				  pte_t orig_pte)
{
	pte_t pte;

	VM_WARN_ON_FOLIO(!folio_test_locked(folio), folio);

	pte = pte_mkold(mk_pte(page, READ_ONCE(vma->vm_page_prot)));
	if (pte_swp_soft_dirty(orig_pte))
		pte = pte_mksoft_dirty(pte);
	if (pte_swp_uffd(orig_pte))
		pte = pte_mkuffd(pte);
	/* an RWP-protected page keeps trapping every access */
	if (pte_swp_uffd(orig_pte) && userfaultfd_rwp(vma))
		pte = pte_modify(pte, PAGE_NONE);
	if ((vma->vm_flags & VM_WRITE) && can_change_pte_writable(vma, address, pte)) {
		if (folio_test_dirty(folio))
			pte = pte_mkdirty(pte);
		pte = pte_mkwrite(pte, vma);
	}
	set_pte_at(vma->vm_mm, address, ptep, pte);
	update_mmu_cache(vma, address, ptep);
}

static int try_restore_exclusive_pte(struct vm_area_struct *vma, unsigned long addr,
				     pte_t *ptep, pte_t orig_pte)
{
	const softleaf_t entry = softleaf_from_pte(orig_pte);
	struct page *page = softleaf_to_page(entry);
	struct folio *folio = page_folio(page);

	if (folio_trylock(folio)) {
		restore_exclusive_pte(vma, folio, page, addr, ptep, orig_pte);
		folio_unlock(folio);
		return 0;
	}
	return -EBUSY;
}

/*
 * swapoff must find the child's swap entries too: the mm goes on the list
 * it walks (7.3 hangs it off init_mm, where 6.12 put it after the parent).
 */
static inline void mm_prepare_for_swap_entries(struct mm_struct *mm)
{
	if (list_empty(&mm->mmlist)) {
		spin_lock(fl_ksym_mmlist_lock);
		if (list_empty(&mm->mmlist))
			list_add(&mm->mmlist, &fl_ksym_init_mm->mmlist);
		spin_unlock(fl_ksym_mmlist_lock);
	}
}

/*
 * Copies one non-present entry: swap (the count goes up and the entry
 * becomes shared), migration and device-private (COW makes them readable in
 * both), device-exclusive (made present, then copied as present: -ENOENT),
 * PTE markers (kept only where the child can use them).
 */
static int copy_nonpresent_pte(struct mm_struct *dst_mm, struct mm_struct *src_mm,
			       pte_t *dst_pte, pte_t *src_pte, struct vm_area_struct *dst_vma,
			       struct vm_area_struct *src_vma, unsigned long addr, int *rss)
{
	pte_t orig_pte = ptep_get(src_pte);
	softleaf_t entry = softleaf_from_pte(orig_pte);
	pte_t pte = orig_pte;
	struct folio *folio;
	struct page *page;

	if (likely(softleaf_is_swap(entry))) {
		/* fails when the count needs its extension table: allocate, retry */
		if (swap_dup_entry_direct(entry) < 0)
			return -EIO;
		mm_prepare_for_swap_entries(dst_mm);
		if (pte_swp_exclusive(orig_pte)) {
			pte = pte_swp_clear_exclusive(orig_pte);
			set_pte_at(src_mm, addr, src_pte, pte);
		}
		rss[MM_SWAPENTS]++;
	} else if (softleaf_is_migration(entry)) {
		folio = softleaf_to_folio(entry);
		rss[mm_counter(folio)]++;
		if (!softleaf_is_migration_read(entry) && vma_is_cow_mapping(dst_vma)) {
			/* COW: both sides read-only, the page no longer exclusive */
			entry = make_readable_migration_entry(swp_offset(entry));
			pte = softleaf_to_pte(entry);
			if (pte_swp_soft_dirty(orig_pte))
				pte = pte_swp_mksoft_dirty(pte);
			if (pte_swp_uffd(orig_pte))
				pte = pte_swp_mkuffd(pte);
			set_pte_at(src_mm, addr, src_pte, pte);
		}
	} else if (softleaf_is_device_private(entry)) {
		page = softleaf_to_page(entry);
		folio = page_folio(page);
		folio_get(folio);
		rss[mm_counter(folio)]++;
		/* device-private pages cannot be pinned: this cannot fail */
		folio_try_dup_anon_rmap_pte(folio, page, dst_vma, src_vma);
		if (softleaf_is_device_private_write(entry) && vma_is_cow_mapping(dst_vma)) {
			entry = make_readable_device_private_entry(swp_offset(entry));
			pte = swp_entry_to_pte(entry);
			if (pte_swp_uffd(orig_pte))
				pte = pte_swp_mkuffd(pte);
			set_pte_at(src_mm, addr, src_pte, pte);
		}
	} else if (softleaf_is_device_exclusive(entry)) {
		VM_BUG_ON(!vma_is_cow_mapping(src_vma));
		if (try_restore_exclusive_pte(src_vma, addr, src_pte, orig_pte))
			return -EBUSY;
		return -ENOENT;
	} else if (softleaf_is_marker(entry)) {
		pte_marker marker = copy_pte_marker(entry, dst_vma);

		if (marker)
			set_pte_at(dst_mm, addr, dst_pte, make_pte_marker(marker));
		return 0;
	}
	/* the uffd bit (write- or read-write protection) only where the child has uffd */
	if (!userfaultfd_protected(dst_vma))
		pte = pte_swp_clear_uffd(pte);
	set_pte_at(dst_mm, addr, dst_pte, pte);
	return 0;
}

/*
 * A possibly pinned anonymous page is copied for the child rather than
 * shared.  Needs the page preallocated outside the locks (-EAGAIN if not).
 */
static int copy_present_page(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			     pte_t *dst_pte, pte_t *src_pte, unsigned long addr, int *rss,
			     struct folio **prealloc, struct page *page)
{
	struct folio *new_folio = *prealloc;
	pte_t pte;

	if (!new_folio)
		return -EAGAIN;
	if (copy_mc_user_highpage(&new_folio->page, page, addr, src_vma))
		return -EHWPOISON;

	*prealloc = NULL;
	__folio_mark_uptodate(new_folio);
	folio_add_new_anon_rmap(new_folio, dst_vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(new_folio, dst_vma);
	rss[MM_ANONPAGES]++;

	pte = folio_mk_pte(new_folio, dst_vma->vm_page_prot);
	pte = maybe_mkwrite(pte_mkdirty(pte), dst_vma);
	if (userfaultfd_protected(dst_vma) && pte_uffd(ptep_get(src_pte))) {
		/* the child keeps the protection, RWP's PAGE_NONE too */
		pte = pte_mkuffd(pte);
		if (userfaultfd_rwp(dst_vma))
			pte = pte_modify(pte, PAGE_NONE);
	}
	set_pte_at(dst_vma->vm_mm, addr, dst_pte, pte);
	return 0;
}

/*
 * Write-protects the parent (COW) and sets the child's entries for @nr
 * PTEs.  Batched: one range write-protect, one range set.  Per-PTE: one of
 * each per page, which on arm64 unfolds a contiguous block at its first PTE.
 * Under a contpte policy (arm64) both go through forklab's helpers instead.
 * Always inline, as 7.3's own: fork is sensitive to code size and inlining.
 */
static __always_inline void __copy_present_ptes(struct fl_walk *w, struct vm_area_struct *dst_vma,
						struct vm_area_struct *src_vma, pte_t *dst_pte,
						pte_t *src_pte, pte_t pte, unsigned long addr,
						int nr)
{
	struct mm_struct *src_mm = src_vma->vm_mm;
	/*
	 * Before the RWP rewrite below, which can take the write bit off a
	 * writable entry: the parent must still be write-protected then.
	 */
	bool writable = pte_write(pte);

	/*
	 * A child without uffd gets the access its VMA allows back, where the
	 * parent's PAGE_NONE was RWP's (not where it is NUMA hinting's).
	 */
	if (!userfaultfd_protected(dst_vma)) {
		if (userfaultfd_rwp(src_vma) && pte_uffd(pte))
			pte = pte_modify(pte, dst_vma->vm_page_prot);
		pte = pte_clear_uffd(pte);
	}

	if (vma_is_cow_mapping(src_vma) && writable) {
		if (fl_walk_contpte(w))
			fl_contpte_wrprotect_ptes(w->contpte, src_mm, addr, src_pte, nr);
		else if (w->batch)
			wrprotect_ptes(src_mm, addr, src_pte, nr);
		else
			ptep_set_wrprotect(src_mm, addr, src_pte);
		pte = pte_wrprotect(pte);
	}
	/* a shared mapping's child copy starts clean */
	if (src_vma->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte = pte_mkold(pte);

	if (fl_walk_contpte(w))
		fl_contpte_set_ptes(w->contpte, dst_vma->vm_mm, addr, dst_pte, pte, nr);
	else if (w->batch)
		set_ptes(dst_vma->vm_mm, addr, dst_pte, pte, nr);
	else
		set_pte_at(dst_vma->vm_mm, addr, dst_pte, pte);
}

/*
 * Copies the present PTE at @src_pte and, when batching, the rest of its
 * large folio's run.  Returns the number of PTEs copied (at least 1),
 * -EAGAIN when a page must be preallocated first, or -EHWPOISON.
 */
static __always_inline int copy_present_ptes(struct fl_walk *w, struct vm_area_struct *dst_vma,
					     struct vm_area_struct *src_vma, pte_t *dst_pte,
					     pte_t *src_pte, pte_t pte, unsigned long addr,
					     int max_nr, int *rss, struct folio **prealloc)
{
	struct folio *folio;
	struct page *page;
	bool any_writable;
	int err, nr;

	page = fl_vm_normal_page(src_vma, addr, pte);
	if (unlikely(!page)) {
		/* the zero page, PFN maps: nothing to reference */
		__copy_present_ptes(w, dst_vma, src_vma, dst_pte, src_pte, pte, addr, 1);
		fl_walk_count_single(w, addr, NULL);
		return 1;
	}
	folio = page_folio(page);

	/*
	 * Order-0 is the common case: it pays one flag test here, as in
	 * 7.3's own copy, and nothing else of batching.  Not when a page was
	 * preallocated: this PTE needed a copy last time, so batching would
	 * not pay.
	 */
	if (folio_test_large(folio)) {
		if (w->batch && !*prealloc && max_nr != 1) {
			/*
			 * 7.3's flags: the write bit merged into the first
			 * entry (FPB_MERGE_WRITE), dirty respected in private
			 * mappings, soft-dirty where it is tracked.
			 */
			nr = fl_folio_pte_batch(folio, src_pte, pte, max_nr,
						src_vma->vm_flags & VM_SHARED,
						!vma_soft_dirty_enabled(src_vma), &any_writable);
			folio_ref_add(folio, nr);
			if (folio_test_anon(folio)) {
				if (unlikely(folio_try_dup_anon_rmap_ptes(folio, page, nr, dst_vma,
									  src_vma))) {
					/* possibly pinned: copy page by page instead */
					folio_ref_sub(folio, nr);
					return -EAGAIN;
				}
				rss[MM_ANONPAGES] += nr;
				VM_WARN_ON_FOLIO(PageAnonExclusive(page), folio);
			} else {
				folio_dup_file_rmap_ptes(folio, page, nr, dst_vma);
				rss[mm_counter_file(folio)] += nr;
			}
			if (any_writable)
				pte = pte_mkwrite(pte, src_vma);
			__copy_present_ptes(w, dst_vma, src_vma, dst_pte, src_pte, pte,
					    addr, nr);
			fl_walk_count_run(w, addr, nr, folio_order(folio));
			return nr;
		}
		/* copied on its own below (taken back if that must wait) */
		w->counts.large_singles++;
	}

	folio_get(folio);
	if (folio_test_anon(folio)) {
		/*
		 * A page the parent may have pinned (DMA) must not be shared:
		 * the child gets a copy, so the pin keeps meaning the parent's.
		 */
		if (unlikely(folio_try_dup_anon_rmap_pte(folio, page, dst_vma, src_vma))) {
			folio_put(folio);
			err = copy_present_page(dst_vma, src_vma, dst_pte, src_pte, addr, rss,
						prealloc, page);
			if (err) {
				w->counts.large_singles -= folio_test_large(folio);
				return err;
			}
			w->counts.pinned_copies++;
			fl_walk_count_single(w, addr, folio);
			return 1;
		}
		rss[MM_ANONPAGES]++;
		VM_WARN_ON_FOLIO(PageAnonExclusive(page), folio);
	} else {
		folio_dup_file_rmap_pte(folio, page, dst_vma);
		rss[mm_counter_file(folio)]++;
	}
	__copy_present_ptes(w, dst_vma, src_vma, dst_pte, src_pte, pte, addr, 1);
	fl_walk_count_single(w, addr, folio);
	return 1;
}

/* a page for the copy of a possibly pinned one (pte_loop.h) */
typedef struct folio fl_prealloc_t;
#define fl_prealloc_put(p)	folio_put(p)

static struct folio *fl_prealloc(struct mm_struct *src_mm, struct vm_area_struct *vma,
				 unsigned long addr)
{
	struct folio *new_folio;

	new_folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE, 0, vma, addr);
	if (!new_folio)
		return NULL;
	if (mem_cgroup_charge(new_folio, src_mm, GFP_KERNEL)) {
		folio_put(new_folio);
		return NULL;
	}
	folio_throttle_swaprate(new_folio, GFP_KERNEL);
	return new_folio;
}

#include "pte_loop.h"

#endif /* FORKLAB_PTE_V7_3_H */
