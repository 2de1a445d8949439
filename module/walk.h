/* SPDX-License-Identifier: GPL-2.0 */
/*
 * forklab's own copy_page_range() walk: what its levels share.  walk.c holds
 * the levels above the PTE table (the same in 6.1 and 6.12) and includes the
 * PTE level of the release (pte_v6_1.h, pte_v6_12.h), where they differ.
 */
#ifndef FORKLAB_WALK_H
#define FORKLAB_WALK_H

#include <linux/log2.h>
#include <linux/mm_types.h>

#include "uapi/forklab.h"
#include "forklab_trace.h"

/* What one copy_page_range() call did, added to the statistics at the end. */
struct fl_walk_counts {
	u64 vmas;		/* 1 if the VMA's page tables were copied */
	u64 ptes_present;	/* present PTEs copied */
	u64 ptes_nonpresent;	/* swap, migration, device and marker entries */
	u64 runs;		/* copies of present PTEs: one per run */
	u64 run_hist[FORKLAB_RUN_BUCKETS];
	u64 large_folio_ptes;	/* present PTEs that map part of a large folio */
	u64 pinned_copies;	/* possibly pinned anon pages copied for the child */
	u64 alloc_retries;	/* times the PTE copy dropped its locks to allocate */
	u64 alloc_failures;	/* allocations that failed (the fork fails) */
	/*
	 * Runs of one PTE, every copy of the per-PTE path: one increment
	 * each here, folded into ptes_present, runs and run_hist[0] (and
	 * large_folio_ptes) when the statistics take the counts.
	 */
	u64 singles;
	u64 large_singles;	/* singles that map part of a large folio */
};

struct fl_walk {
	unsigned int mode;	/* for the tracepoints */
	/* batched: copy runs of PTEs that map one large folio at once */
	bool batch;
	/* contpte policy for the parent's write-protect and the child's set (arm64) */
	unsigned int contpte;
	struct fl_walk_counts counts;
};

int fl_walk_copy_page_range(struct fl_walk *w, struct vm_area_struct *dst_vma,
			    struct vm_area_struct *src_vma);

/*
 * The walk's statistics run per PTE, so they must cost next to nothing: the
 * kernel's own copy does not count, and forklab's must cost what the
 * kernel's does (docs/modes.md, "What forklab's own walk costs").  Inline, one or
 * two increments, and the tracepoint's disabled static branch.
 */

/* Accounts one copied run of @nr present PTEs at @addr, of a folio of @order. */
static __always_inline void fl_walk_count_run(struct fl_walk *w, unsigned long addr, int nr,
					      unsigned int order)
{
	w->counts.ptes_present += nr;
	w->counts.runs++;
	w->counts.run_hist[min_t(unsigned int, ilog2(nr), FORKLAB_RUN_BUCKETS - 1)]++;
	if (order)
		w->counts.large_folio_ptes += nr;
	trace_copy_run(w->mode, addr, nr, order);
}

/*
 * Accounts one PTE copied on its own; @folio is NULL for the zero page and
 * PFN maps.  The caller counts large_singles where it has tested the folio.
 */
static __always_inline void fl_walk_count_single(struct fl_walk *w, unsigned long addr,
						 struct folio *folio)
{
	w->counts.singles++;
	if (trace_copy_run_enabled())
		trace_copy_run(w->mode, addr, 1, folio ? folio_order(folio) : 0);
}

/* Under a contpte policy other than KERNEL (arm64 only: contpte.h). */
static inline bool fl_walk_contpte(const struct fl_walk *w)
{
	return IS_ENABLED(CONFIG_ARM64_CONTPTE) && w->contpte != FORKLAB_CONTPTE_KERNEL;
}

#endif /* FORKLAB_WALK_H */
