/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FORKLAB_PTE_V6_1_H
#define FORKLAB_PTE_V6_1_H
/*
 * The PTE level of forklab's walk for Linux 6.1, in the names and order of
 * that release's mm/memory.c (page-based rmap and accounting).  Per-PTE is
 * 6.1's own algorithm; batched brings 6.9's run copy to 6.1: one folio
 * reference for a run, its rmap duplicated in one pass, then the parent
 * write-protected and the child set, run by run.
 *
 * Included by walk.c alone: as in mm/memory.c, the PTE level compiles into
 * the function of the level above it (copy_pmd_range()), so the compiler
 * inlines into it what it inlines into the kernel's copy_page_range().
 */
#include <linux/mm.h>
#include <linux/memcontrol.h>
#include <linux/mm_inline.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/userfaultfd_k.h>
#include "forklab.h"
#include "ksyms.h"
#include "walk.h"
#include "pte_common.h"
#include "inject.h"

/*
 * Makes a device-exclusive entry (a page a device driver took for atomic
 * access) present again, as the kernel does before copying it.
 */
static void restore_exclusive_pte(struct vm_area_struct *vma, struct page *page,
				  unsigned long address, pte_t *ptep)
{
	pte_t orig_pte = ptep_get(ptep);
	swp_entry_t entry = pte_to_swp_entry(orig_pte);
	pte_t pte;

	pte = pte_mkold(mk_pte(page, READ_ONCE(vma->vm_page_prot)));
	if (pte_swp_soft_dirty(orig_pte))
		pte = pte_mksoft_dirty(pte);
	if (pte_swp_uffd_wp(orig_pte))
		pte = pte_mkuffd_wp(pte);
	else if (is_writable_device_exclusive_entry(entry))
		pte = maybe_mkwrite(pte_mkdirty(pte), vma);

	/* the reference was taken when the entry was made */
	if (PageAnon(page))
		page_add_anon_rmap(page, vma, address, RMAP_NONE);
	else
		WARN_ON_ONCE(1);	/* device-exclusive is anon-only */
	set_pte_at(vma->vm_mm, address, ptep, pte);
	update_mmu_cache(vma, address, ptep);
}

static int try_restore_exclusive_pte(pte_t *src_pte, struct vm_area_struct *vma,
				     unsigned long addr)
{
	swp_entry_t entry = pte_to_swp_entry(ptep_get(src_pte));
	struct page *page = pfn_swap_entry_to_page(entry);

	if (trylock_page(page)) {
		restore_exclusive_pte(vma, page, addr, src_pte);
		unlock_page(page);
		return 0;
	}
	return -EBUSY;
}

/*
 * Copies one non-present entry: swap (the count goes up and the entry
 * becomes shared), migration and device-private (COW makes them readable in
 * both), device-exclusive (made present, then copied as present: -ENOENT),
 * PTE markers (kept only where the child uses uffd-wp).
 */
static int copy_nonpresent_pte(struct mm_struct *dst_mm, struct mm_struct *src_mm,
			       pte_t *dst_pte, pte_t *src_pte, struct vm_area_struct *dst_vma,
			       struct vm_area_struct *src_vma, unsigned long addr, int *rss)
{
	unsigned long vm_flags = dst_vma->vm_flags;
	pte_t orig_pte = ptep_get(src_pte);
	swp_entry_t entry = pte_to_swp_entry(orig_pte);
	pte_t pte = orig_pte;
	struct page *page;

