/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics for A/B comparisons of benchmark samples: a summary of one
 * sample, the change of a median against a baseline's with a bootstrap
 * confidence interval, the Mann-Whitney U test, Holm's correction for
 * multiple comparisons and Tukey's outlier fences.  Plain C, no state;
 * known answers in tests/unit/test_abstat.c.
 */
#ifndef FL_ABSTAT_H
#define FL_ABSTAT_H

#include <stddef.h>
#include <stdint.h>

struct fl_summary {
	size_t n;
	double min, q1, median, q3, max;
	double mean, stddev;		/* stddev: sample (n - 1), 0 for n < 2 */
};

/* Summarises @n values (n >= 1); @x is left as it was. */
void fl_summarize(const double *x, size_t n, struct fl_summary *s);

/* The @q quantile (0..1) of @n sorted values, linear between order statistics (R type 7). */
double fl_quantile_sorted(const double *sorted, size_t n, double q);

/* The median of @n values (n >= 1); @x is left as it was. */
double fl_median(const double *x, size_t n);

/*
 * Mann-Whitney U test (Wilcoxon rank-sum), two-sided: the probability of a
 * difference at least this large if @a and @b came from one distribution.
 * Exact when both samples are under 50 values and there are no ties, the
 * normal approximation with tie and continuity correction otherwise: the
 * choices R's wilcox.test() makes.  *@u (may be NULL) gets U of @a.
 */
double fl_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb, double *u);

/*
 * The change of @x's median against @base's, in percent, with a percentile
 * bootstrap interval at @level (e.g. 0.95) from @iterations resamples of
 * both samples; @seed makes it reproducible.
 */
struct fl_change {
	double pct, lo, hi;
};
void fl_median_change(const double *base, size_t nbase, const double *x, size_t nx,
		      unsigned int iterations, double level, uint64_t seed, struct fl_change *c);

/*
 * Holm's step-down adjustment of @m p-values for multiple comparisons (what
 * R's p.adjust(p, method = "holm") gives): the i-th smallest is multiplied
 * by m - i + 1, kept monotone and capped at 1.  NaN values (no test) are
 * left out of m and stay NaN.  @adj may be @p.
 */
void fl_holm(const double *p, size_t m, double *adj);

/*
 * Tukey's fences: values below q1 - 1.5 IQR or above q3 + 1.5 IQR (type-7
 * quartiles) are outliers.  Returns how many; *@lo and *@hi (may be NULL)
 * get the fences.
 */
size_t fl_tukey_outliers(const double *x, size_t n, double *lo, double *hi);

/* splitmix64: small, good enough for resampling and shuffles, reproducible everywhere. */
uint64_t fl_splitmix64(uint64_t *state);

/* "**" for p < 0.01, "*" for p < 0.05, "" otherwise. */
const char *fl_significance(double p);

#endif
