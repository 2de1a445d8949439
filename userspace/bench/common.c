// SPDX-License-Identifier: GPL-2.0
/*
 * What every benchmark of forklab-bench shares: its options (--json, --tag,
 * --hold and its own), sizes, the clock, and dying with a message and the
 * documented exit code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"

static const char *bench_cmd = "forklab-bench";

void bench_die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", bench_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

double bench_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* "1G", "512M", "64K" or bytes; false on anything else or overflow. */
static bool bench_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	errno = 0;
	if (*s < '0' || *s > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end || v > (~0ULL >> shift))
		return false;
	*out = (size_t)(v << shift);
	return true;
}

static void bench_usage_of(const char *cmd, const struct bench_opt *opts, FILE *f)
{
	fprintf(f, "usage: forklab-bench %s [options]\n", cmd);
	for (const struct bench_opt *o = opts; o->name; o++)
		fprintf(f, "  %-14s %s\n", o->name, o->help);
	fprintf(f, "  %-14s %s\n  %-14s %s\n  %-14s %s\n", "--json", "one JSON line instead of the summary",
		"--tag NAME", "run under this command name (at most 15 characters; tracing)",
		"--hold", "after the result, wait until standard input closes, then exit");
}

void bench_parse(const char *cmd, const struct bench_opt *opts, int argc, char **argv,
		 struct bench_common *common)
{
	static char name[64];

	snprintf(name, sizeof(name), "forklab-bench %s", cmd);
	bench_cmd = name;
	common->json = false;
	common->tag = NULL;
	common->hold = false;
	for (int i = 1; i < argc; i++) {
		const struct bench_opt *o;
		const char *val;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			bench_usage_of(cmd, opts, stdout);
			exit(0);
		}
		if (!strcmp(argv[i], "--json")) {
			common->json = true;
			continue;
		}
		if (!strcmp(argv[i], "--hold")) {
			common->hold = true;
			continue;
		}
		if (!strcmp(argv[i], "--tag")) {
			if (i + 1 == argc || !*argv[i + 1] || strlen(argv[i + 1]) > 15)
				bench_die(2, "--tag needs a name of 1 to 15 characters");
			common->tag = argv[++i];
			continue;
		}
		for (o = opts; o->name && strcmp(o->name, argv[i]); o++)
			;
		if (!o->name)
			bench_die(2, "unknown option '%s' (see forklab-bench %s --help)", argv[i], cmd);
		if (o->type == BENCH_FLAG) {
			*(bool *)o->val = true;
			continue;
		}
		if (i + 1 == argc)
			bench_die(2, "%s needs a value: %s", o->name, o->help);
		val = argv[++i];
		switch (o->type) {
		case BENCH_SIZE: {
			size_t v;

			if (!bench_parse_size(val, &v) || v < o->min || v > o->max || v % BENCH_PMD)
				bench_die(2, "%s '%s': give a multiple of 2M from %luM to %luG (e.g. 512M, 1G)",
					  o->name, val, o->min >> 20, o->max >> 30);
			*(size_t *)o->val = v;
			break;
		}
		case BENCH_UINT: {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(val, &end, 10);
			if (*val < '0' || *val > '9' || *end || errno || v < o->min || v > o->max)
				bench_die(2, "%s '%s': give a whole number from %lu to %lu", o->name, val,
					  o->min, o->max);
			*(unsigned long *)o->val = v;
			break;
		}
		case BENCH_STRING:
			*(const char **)o->val = val;
			break;
		case BENCH_FLAG:
			break;
		}
	}
	if (common->tag && prctl(PR_SET_NAME, common->tag))
		bench_die(1, "cannot set the command name to '%s': %s", common->tag, strerror(errno));
}

void bench_hold(const struct bench_common *common)
{
	char buf[64];

	fflush(stdout);
	if (!common->hold)
		return;
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	/* what follows (our teardown) is no longer the run's: off the tag */
	prctl(PR_SET_NAME, "flab-done");
}
