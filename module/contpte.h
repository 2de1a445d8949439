/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contpte policies' helpers (contpte.c, arm64 with CONFIG_ARM64_CONTPTE).
 * Declared everywhere so that callers compile on every architecture; they are
 * only reached where fl_walk_contpte() or a live hook says so.
 */
#ifndef FORKLAB_CONTPTE_H
#define FORKLAB_CONTPTE_H

#include <linux/mm_types.h>

/* What one helper call did, for the statistics. */
struct fl_contpte_tally {
	u64 unfolds;		/* blocks unfolded (one ranged invalidation each) */
	u64 folds;		/* blocks folded (one ranged invalidation each) */
	u64 blocks_kept;	/* whole contiguous blocks changed in place */
};

void fl_contpte_wrprotect_ptes(unsigned int policy, struct mm_struct *mm,
			       unsigned long addr, pte_t *ptep, unsigned int nr);
void fl_contpte_set_ptes(unsigned int policy, struct mm_struct *mm, unsigned long addr,
			 pte_t *ptep, pte_t pte, unsigned int nr);
pte_t fl_contpte_get_and_clear_full_ptes(unsigned int policy, struct mm_struct *mm,
					 unsigned long addr, pte_t *ptep, unsigned int nr,
					 int full);

#endif /* FORKLAB_CONTPTE_H */
