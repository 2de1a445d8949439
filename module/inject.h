/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FORKLAB_INJECT_H
#define FORKLAB_INJECT_H
/*
 * A fault-injection point for the regression test of 6.1's batched rmap
 * duplication, in a test build only (Kbuild's FL_INJECT=pin-mid-run; the
 * guests load it as forklab-inject.ko).  In a normal build both calls are
 * empty and the walk's code is the same as without them.
 *
 * The race it makes certain: a GUP-fast FOLL_PIN from another thread of the
 * parent pins a large folio after the batched copy has decided that the
 * folio may be shared, and before the rmap of its pages is duplicated.
 * GUP-fast drops such a pin by itself, when it sees write_protect_seq move
 * (fork holds it odd), so the run must go through; a copy that asked "may
 * this page be shared?" again page by page got "no" there and could not
 * back out (6.1's page_try_dup_anon_rmap() under BUG_ON).  Under TCG the
 * window is too short to hit by chance, hence the injection.
 */
struct folio;

#ifdef FL_INJECT_PIN_MID_RUN
bool fl_inject_pin(struct mm_struct *mm, struct folio *folio);
void fl_inject_unpin(struct folio *folio);
#else
static inline bool fl_inject_pin(struct mm_struct *mm, struct folio *folio) { return false; }
static inline void fl_inject_unpin(struct folio *folio) { }
#endif

#endif /* FORKLAB_INJECT_H */
