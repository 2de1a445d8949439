// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for forklab's A/B driver: robust summaries (medians, not
 * means, because fork latency has a long right tail), a percentile
 * bootstrap for the median's change and the Mann-Whitney U test, which
 * assumes nothing about the shape of the distributions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "abstat.h"

static int fl_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double *fl_sorted_copy(const double *x, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		abort();
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), fl_cmp_double);
	return s;
}

double fl_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h = (n - 1) * q;
	size_t lo = (size_t)floor(h);

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
}

double fl_median(const double *x, size_t n)
{
	double *s = fl_sorted_copy(x, n), m = fl_quantile_sorted(s, n, 0.5);

	free(s);
	return m;
}

void fl_summarize(const double *x, size_t n, struct fl_summary *out)
{
	double *s = fl_sorted_copy(x, n), sum = 0, sq = 0;

	for (size_t i = 0; i < n; i++)
		sum += s[i];
	out->n = n;
	out->mean = sum / n;
	for (size_t i = 0; i < n; i++)
		sq += (s[i] - out->mean) * (s[i] - out->mean);
	out->stddev = n > 1 ? sqrt(sq / (n - 1)) : 0;
	out->min = s[0];
	out->max = s[n - 1];
	out->q1 = fl_quantile_sorted(s, n, 0.25);
	out->median = fl_quantile_sorted(s, n, 0.5);
	out->q3 = fl_quantile_sorted(s, n, 0.75);
	free(s);
}

/*
 * How many of the C(na + nb, na) arrangements of two tie-free samples give
 * U <= u.  f(i, j, k), the arrangements of i values of a and j of b with
 * U = k, follows from where the largest value goes: to a (it beats all j
 * values of b: f(i - 1, j, k - j)) or to b (f(i, j - 1, k)).  Kept one row
 * of i at a time.  Doubles are exact up to 2^53 and relatively precise
 * beyond, which is what a probability needs.
 */
static double fl_u_count_le(size_t na, size_t nb, long u)
{
	size_t cols = na * nb + 1, row = (nb + 1) * cols;
	double *prev = calloc(2 * row, sizeof(*prev)), *cur = prev + row, *t, r = 0;

	if (!prev)
		abort();
	for (size_t j = 0; j <= nb; j++)		/* i = 0: U is 0 */
		prev[j * cols] = 1;
	for (size_t i = 1; i <= na; i++) {
		memset(cur, 0, row * sizeof(*cur));
		cur[0] = 1;				/* j = 0: U is 0 */
		for (size_t j = 1; j <= nb; j++)
			for (size_t k = 0; k < cols; k++)
				cur[j * cols + k] = (k >= j ? prev[j * cols + k - j] : 0) +
						    cur[(j - 1) * cols + k];
		t = prev, prev = cur, cur = t;
	}
	for (long k = 0; k <= u && k < (long)cols; k++)
		r += prev[nb * cols + k];
	free(prev < cur ? prev : cur);
	return r;
}

double fl_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb, double *u_out)
{
	size_t n = na + nb, i, j;
	double *all, ranksum = 0, ties = 0, u, p;
	int tied = 0;

	if (!na || !nb)
		return 1;
	all = malloc(n * sizeof(*all));

	if (!all)
		abort();
	memcpy(all, a, na * sizeof(*a));
	memcpy(all + na, b, nb * sizeof(*b));
	qsort(all, n, sizeof(*all), fl_cmp_double);
	/* midranks of a's values; tie groups for the variance correction */
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && all[j] == all[i]; j++)
			;
		if (j - i > 1) {
			double t = j - i;

			tied = 1;
			ties += t * t * t - t;
		}
		for (size_t k = 0; k < na; k++)
			if (a[k] == all[i])
				ranksum += (i + 1 + j) / 2.0;	/* mean of ranks i+1..j */
	}
	free(all);
	u = ranksum - na * (na + 1) / 2.0;
	if (u_out)
		*u_out = u;
	if (na < 50 && nb < 50 && !tied) {
		double total = 1, le, ge;

		for (i = 1; i <= na; i++)		/* C(n, na) */
			total = total * (nb + i) / i;
		le = fl_u_count_le(na, nb, (long)u) / total;
		/* U is symmetric about na*nb/2: P(U >= u) = P(U <= na*nb - u) */
		ge = fl_u_count_le(na, nb, (long)(na * nb - u)) / total;
		p = 2 * (le < ge ? le : ge);
	} else {
		double z = u - na * nb / 2.0;
		double sigma = sqrt(na * nb / 12.0 * ((n + 1) - ties / ((double)n * (n - 1))));

		if (sigma == 0)
			return 1;
		z = (z - (z > 0 ? 0.5 : z < 0 ? -0.5 : 0)) / sigma;
		p = erfc(fabs(z) / sqrt(2));		/* 2 * P(Z > |z|) */
	}
	return p > 1 ? 1 : p;
}

