// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the A/B statistics (userspace/lib/abstat.c) against known
 * answers: textbook summaries, R's quantile type 7, and R's wilcox.test()
 * p-values (exact and normal approximation), worked out by hand below.
 * Speaks TAP and ends with "N passed, N failed".
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lib/abstat.h"
#include "tap.h"


static int near(double got, double want, double tol)
{
	if (fabs(got - want) <= tol)
		return 1;
	printf("#   got %.10g, wanted %.10g\n", got, want);
	return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_summary(void)
{
	/* the classic: mean 5, population sd 2, sample sd sqrt(32/7) */
	double x[] = { 9, 2, 5, 4, 4, 7, 4, 5 };
	double odd[] = { 3, 1, 2 }, one[] = { 42 };
	struct fl_summary s;

	fl_summarize(x, N(x), &s);
	check(s.n == 8 && s.min == 2 && s.max == 9, "summary: n, min, max");
	check(near(s.mean, 5, 1e-12), "summary: mean");
	check(near(s.stddev, sqrt(32.0 / 7), 1e-12), "summary: sample standard deviation");
	check(near(s.median, 4.5, 1e-12), "summary: median of an even count is the mean of the middle two");
	/* sorted 2 4 4 4 5 5 7 9; R: quantile(x, c(.25, .75)) = 4, 5.5 */
	check(near(s.q1, 4, 1e-12) && near(s.q3, 5.5, 1e-12), "summary: quartiles as R's type 7");
	check(x[0] == 9 && x[1] == 2, "summary: leaves the input as it was");
	check(near(fl_median(odd, 3), 2, 0), "median of an odd count");
	fl_summarize(one, 1, &s);
	check(s.median == 42 && s.stddev == 0 && s.q1 == 42 && s.q3 == 42, "summary of one value");
	{
		double q[] = { 1, 2, 3, 4 };

		check(near(fl_quantile_sorted(q, 4, 0.25), 1.75, 1e-12) &&
		      near(fl_quantile_sorted(q, 4, 0.9), 3.7, 1e-12) &&
		      fl_quantile_sorted(q, 4, 0) == 1 && fl_quantile_sorted(q, 4, 1) == 4,
		      "quantiles interpolate between order statistics (R type 7)");
	}
}

static void test_mann_whitney(void)
{
	double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	double c[] = { 1, 3, 5 }, d[] = { 2, 4, 6 };
	double e[] = { 1, 2, 3, 4, 5 }, f[] = { 6, 7, 8, 9, 10 };
	double g[] = { 1, 2, 2, 3, 4 }, h[] = { 3, 4, 5, 5, 6 };
	double same[] = { 7, 7, 7 }, big_a[50], big_b[50], u;

	/* exact: U = 0 is 1 of C(6,3) = 20 arrangements, two-sided 2/20 */
	check(near(fl_mann_whitney_p(a, 3, b, 3, &u), 0.1, 1e-12) && u == 0,
	      "Mann-Whitney exact: separated 3 vs 3 gives p = 0.1 (R: 0.1), U = 0");
	check(near(fl_mann_whitney_p(b, 3, a, 3, &u), 0.1, 1e-12) && u == 9,
	      "Mann-Whitney exact: symmetric in the order of the samples, U = 9");
	/* U = 3; P(U <= 3) = 7/20 (counts 1 1 2 3 of U = 0..3), two-sided 0.7 */
	check(near(fl_mann_whitney_p(c, 3, d, 3, &u), 0.7, 1e-12) && u == 3,
	      "Mann-Whitney exact: interleaved 3 vs 3 gives p = 0.7 (R: 0.7)");
	/* 2 / C(10,5) = 2/252 */
	check(near(fl_mann_whitney_p(e, 5, f, 5, NULL), 2.0 / 252, 1e-12),
	      "Mann-Whitney exact: separated 5 vs 5 gives p = 0.007937 (R: 0.007937)");
	/*
	 * Ties: normal approximation.  Midranks of g: 1, 2.5, 2.5, 4.5, 6.5,
	 * sum 17, U = 17 - 15 = 2; four pairs of ties: sum(t^3 - t) = 24;
	 * sigma^2 = 25/12 * (11 - 24/90); z = (2 - 12.5 + 0.5) / sigma =
	 * -2.114722; p = 2 * pnorm(-2.114722) = 0.0344536 (R, exact = FALSE).
	 */
	check(near(fl_mann_whitney_p(g, 5, h, 5, &u), 0.0344536370, 1e-9) && u == 2,
	      "Mann-Whitney with ties: normal approximation, tie and continuity corrected (R: 0.03445)");
	check(fl_mann_whitney_p(same, 3, same, 3, NULL) == 1, "Mann-Whitney: identical samples give p = 1");
	for (int i = 0; i < 50; i++)
		big_a[i] = i, big_b[i] = 100 + i;
	/* 50 vs 50: normal approximation; z = -(1250 - 0.5) / sqrt(2500 * 101 / 12) */
	check(near(fl_mann_whitney_p(big_a, 50, big_b, 50, NULL),
		   erfc((1250 - 0.5) / sqrt(2500 * 101 / 12.0) / sqrt(2)), 1e-20),
	      "Mann-Whitney: 50 vs 50 takes the normal approximation");
	for (int i = 0; i < 50; i++)
		big_b[i] = i + 0.5;
	check(fl_mann_whitney_p(big_a, 50, big_b, 50, NULL) > 0.5,
	      "Mann-Whitney: two interleaved samples are not different");
	check(near(fl_mann_whitney_p(a, 3, b, 3, NULL), fl_mann_whitney_p(b, 3, a, 3, NULL), 0),
	      "Mann-Whitney: two-sided");
}

static void test_change(void)
{
	double base[] = { 10, 10, 10 }, x[] = { 12, 12, 12 };
	double b2[] = { 98, 100, 102, 99, 101, 100, 97, 103, 100 };
	double x2[] = { 148, 150, 152, 149, 151, 150, 147, 153, 150 };
	struct fl_change c, again;

	fl_median_change(base, 3, x, 3, 2000, 0.95, 1, &c);
	check(near(c.pct, 20, 1e-9) && near(c.lo, 20, 1e-9) && near(c.hi, 20, 1e-9),
	      "median change: constant samples give +20%% with a zero-width interval");
	fl_median_change(b2, 9, x2, 9, 2000, 0.95, 7, &c);
	check(near(c.pct, 50, 1e-9), "median change: 100 -> 150 is +50%%");
	check(c.lo <= c.pct && c.pct <= c.hi && c.lo > 40 && c.hi < 60,
	      "median change: the 95%% interval holds the estimate and stays near it (%.1f..%.1f)",
	      c.lo, c.hi);
	fl_median_change(b2, 9, x2, 9, 2000, 0.95, 7, &again);
	check(c.lo == again.lo && c.hi == again.hi, "median change: one seed, one interval");
	fl_median_change(b2, 9, b2, 9, 2000, 0.95, 7, &c);
	check(c.pct == 0 && c.lo < 0 && c.hi > 0, "median change: a sample against itself: 0%% inside the interval");
	fl_median_change(b2, 9, x2, 9, 2000, 0.50, 7, &again);
	fl_median_change(b2, 9, x2, 9, 2000, 0.99, 7, &c);
	check(again.hi - again.lo < c.hi - c.lo, "median change: a higher level gives a wider interval");
}

static void test_significance(void)
{
	check(!*fl_significance(0.05) && !*fl_significance(0.7), "significance: none at p >= 0.05");
	check(!strcmp(fl_significance(0.049), "*") && !strcmp(fl_significance(0.0099), "**"),
	      "significance: * below 0.05, ** below 0.01");
}

/*
 * Holm against R: p.adjust(c(0.01, 0.04, 0.03, 0.005), method = "holm")
 * sorts to 0.005, 0.01, 0.03, 0.04, multiplies by 4, 3, 2, 1 (0.02, 0.03,
 * 0.06, 0.04), keeps it monotone (the last becomes 0.06) and puts it back
 * in order: 0.03 0.06 0.06 0.02.  p.adjust(c(0.5, 0.2, 0.01), "holm"):
 * 0.03, 0.4, 0.5 -> 0.5 0.4 0.03.  p.adjust(c(0.6, 0.7), "holm"): 1.2 capped
 * -> 1 1.  p.adjust(c(NA, 0.02, 0.04), "holm"): NA is left out of n ->
 * NA 0.04 0.04.
 */
static void test_holm(void)
{
	double p1[] = { 0.01, 0.04, 0.03, 0.005 }, w1[] = { 0.03, 0.06, 0.06, 0.02 };
	double p2[] = { 0.5, 0.2, 0.01 }, w2[] = { 0.5, 0.4, 0.03 };
	double p3[] = { 0.6, 0.7 }, p4[] = { NAN, 0.02, 0.04 }, a[4];
	int ok = 1;

	fl_holm(p1, 4, a);
	for (int i = 0; i < 4; i++)
		ok &= near(a[i], w1[i], 1e-12);
	check(ok, "holm: R's p.adjust(c(0.01, 0.04, 0.03, 0.005), 'holm') = 0.03 0.06 0.06 0.02");
	ok = 1;
	fl_holm(p2, 3, p2);	/* in place */
	for (int i = 0; i < 3; i++)
		ok &= near(p2[i], w2[i], 1e-12);
	check(ok, "holm: in place, p.adjust(c(0.5, 0.2, 0.01), 'holm') = 0.5 0.4 0.03");
	fl_holm(p3, 2, a);
	check(a[0] == 1 && a[1] == 1, "holm: capped at 1 (p.adjust(c(0.6, 0.7), 'holm') = 1 1)");
	fl_holm(p4, 3, a);
	check(isnan(a[0]) && near(a[1], 0.04, 1e-12) && near(a[2], 0.04, 1e-12),
	      "holm: NaN left out of n (p.adjust(c(NA, 0.02, 0.04), 'holm') = NA 0.04 0.04)");
	fl_holm(p1, 1, a);
	check(a[0] == 0.01, "holm: one test is left as it is");
}

/*
 * Tukey's fences, type-7 quartiles: 1..9 and 100 give q1 = 3.25, q3 = 7.75,
 * IQR 4.5, fences -3.5 and 14.5: one outlier (100).
 */
static void test_tukey(void)
{
	double x[] = { 5, 1, 9, 100, 2, 8, 3, 7, 4, 6 }, lo, hi;
	double y[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, flat[] = { 4446, 4446, 4446, 4446 };

	check(fl_tukey_outliers(x, 10, &lo, &hi) == 1 && near(lo, -3.5, 1e-12) && near(hi, 14.5, 1e-12),
	      "tukey: 1..9 and 100: fences -3.5, 14.5, one outlier");
	check(fl_tukey_outliers(y, 9, NULL, NULL) == 0, "tukey: 1..9: none");
	check(fl_tukey_outliers(flat, 4, NULL, NULL) == 0, "tukey: identical values (icount): none");
}

int main(void)
{
	test_summary();
	test_mann_whitney();
	test_change();
	test_significance();
	test_holm();
	test_tukey();
	return tap_done();
}
