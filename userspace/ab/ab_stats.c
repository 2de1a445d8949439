// SPDX-License-Identifier: GPL-2.0
/*
 * The A/B statistics per variant: a summary of its samples, the change of
 * its median against its case's baseline with a bootstrap interval, the
 * Mann-Whitney p-value and that p-value corrected with Holm's method over
 * the comparisons of its case (a case with seven variants makes six tests:
 * uncorrected, one in three such cases would show a false '*'), outliers
 * by Tukey's fences; and the one line that says what changed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ab.h"

void ab_compute(struct ab *ab)
{
	double p[AB_MAX_UNITS];

	for (unsigned int k = 0; k < ab->nunits; k++) {
		struct ab_unit *u = &ab->units[k];
		const struct ab_unit *b = ab_base(ab, u->kase);

		fl_summarize(u->samples, u->n, &u->sum);
		u->outliers = fl_tukey_outliers(u->samples, u->n, NULL, NULL);
		if (u == b) {
			u->change = (struct fl_change){ 0, NAN, NAN };
			u->p = NAN;
			continue;
		}
		fl_median_change(b->samples, b->n, u->samples, u->n, AB_BOOTSTRAP, AB_LEVEL, ab->seed + k,
				 &u->change);
		u->p = fl_mann_whitney_p(b->samples, b->n, u->samples, u->n, NULL);
	}
	for (unsigned int c = 0; c < ab->ncases; c++) {
		unsigned int idx[AB_MAX_UNITS], m = 0;

		for (unsigned int k = 0; k < ab->nunits; k++)
			if (ab->units[k].kase == c) {
				idx[m] = k;
				p[m++] = ab->units[k].p;
			}
		fl_holm(p, m, p);
		for (unsigned int i = 0; i < m; i++)
			ab->units[idx[i]].p_holm = p[i];
	}
}

static int ab_cmp_change(const void *a, const void *b)
{
	double x = fabs((*(const struct ab_unit *const *)a)->change.pct);
	double y = fabs((*(const struct ab_unit *const *)b)->change.pct);

	return x > y ? -1 : x < y;
}

/*
 * "batched -47.1% on thp-pte, perpte +71.2% on order0 (Holm p < 0.05; 3 of
 * 12 changes)": the largest first, at most five named.
 */
void ab_summary_line(const struct ab *ab, char *buf, size_t len)
{
	const struct ab_unit *sig[AB_MAX_UNITS];
	unsigned int n = 0, tests = 0;
	size_t used = 0;

	for (unsigned int k = 0; k < ab->nunits; k++) {
		const struct ab_unit *u = &ab->units[k];

		if (u->baseline)
			continue;
		tests++;
		if (u->p_holm < AB_ALPHA)
			sig[n++] = u;
	}
	qsort(sig, n, sizeof(sig[0]), ab_cmp_change);
	if (!n) {
		snprintf(buf, len, "no significant change against the baseline in any of the %u comparisons "
			 "(Holm-corrected p < %.2g)", tests, AB_ALPHA);
		return;
	}
	for (unsigned int i = 0; i < n && i < 5 && used < len; i++) {
		const struct ab_unit *u = sig[i];
		const struct ab_unit *b = ab_base(ab, u->kase);

		used += snprintf(buf + used, len - used, "%s%s %+.1f%%%s%s vs %s", i ? ", " : "", u->variant,
				 u->change.pct, ab->vary_opt ? " on " : "", ab->vary_opt ? ab->cases[u->kase] : "",
				 b->variant);
	}
	if (used < len)
		snprintf(buf + used, len - used, "%s (%u of %u comparisons significant, Holm-corrected p < %.2g)",
			 n > 5 ? ", ..." : "", n, tests, AB_ALPHA);
}
