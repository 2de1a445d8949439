// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench: fork latency of a large mapping in each forklab mode, modes
 * interleaved round by round (order shuffled per round) so that drift hits
 * every mode alike.  Prints per mode n, min, median, mean, stddev, max and
 * the median's change against the first mode; --csv for a machine format.
 * usage: forkbench [--mib N] [--layout order0|thp-pte|thp-pmd|mthp-64k]
 *                  [--rounds R] [--warmup W] [--modes a,b,...] [--csv]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "uapi/forklab.h"

#define PAGE		4096UL
#define PMD_SIZE	(2UL << 20)
#define MAX_MODES	8

static const char *const mode_names[] = {
#define FB_NAME(id, val, name, desc) [val] = name,
	FORKLAB_MODE_LIST(FB_NAME)
#undef FB_NAME
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "forkbench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return 0;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

/* Maps and populates @len bytes with the folio layout asked for. */
static unsigned char *populate(size_t len, const char *layout)
{
	const char *mthp = "/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled";
	const char *pmd = "/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled";
	unsigned char *raw, *p;
	int advice = MADV_NOHUGEPAGE;

	raw = mmap(NULL, len + PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die("cannot map the area: %s", strerror(errno));
	p = (unsigned char *)(((uintptr_t)raw + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
	if (!strcmp(layout, "thp-pmd") || !strcmp(layout, "thp-pte"))
		advice = MADV_HUGEPAGE;
	else if (!strcmp(layout, "mthp-64k") && (!write_file(mthp, "always") || !write_file(pmd, "never")))
		die("layout mthp-64k needs %s (Linux 6.8+)", mthp);
	/* MADV_NOHUGEPAGE would turn mTHP off too */
	if (strcmp(layout, "mthp-64k"))
		madvise(p, len, advice);
	for (size_t off = 0; off < len; off += PAGE)
		p[off] = (unsigned char)off;
	if (!strcmp(layout, "mthp-64k")) {
		/* back to the defaults */
		write_file(mthp, "never");
		write_file(pmd, "inherit");
	}
	if (!strcmp(layout, "thp-pte"))
		/* split each PMD mapping, keep the folio */
		for (size_t off = 0; off < len; off += PMD_SIZE)
			if (mprotect(p + off, PAGE, PROT_READ) || mprotect(p + off, PAGE, PROT_READ | PROT_WRITE))
				die("mprotect failed: %s", strerror(errno));
	/* the layout must hold for the whole run: no khugepaged collapse */
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

static double fork_ns(void)
{
	struct timespec a, b;
	int status;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0)
		_exit(0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (pid < 0)
		die("fork failed: %s", strerror(errno));
	waitpid(pid, &status, 0);
	return (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned long mib = 1024, rounds = 15, warmup = 2;
	const char *layout = "order0", *modes_arg = "stock,passthrough,perpte,batched";
	unsigned int modes[MAX_MODES], nmodes = 0;
	double *samples[MAX_MODES], median[MAX_MODES];
	int csv = 0, dev, i;
	char *list, *tok, *end;
	unsigned char *p;

	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--csv")) {
			csv = 1;
			continue;
		}
		if (!v)
			die("%s needs a value (see the usage at the top of forkbench.c)", argv[i]);
		if (!strcmp(argv[i], "--mib"))
			mib = strtoul(v, &end, 10);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = strtoul(v, &end, 10);
		else if (!strcmp(argv[i], "--warmup"))
			warmup = strtoul(v, &end, 10);
		else if (!strcmp(argv[i], "--layout"))
			layout = v, end = "";
		else if (!strcmp(argv[i], "--modes"))
			modes_arg = v, end = "";
		else
			die("unknown option '%s'", argv[i]);
		if (*end)
			die("'%s' is not a number", v);
		i++;
	}
	if (!mib || mib > 65536 || !rounds || rounds > 10000 || warmup > 100)
		die("%s", "--mib must be 1..65536, --rounds 1..10000, --warmup 0..100");
	if (strcmp(layout, "order0") && strcmp(layout, "thp-pte") && strcmp(layout, "thp-pmd") &&
	    strcmp(layout, "mthp-64k"))
		die("unknown layout '%s' (order0, thp-pte, thp-pmd, mthp-64k)", layout);
	list = strdup(modes_arg);
	for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		unsigned int m;

		for (m = 0; m < FORKLAB_MODE_COUNT && strcmp(tok, mode_names[m]); m++)
			;
		if (m == FORKLAB_MODE_COUNT)
			die("unknown mode '%s'", tok);
		if (nmodes == MAX_MODES)
			die("%s", "too many modes");
		modes[nmodes++] = m;
	}
	dev = open(FORKLAB_DEVICE, O_RDWR);
	if (dev < 0)
		die("cannot open " FORKLAB_DEVICE " (%s): load forklab, run as root", strerror(errno));

	p = populate(mib << 20, layout);
	(void)p;
	for (unsigned int m = 0; m < nmodes; m++)
		samples[m] = calloc(rounds, sizeof(double));
	srand(42);
	for (unsigned long r = 0; r < warmup + rounds; r++) {
		unsigned int order[MAX_MODES];

		for (unsigned int m = 0; m < nmodes; m++)
			order[m] = m;
		for (unsigned int m = nmodes - 1; m > 0; m--) {	/* Fisher-Yates */
			unsigned int j = rand() % (m + 1), t = order[m];

			order[m] = order[j];
			order[j] = t;
		}
		for (unsigned int k = 0; k < nmodes; k++) {
			struct forklab_config c = { .size = sizeof(c), .flags = FORKLAB_CONFIG_SET_MODE,
						    .mode = modes[order[k]] };
			double ns;

			if (ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c))
				die("setting a mode failed: %s", strerror(errno));
			ns = fork_ns();
			if (r >= warmup)
				samples[order[k]][r - warmup] = ns;
		}
		if (!csv)
			fprintf(stderr, "\rround %lu of %lu", r + 1, warmup + rounds);
	}
	if (!csv)
		fprintf(stderr, "\n");

	if (csv)
		printf("layout,mib,mode,n,min_ms,median_ms,mean_ms,stddev_ms,max_ms,median_change_pct\n");
	else
		printf("fork of %lu MiB, layout %s, %lu rounds (+%lu warm-up), modes interleaved\n"
		       "%-12s %4s %10s %10s %10s %10s %10s %9s\n", mib, layout, rounds, warmup,
		       "mode", "n", "min ms", "median ms", "mean ms", "stddev", "max ms", "vs first");
	for (unsigned int m = 0; m < nmodes; m++) {
		double *s = samples[m], sum = 0, sq = 0, mean, sd;

		qsort(s, rounds, sizeof(double), cmp_double);
		for (unsigned long i2 = 0; i2 < rounds; i2++)
			sum += s[i2];
		mean = sum / rounds;
		for (unsigned long i2 = 0; i2 < rounds; i2++)
			sq += (s[i2] - mean) * (s[i2] - mean);
		sd = rounds > 1 ? sqrt(sq / (rounds - 1)) : 0;
		median[m] = rounds % 2 ? s[rounds / 2] : (s[rounds / 2 - 1] + s[rounds / 2]) / 2;
		if (csv)
			printf("%s,%lu,%s,%lu,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f\n", layout, mib,
			       mode_names[modes[m]], rounds, s[0] / 1e6, median[m] / 1e6, mean / 1e6,
			       sd / 1e6, s[rounds - 1] / 1e6, (median[m] / median[0] - 1) * 100);
		else
			printf("%-12s %4lu %10.3f %10.3f %10.3f %10.3f %10.3f %+8.1f%%\n",
			       mode_names[modes[m]], rounds, s[0] / 1e6, median[m] / 1e6, mean / 1e6,
			       sd / 1e6, s[rounds - 1] / 1e6, (median[m] / median[0] - 1) * 100);
	}
	{
		struct forklab_config c = { .size = sizeof(c), .flags = FORKLAB_CONFIG_SET_MODE,
					    .mode = FORKLAB_MODE_STOCK };
		ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c);
	}
	return 0;
}