/* Indices sorted by their p-value (qsort has no context argument: a pair each). */
struct fl_pidx {
	double p;
	size_t i;
};

static int fl_cmp_pidx(const void *a, const void *b)
{
	const struct fl_pidx *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p ? 1 : x->i < y->i ? -1 : x->i > y->i;
}

void fl_holm(const double *p, size_t m, double *adj)
{
	struct fl_pidx *s = malloc((m ? m : 1) * sizeof(*s));
	size_t k = 0;
	double run = 0;

	if (!s)
		abort();
	for (size_t i = 0; i < m; i++)
		if (!isnan(p[i]))
			s[k++] = (struct fl_pidx){ p[i], i };
	qsort(s, k, sizeof(*s), fl_cmp_pidx);
	for (size_t i = 0; i < m; i++)
		if (isnan(p[i]))
			adj[i] = NAN;
	for (size_t r = 0; r < k; r++) {
		double v = (k - r) * s[r].p;

		/* step-down: never smaller than the adjusted value before it */
		run = v > run ? v : run;
		adj[s[r].i] = run > 1 ? 1 : run;
	}
	free(s);
}

size_t fl_tukey_outliers(const double *x, size_t n, double *lo_out, double *hi_out)
{
	double *s, lo, hi;
	size_t out = 0;

	if (!n)
		return 0;
	s = fl_sorted_copy(x, n);
	lo = fl_quantile_sorted(s, n, 0.25);
	hi = fl_quantile_sorted(s, n, 0.75);
	free(s);
	{
		double iqr = hi - lo;

		lo -= 1.5 * iqr;
		hi += 1.5 * iqr;
	}
	for (size_t i = 0; i < n; i++)
		out += x[i] < lo || x[i] > hi;
	if (lo_out)
		*lo_out = lo;
	if (hi_out)
		*hi_out = hi;
	return out;
}

uint64_t fl_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double fl_resampled_median(const double *x, size_t n, double *tmp, uint64_t *seed)
{
	for (size_t i = 0; i < n; i++)
		tmp[i] = x[fl_splitmix64(seed) % n];
	qsort(tmp, n, sizeof(*tmp), fl_cmp_double);
	return fl_quantile_sorted(tmp, n, 0.5);
}

void fl_median_change(const double *base, size_t nbase, const double *x, size_t nx,
		      unsigned int iterations, double level, uint64_t seed, struct fl_change *c)
{
	double *tmp = malloc((nbase > nx ? nbase : nx) * sizeof(*tmp));
	double *pct = malloc(iterations * sizeof(*pct));
	double mb = fl_median(base, nbase);

	if (!tmp || !pct)
		abort();
	c->pct = (fl_median(x, nx) / mb - 1) * 100;
	for (unsigned int i = 0; i < iterations; i++) {
		double b = fl_resampled_median(base, nbase, tmp, &seed);
		double v = fl_resampled_median(x, nx, tmp, &seed);

		pct[i] = (v / b - 1) * 100;
	}
	qsort(pct, iterations, sizeof(*pct), fl_cmp_double);
	c->lo = fl_quantile_sorted(pct, iterations, (1 - level) / 2);
	c->hi = fl_quantile_sorted(pct, iterations, 1 - (1 - level) / 2);
	free(pct);
	free(tmp);
}

const char *fl_significance(double p)
{
	return p < 0.01 ? "**" : p < 0.05 ? "*" : "";
}
