// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 contiguous-PTE helpers under forklab's policies (CONFIG_ARM64_CONTPTE).
 *
 * A contpte block is CONT_PTES (16) naturally aligned PTEs mapping 64 KiB of
 * one folio with PTE_CONT set, so the TLB may hold it as one entry.  Changing
 * part of a block means unfolding it first, and a block whose PTEs agree again
 * can be folded; both are break-before-make with a ranged TLB invalidation
 * (the kernel's __contpte_try_unfold() and __contpte_try_fold(), which this
 * file calls and never reimplements).  The policies differ only in what they
 * do with a whole block:
 *
 *   unfold: unfold it, change it PTE by PTE, try to fold it again: every
 *           block costs an unfold and a fold (the kernel before the contpte fork and teardown
 *           patches' contpte_set_wrprotects() and batched clear, docs/background.md).
 *   block:  change the 16 PTEs in place, PTE_CONT kept: the Arm ARM allows a
 *           write-protect of the whole block under the contiguous bit, the
 *           later TLB flush of fork / the mmu_gather makes it visible (6.9's
 *           contpte_wrprotect_ptes(), contpte_[get_and_]clear_full_ptes()).
 *
 * A block only partly covered by a call is handled alike in both: unfolded,
 * changed per PTE, and (except for clears) offered for folding again, as the
 * kernel does for a single PTE.
 *
 * Every helper runs with the page-table lock held.  Counts are of what
 * happened, read back from the PTEs: the kernel declines to fold or unfold
 * kernel mms, and a fold fails when the block's PTEs do not agree.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include "forklab.h"
#include "contpte.h"
#include "ksyms.h"	/* set_ptes() calls mte_sync_tags() */

/* Unfolds the block holding @ptep if it is contiguous. */
static void fl_unfold(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
		      struct fl_contpte_tally *t)
{
	pte_t pte = __ptep_get(ptep);

	if (!pte_valid_cont(pte))
		return;
	__contpte_try_unfold(mm, addr, ptep, pte);
	if (!pte_cont(__ptep_get(ptep)))
		t->unfolds++;
}

/*
 * Offers the block ending at @ptep for folding.  The kernel's rule (its
 * contpte_try_fold(), used here as is) only folds at a block's last PTE, with
 * the physical address aligned too, and never special mappings.
 */
static void fl_try_fold(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
			struct fl_contpte_tally *t)
{
	pte_t pte = __ptep_get(ptep);

	contpte_try_fold(mm, addr, ptep, pte);
	if (!pte_cont(pte) && pte_cont(__ptep_get(ptep)))
		t->folds++;
}

/* A whole, valid contiguous block the policy may change without unfolding. */
static bool fl_keep_block(unsigned int policy, pte_t *ptep, unsigned int nr,
			  struct fl_contpte_tally *t)
{
	if (policy != FORKLAB_CONTPTE_BLOCK || nr != CONT_PTES ||
	    !pte_valid_cont(__ptep_get(ptep)))
		return false;
	t->blocks_kept++;
	return true;
}

/* The parent's side of fork: write-protect @nr present PTEs. */
void fl_contpte_wrprotect_ptes(unsigned int policy, struct mm_struct *mm,
			       unsigned long addr, pte_t *ptep, unsigned int nr)
{
	unsigned long end = addr + ((unsigned long)nr << PAGE_SHIFT), next;
	struct fl_contpte_tally t = {};
	unsigned int n;

	do {
		next = pte_cont_addr_end(addr, end);
		n = (next - addr) >> PAGE_SHIFT;
		if (fl_keep_block(policy, ptep, n, &t)) {
			__wrprotect_ptes(mm, addr, ptep, n);
		} else {
			fl_unfold(mm, addr, ptep, &t);
			__wrprotect_ptes(mm, addr, ptep, n);
			fl_try_fold(mm, next - PAGE_SIZE, ptep + n - 1, &t);
		}
		addr = next;
		ptep += n;
	} while (addr != end);
	fl_stats_contpte(policy, FORKLAB_CONTPTE_WRPROTECT, nr, &t);
}

/*
 * The child's side of fork (forklab's walk only): set @nr empty PTEs to
 * consecutive pages of one folio, starting with @pte.  A whole block whose
 * pages are aligned too can be written contiguous at once, as the kernel's
 * contpte_set_ptes() does; the child's mm is always a user mm.  Only a
 * valid entry may be contiguous: the walk also batches present but not
 * valid PTEs (PROT_NONE, NUMA hinting), and like the kernel we never set
 * PTE_CONT on those (contpte code elsewhere takes PTE_CONT to mean a valid
 * block; the kernel warns on a non-valid one under DEBUG_VM).
 */
void fl_contpte_set_ptes(unsigned int policy, struct mm_struct *mm, unsigned long addr,
			 pte_t *ptep, pte_t pte, unsigned int nr)
{
	unsigned long end = addr + ((unsigned long)nr << PAGE_SHIFT), next;
	struct fl_contpte_tally t = {};
	unsigned int n;

	pte = pte_mknoncont(pte);
	do {
		next = pte_cont_addr_end(addr, end);
		n = (next - addr) >> PAGE_SHIFT;
		if (policy == FORKLAB_CONTPTE_BLOCK && n == CONT_PTES && pte_valid(pte) &&
		    !(pte_pfn(pte) & (CONT_PTES - 1))) {
			__set_ptes(mm, addr, ptep, pte_mkcont(pte), n);
			t.blocks_kept++;
		} else {
			__set_ptes(mm, addr, ptep, pte, n);
			fl_try_fold(mm, next - PAGE_SIZE, ptep + n - 1, &t);
		}
		pte = pte_advance_pfn(pte, n);
		addr = next;
		ptep += n;
	} while (addr != end);
	fl_stats_contpte(policy, FORKLAB_CONTPTE_SET, nr, &t);
}

/*
 * Teardown: clear @nr present PTEs of one folio.  Returns the first PTE with
 * the dirty and young bits of all of them, as get_and_clear_full_ptes() must.
 */
pte_t fl_contpte_get_and_clear_full_ptes(unsigned int policy, struct mm_struct *mm,
					 unsigned long addr, pte_t *ptep, unsigned int nr,
					 int full)
{
	unsigned long end = addr + ((unsigned long)nr << PAGE_SHIFT), next;
	struct fl_contpte_tally t = {};
	pte_t first = __pte(0), pte;
	bool have_first = false;
	unsigned int n;

	do {
		next = pte_cont_addr_end(addr, end);
		n = (next - addr) >> PAGE_SHIFT;
		if (!fl_keep_block(policy, ptep, n, &t))
			fl_unfold(mm, addr, ptep, &t);
		pte = __get_and_clear_full_ptes(mm, addr, ptep, n, full);
		if (!have_first) {
			first = pte;
			have_first = true;
		} else {
			if (pte_dirty(pte))
				first = pte_mkdirty(first);
			if (pte_young(pte))
				first = pte_mkyoung(first);
		}
		addr = next;
		ptep += n;
	} while (addr != end);
	fl_stats_contpte(policy, FORKLAB_CONTPTE_CLEAR, nr, &t);
	return first;
}
