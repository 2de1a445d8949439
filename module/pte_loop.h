/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FORKLAB_PTE_LOOP_H
#define FORKLAB_PTE_LOOP_H
/*
 * The PTE table's loop, copy_pte_range(), which every release forklab
 * supports has in the same shape: lock both tables, copy entry by entry (or
 * run by run), drop the locks now and then, and when a copy needs memory,
 * drop them, allocate, and go on from where it stopped.  Where the releases'
 * APIs differ the loop calls compat.h's names.
 *
 * Included by a release's PTE level (pte_v6_1.h, ...) after it has defined:
 *   fl_prealloc_t                 what a preallocated page is (page or folio)
 *   fl_prealloc(), fl_prealloc_put()  allocating and dropping one
 *   copy_nonpresent_pte(), copy_present_ptes()  the release's copies
 *
 * The strategy (w->batch) is tested only where a PTE maps part of a large
 * folio (copy_present_ptes()): an order-0 PTE costs both strategies the
 * same, and a large one costs perpte a test more than the kernel's pre-6.9
 * copy.
 */

static __always_inline int copy_pte_range(struct fl_walk *w, struct vm_area_struct *dst_vma,
					  struct vm_area_struct *src_vma, pmd_t *dst_pmd,
					  pmd_t *src_pmd, unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	pte_t *orig_src_pte, *orig_dst_pte;
	pte_t *src_pte, *dst_pte;
	pte_t ptent;
	spinlock_t *src_ptl, *dst_ptl;
	int progress, max_nr, ret = 0;
	int rss[NR_MM_COUNTERS];
	swp_entry_t entry = (swp_entry_t){0};
	fl_prealloc_t *prealloc = NULL;
	int nr;

again:
	progress = 0;
	init_rss_vec(rss);

	/*
	 * As in the kernel: the exclusive mmap lock on both mms keeps anon
	 * THPs from collapsing or splitting under us.
	 */
	dst_pte = pte_alloc_map_lock(dst_mm, dst_pmd, addr, &dst_ptl);
	if (!dst_pte) {
		ret = -ENOMEM;
		goto out;
	}
	src_pte = fl_pte_offset_map_src(src_mm, src_pmd, addr, &src_ptl);
	if (FL_PTE_MAP_CAN_FAIL && !src_pte) {
		pte_unmap_unlock(dst_pte, dst_ptl);
		/* the table went away (a THP collapse of file memory): nothing to copy */
		goto out;
	}
	spin_lock_nested(src_ptl, SINGLE_DEPTH_NESTING);
	orig_src_pte = src_pte;
	orig_dst_pte = dst_pte;
	fl_lazy_mmu_enable();

	do {
		nr = 1;
		/* two page-table locks held: let others in now and then */
		if (progress >= 32) {
			progress = 0;
			if (need_resched() || spin_needbreak(src_ptl) || spin_needbreak(dst_ptl))
				break;
		}
		ptent = ptep_get(src_pte);
		if (pte_none(ptent)) {
			progress++;
			continue;
		}
		if (unlikely(!pte_present(ptent))) {
			ret = copy_nonpresent_pte(dst_mm, src_mm, dst_pte, src_pte, dst_vma,
						  src_vma, addr, rss);
			if (ret == -EIO) {
				entry = fl_swap_entry_of(ptep_get(src_pte));
				break;
			} else if (ret == -EBUSY) {
				break;
			} else if (!ret) {
				w->counts.ptes_nonpresent++;
				progress += 8;
				continue;
			}
			/* a device-exclusive entry made present again: copy it */
			ptent = ptep_get(src_pte);
			VM_WARN_ON_ONCE(!pte_present(ptent));
			WARN_ON_ONCE(ret != -ENOENT);
		}
		max_nr = (end - addr) / PAGE_SIZE;
		ret = copy_present_ptes(w, dst_vma, src_vma, dst_pte, src_pte, ptent,
					addr, max_nr, rss, &prealloc);
		if (unlikely(ret == -EAGAIN || (FL_COPY_MC && ret == -EHWPOISON)))
			break;
		if (unlikely(prealloc)) {
			/*
			 * Not used: the PTE changed since.  Not kept either:
			 * the next allocation must follow the mempolicy of its
			 * own address.
			 */
			fl_prealloc_put(prealloc);
			prealloc = NULL;
		}
		nr = ret;
		progress += 8 * nr;
	} while (dst_pte += nr, src_pte += nr, addr += PAGE_SIZE * nr, addr != end);

	fl_lazy_mmu_disable();
	pte_unmap_unlock(orig_src_pte, src_ptl);
	add_mm_rss_vec(dst_mm, rss);
	pte_unmap_unlock(orig_dst_pte, dst_ptl);
	cond_resched();

	if (ret == -EIO) {
		/* the swap count needs more room (a continuation, a table): allocate, retry */
		VM_WARN_ON_ONCE(!entry.val);
		w->counts.alloc_retries++;
		if (fl_swap_retry_alloc(entry, GFP_KERNEL) < 0) {
			w->counts.alloc_failures++;
			ret = -ENOMEM;
			goto out;
		}
		entry.val = 0;
	} else if (ret == -EBUSY || (FL_COPY_MC && unlikely(ret == -EHWPOISON))) {
		goto out;
	} else if (ret == -EAGAIN) {
		w->counts.alloc_retries++;
		prealloc = fl_prealloc(src_mm, src_vma, addr);
		if (!prealloc) {
			w->counts.alloc_failures++;
			return -ENOMEM;
		}
	} else if (ret < 0) {
		VM_WARN_ON_ONCE(1);
	}

	/* resolved: go on from where we stopped */
	ret = 0;
	if (addr != end)
		goto again;
out:
	if (unlikely(prealloc))
		fl_prealloc_put(prealloc);
	return ret;
}

#endif /* FORKLAB_PTE_LOOP_H */