	if (likely(!non_swap_entry(entry))) {
		if (swap_duplicate(entry) < 0)
			return -EIO;
		/* swapoff must find the child's entries too */
		if (unlikely(list_empty(&dst_mm->mmlist))) {
			spin_lock(fl_ksym_mmlist_lock);
			if (list_empty(&dst_mm->mmlist))
				list_add(&dst_mm->mmlist, &src_mm->mmlist);
			spin_unlock(fl_ksym_mmlist_lock);
		}
		if (pte_swp_exclusive(orig_pte)) {
			pte = pte_swp_clear_exclusive(orig_pte);
			set_pte_at(src_mm, addr, src_pte, pte);
		}
		rss[MM_SWAPENTS]++;
	} else if (is_migration_entry(entry)) {
		page = pfn_swap_entry_to_page(entry);
		rss[mm_counter(page)]++;
		if (!is_readable_migration_entry(entry) && is_cow_mapping(vm_flags)) {
			/* COW: both sides read-only, the page no longer exclusive */
			entry = make_readable_migration_entry(swp_offset(entry));
			pte = swp_entry_to_pte(entry);
			if (pte_swp_soft_dirty(orig_pte))
				pte = pte_swp_mksoft_dirty(pte);
			if (pte_swp_uffd_wp(orig_pte))
				pte = pte_swp_mkuffd_wp(pte);
			set_pte_at(src_mm, addr, src_pte, pte);
		}
	} else if (is_device_private_entry(entry)) {
		page = pfn_swap_entry_to_page(entry);
		get_page(page);
		rss[mm_counter(page)]++;
		/* device-private pages cannot be pinned: this cannot fail */
		BUG_ON(page_try_dup_anon_rmap(page, false, src_vma));
		if (is_writable_device_private_entry(entry) && is_cow_mapping(vm_flags)) {
			entry = make_readable_device_private_entry(swp_offset(entry));
			pte = swp_entry_to_pte(entry);
			if (pte_swp_uffd_wp(orig_pte))
				pte = pte_swp_mkuffd_wp(pte);
			set_pte_at(src_mm, addr, src_pte, pte);
		}
	} else if (is_device_exclusive_entry(entry)) {
		VM_BUG_ON(!is_cow_mapping(src_vma->vm_flags));
		if (try_restore_exclusive_pte(src_pte, src_vma, addr))
			return -EBUSY;
		return -ENOENT;
	} else if (is_pte_marker_entry(entry)) {
		if (userfaultfd_wp(dst_vma))
			set_pte_at(dst_mm, addr, dst_pte, pte);
		return 0;
	}
	if (!userfaultfd_wp(dst_vma))
		pte = pte_swp_clear_uffd_wp(pte);
	set_pte_at(dst_mm, addr, dst_pte, pte);
	return 0;
}

/*
 * A possibly pinned anonymous page is copied for the child rather than
 * shared.  Needs the page preallocated outside the locks (-EAGAIN if not).
 */
static int copy_present_page(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			     pte_t *dst_pte, pte_t *src_pte, unsigned long addr, int *rss,
			     struct page **prealloc, struct page *page)
{
	struct page *new_page = *prealloc;
	pte_t pte;

	if (!new_page)
		return -EAGAIN;

	*prealloc = NULL;
	copy_user_highpage(new_page, page, addr, src_vma);
	__SetPageUptodate(new_page);
	page_add_new_anon_rmap(new_page, dst_vma, addr);
	lru_cache_add_inactive_or_unevictable(new_page, dst_vma);
	rss[mm_counter(new_page)]++;

	pte = mk_pte(new_page, dst_vma->vm_page_prot);
	pte = maybe_mkwrite(pte_mkdirty(pte), dst_vma);
	if (userfaultfd_pte_wp(dst_vma, ptep_get(src_pte)))
		pte = pte_wrprotect(pte_mkuffd_wp(pte));	/* the child keeps the protection */
	set_pte_at(dst_vma->vm_mm, addr, dst_pte, pte);
	return 0;
}

/*
 * Write-protects the parent (COW) and sets the child's entries for @nr PTEs.
 * Always inline, as in 6.9's mm/memory.c: fork is sensitive to code size
 * and inlining, and per PTE a call costs as much as the copy.
 */
