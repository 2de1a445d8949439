/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP for the unit tests: numbered results, then the plan and
 * "N passed, N failed" (what tools/check tallies and shows).
 */
#ifndef FL_UNIT_TAP_H
#define FL_UNIT_TAP_H

extern int tests, failures;
/* Called after a failed check to show what the test saw (NULL: nothing). */
extern void (*tap_on_failure)(void);

void check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the plan and the totals; returns the program's exit status. */
int tap_done(void);

#endif
