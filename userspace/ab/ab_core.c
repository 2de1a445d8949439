// SPDX-License-Identifier: GPL-2.0
/*
 * What every part of 'forklab ab' uses: the interrupt flag, paths and files
 * in the result folder, the baseline of a case and how figures are written.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "ab.h"

volatile sig_atomic_t ab_interrupted;

void ab_path(const struct ab *ab, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", ab->out, name);
}

double ab_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

FILE *ab_create(struct fl_cli *cli, const struct ab *ab, const char *name)
{
	char path[4096];
	FILE *f;

	ab_path(ab, name, path, sizeof(path));
	f = fopen(path, "w");
	if (!f)
		fl_fail(cli, FL_EXIT_FAILED, "cannot write %s: %s", path, strerror(errno));
	return f;
}

const struct ab_unit *ab_base(const struct ab *ab, unsigned int kase)
{
	for (unsigned int k = 0; k < ab->nunits; k++)
		if (ab->units[k].kase == kase && ab->units[k].baseline)
			return &ab->units[k];
	return NULL;
}

const char *ab_case_name(const struct ab *ab, unsigned int kase)
{
	return ab->vary_opt && *ab->vary_opt ? ab->cases[kase] : "-";
}

/*
 * People quote what they read: 3-4 significant digits say what the noise
 * allows ("15055" claims five), and no exponent so that a column scans.
 */
const char *ab_sig(char *buf, size_t len, double v, int sig)
{
	double a = fabs(v);
	int decimals;

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	decimals = a == 0 ? 0 : sig - 1 - (int)floor(log10(a));
	if (decimals < 0)
		decimals = 0;
	snprintf(buf, len, "%.*f", decimals, v);
	return buf;
}

void ab_hist_text(char *buf, size_t len, const double *hist, double per)
{
	size_t used = 0;

	*buf = 0;
	for (unsigned int b = 0; b < FORKLAB_RUN_BUCKETS && used < len; b++) {
		unsigned int lo = 1U << b, hi = (2U << b) - 1;
		char lab[16], v[24];

		if (!(hist[b] > 0) || !(per > 0))
			continue;
		if (b == FORKLAB_RUN_BUCKETS - 1 || lo == hi)
			snprintf(lab, sizeof(lab), "%u", lo);
		else
			snprintf(lab, sizeof(lab), "%u-%u", lo, hi);
		used += snprintf(buf + used, len - used, "%s%s:%s", used ? " " : "", lab,
				 ab_sig(v, sizeof(v), hist[b] / per, 3));
	}
	if (!*buf)
		snprintf(buf, len, "-");
}