static __always_inline void __copy_present_ptes(struct vm_area_struct *dst_vma,
						struct vm_area_struct *src_vma, pte_t *dst_pte,
						pte_t *src_pte, pte_t pte, unsigned long addr,
						int nr)
{
	struct mm_struct *src_mm = src_vma->vm_mm;
	int i;

	if (is_cow_mapping(src_vma->vm_flags) && pte_write(pte)) {
		for (i = 0; i < nr; i++)
			ptep_set_wrprotect(src_mm, addr + i * PAGE_SIZE, src_pte + i);
		pte = pte_wrprotect(pte);
	}
	/* a shared mapping's child copy starts clean */
	if (src_vma->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte = pte_mkold(pte);
	if (!userfaultfd_wp(dst_vma))
		pte = pte_clear_uffd_wp(pte);

	/* the entry is advanced only between pages: a single PTE is set as it is */
	for (;;) {
		set_pte_at(dst_vma->vm_mm, addr, dst_pte, pte);
		if (--nr == 0)
			break;
		addr += PAGE_SIZE;
		dst_pte++;
		pte = pte_advance_pfn(pte, 1);
	}
}

/*
 * A run of @nr PTEs mapping consecutive pages of the large folio of @page:
 * one folio reference, the rmap of each page duplicated in one pass.
 * Returns false, having done nothing, if the folio may be pinned.
 *
 * Whether the folio may be pinned is decided once, for the whole run, as
 * 6.12's __folio_try_dup_anon_rmap() does; after that the duplication
 * cannot fail.  Asking page_try_dup_anon_rmap() again for each page would
 * be wrong: GUP-fast pins without the locks we hold, so a pin taken after
 * the first check makes a later page's answer -EBUSY half way through a run
 * whose reference is already added.  Such a pin needs nothing from us:
 * GUP-fast sees write_protect_seq move (walk.c) and drops it again.
 */
static bool fl_dup_run(struct vm_area_struct *src_vma, struct folio *folio,
		       struct page *page, int nr, int *rss)
{
	int i;

	if (folio_test_anon(folio)) {
		bool injected;

		/* pinned pages go page by page, to be copied if exclusive */
		if (unlikely(page_needs_cow_for_dma(src_vma, page)))
			return false;
		/* the test build's GUP-fast pin in the window (inject.h) */
		injected = fl_inject_pin(src_vma->vm_mm, folio);
		folio_ref_add(folio, nr);
		for (i = 0; i < nr; i++) {
			/* shared from now on: the parent's PTE becomes read-only */
			if (PageAnonExclusive(page + i))
				ClearPageAnonExclusive(page + i);
			__page_dup_rmap(page + i, false);
		}
		if (injected)
			fl_inject_unpin(folio);
	} else {
		folio_ref_add(folio, nr);
		for (i = 0; i < nr; i++)
			page_dup_file_rmap(page + i, false);
	}
	rss[mm_counter(page)] += nr;
	return true;
}

/*
 * Copies the present PTE at @src_pte and, when batching, the rest of its
 * large folio's run.  Returns the number of PTEs copied (at least 1), or
 * -EAGAIN when a page must be preallocated first.
 */
static __always_inline int copy_present_ptes(struct fl_walk *w, struct vm_area_struct *dst_vma,
					     struct vm_area_struct *src_vma, pte_t *dst_pte,
					     pte_t *src_pte, pte_t pte, unsigned long addr,
					     int max_nr, int *rss, struct page **prealloc)
{
	struct folio *folio;
	struct page *page;
	bool any_writable;
	int err, nr;

	page = fl_vm_normal_page(src_vma, addr, pte);
	if (unlikely(!page)) {
		/* the zero page, PFN maps: nothing to reference */
		__copy_present_ptes(dst_vma, src_vma, dst_pte, src_pte, pte, addr, 1);
		fl_walk_count_single(w, addr, NULL);
		return 1;
	}
	folio = page_folio(page);

	/*
	 * Order-0 is the common case: it pays one flag test here, the test
	 * 6.9's batched copy adds too, and nothing else of batching.
	 */
	if (folio_test_large(folio)) {
		if (w->batch && !*prealloc && max_nr != 1) {
			nr = fl_folio_pte_batch(folio, src_pte, pte, max_nr,
						src_vma->vm_flags & VM_SHARED,
						!vma_soft_dirty_enabled(src_vma), &any_writable);
			if (likely(fl_dup_run(src_vma, folio, page, nr, rss))) {
				if (any_writable)
					pte = pte_mkwrite(pte);
				__copy_present_ptes(dst_vma, src_vma, dst_pte, src_pte, pte, addr,
						    nr);
				fl_walk_count_run(w, addr, nr, folio_order(folio));
				return nr;
			}
		}
		/* copied on its own below (taken back if that must wait) */
		w->counts.large_singles++;
	}

	if (PageAnon(page)) {
		/*
		 * A page the parent may have pinned (DMA) must not be shared:
		 * the child gets a copy, so the pin keeps meaning the parent's.
		 */
		get_page(page);
		if (unlikely(page_try_dup_anon_rmap(page, false, src_vma))) {
			put_page(page);
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
		rss[mm_counter(page)]++;
	} else {
		get_page(page);
		page_dup_file_rmap(page, false);
		rss[mm_counter(page)]++;
	}
	__copy_present_ptes(dst_vma, src_vma, dst_pte, src_pte, pte, addr, 1);
	fl_walk_count_single(w, addr, folio);
	return 1;
}

/* a page for the copy of a possibly pinned one (pte_loop.h) */
typedef struct page fl_prealloc_t;
#define fl_prealloc_put(p)	put_page(p)

static struct page *fl_prealloc(struct mm_struct *src_mm, struct vm_area_struct *vma,
				unsigned long addr)
{
	struct page *new_page;

	new_page = alloc_page_vma(GFP_HIGHUSER_MOVABLE, vma, addr);
	if (!new_page)
		return NULL;
	if (mem_cgroup_charge(page_folio(new_page), src_mm, GFP_KERNEL)) {
		put_page(new_page);
		return NULL;
	}
	cgroup_throttle_swaprate(new_page, GFP_KERNEL);
	return new_page;
}

#include "pte_loop.h"

#endif /* FORKLAB_PTE_V6_1_H */
