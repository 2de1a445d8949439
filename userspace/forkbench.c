// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench: fork latency of a large mapping in each forklab mode (and, on
 * arm64, contpte policy), variants interleaved round by round (order
 * shuffled per round) so that drift hits every variant alike.  Prints per
 * variant n, min, median, mean, stddev, max, the median's change against the
 * first variant and, under a contpte policy, the ranged TLB invalidations per
 * fork the module counted (in the fork, and in the child's teardown);
 * --csv for a machine format.
 * --fresh maps and populates a new area before every fork, so each fork is
 * the first one of its memory (the one that write-protects the parent).
 * usage: forkbench [--mib N] [--layout order0|thp-pte|thp-pmd|mthp-64k]
 *                  [--rounds R] [--warmup W] [--modes a,b,...]
 *                  [--contpte p,q,...] [--fresh] [--csv]
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
#define MAX_VARIANTS	16

static const char *const mode_names[] = {
#define FB_NAME(id, val, name, desc) [val] = name,
	FORKLAB_MODE_LIST(FB_NAME)
#undef FB_NAME
};
static const char *const policy_names[] = {
#define FB_NAME(id, val, name, desc) [val] = name,
	FORKLAB_CONTPTE_POLICY_LIST(FB_NAME)
#undef FB_NAME
};

/* One thing to measure: a copy mode under a contpte policy. */
struct variant {
	unsigned int mode, policy;
	char name[32];
	double *ns;			/* one sample per round */
	double inval_fork, inval_teardown;	/* module-counted, summed over rounds */
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
static unsigned char *populate(size_t len, const char *layout, unsigned char **raw_out)
{
	const char *mthp = "/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled";
	const char *pmd = "/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled";
	unsigned char *raw, *p;
	int advice = MADV_NOHUGEPAGE;

	raw = mmap(NULL, len + PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die("cannot map the area: %s", strerror(errno));
	*raw_out = raw;
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

/* The module's ranged invalidations under @policy so far: in fork, in teardown. */
static void invalidations(int dev, unsigned int policy, double *fork, double *teardown)
{
	struct forklab_stats st = { .size = sizeof(st), .contpte_policy = policy };

	*fork = *teardown = 0;
	if (policy == FORKLAB_CONTPTE_KERNEL || ioctl(dev, FORKLAB_IOC_GET_STATS, &st))
		return;
	*fork = st.contpte[FORKLAB_CONTPTE_WRPROTECT].invalidations +
		st.contpte[FORKLAB_CONTPTE_SET].invalidations;
	*teardown = st.contpte[FORKLAB_CONTPTE_CLEAR].invalidations;
}

static unsigned int lookup(const char *name, const char *const *names, unsigned int n,
			   const char *what)
{
	unsigned int i;

	for (i = 0; i < n && strcmp(name, names[i]); i++)
		;
	if (i == n) {
		fprintf(stderr, "forkbench: unknown %s '%s'\n", what, name);
		exit(2);
	}
	return i;
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
	const char *policies_arg = "kernel";
	unsigned int modes[MAX_VARIANTS], policies[MAX_VARIANTS], nmodes = 0, npolicies = 0, nv = 0;
	struct variant v[MAX_VARIANTS];
	double median[MAX_VARIANTS];
	int csv = 0, fresh = 0, dev, i;
	char *list, *tok, *end;
	unsigned char *p, *raw = NULL;
	size_t len;

	for (i = 1; i < argc; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--csv")) {
			csv = 1;
			continue;
		}
		if (!strcmp(argv[i], "--fresh")) {
			fresh = 1;
			continue;
		}
		if (!val)
			die("%s needs a value (see the usage at the top of forkbench.c)", argv[i]);
		if (!strcmp(argv[i], "--mib"))
			mib = strtoul(val, &end, 10);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = strtoul(val, &end, 10);
		else if (!strcmp(argv[i], "--warmup"))
			warmup = strtoul(val, &end, 10);
		else if (!strcmp(argv[i], "--layout"))
			layout = val, end = "";
		else if (!strcmp(argv[i], "--modes"))
			modes_arg = val, end = "";
		else if (!strcmp(argv[i], "--contpte"))
			policies_arg = val, end = "";
		else
			die("unknown option '%s'", argv[i]);
		if (*end)
			die("'%s' is not a number", val);
		i++;
	}
	if (!mib || mib > 65536 || !rounds || rounds > 10000 || warmup > 100)
		die("%s", "--mib must be 1..65536, --rounds 1..10000, --warmup 0..100");
	if (strcmp(layout, "order0") && strcmp(layout, "thp-pte") && strcmp(layout, "thp-pmd") &&
	    strcmp(layout, "mthp-64k"))
		die("unknown layout '%s' (order0, thp-pte, thp-pmd, mthp-64k)", layout);
	list = strdup(modes_arg);
	for (tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
		if (nmodes < MAX_VARIANTS)
			modes[nmodes++] = lookup(tok, mode_names, FORKLAB_MODE_COUNT, "mode");
	list = strdup(policies_arg);
	for (tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
		if (npolicies < MAX_VARIANTS)
			policies[npolicies++] = lookup(tok, policy_names, FORKLAB_CONTPTE_POLICY_COUNT,
						       "contpte policy");
	if (!nmodes || !npolicies || nmodes * npolicies > MAX_VARIANTS)
		die("%s", "give 1 to 16 variants (modes times contpte policies)");
	for (unsigned int m = 0; m < nmodes; m++)
		for (unsigned int q = 0; q < npolicies; q++) {
			struct variant *x = &v[nv++];

			memset(x, 0, sizeof(*x));
			x->mode = modes[m];
			x->policy = policies[q];
			if (npolicies > 1 || policies[q] != FORKLAB_CONTPTE_KERNEL)
				snprintf(x->name, sizeof(x->name), "%s/%s", mode_names[x->mode],
					 policy_names[x->policy]);
			else
				snprintf(x->name, sizeof(x->name), "%s", mode_names[x->mode]);
			x->ns = calloc(rounds, sizeof(double));
		}
	dev = open(FORKLAB_DEVICE, O_RDWR);
	if (dev < 0)
		die("cannot open " FORKLAB_DEVICE " (%s): load forklab, run as root", strerror(errno));

	len = mib << 20;
	p = populate(len, layout, &raw);
	srand(42);
	for (unsigned long r = 0; r < warmup + rounds; r++) {
		unsigned int order[MAX_VARIANTS];

		for (unsigned int k = 0; k < nv; k++)
			order[k] = k;
		for (unsigned int k = nv - 1; k > 0; k--) {	/* Fisher-Yates */
			unsigned int j = rand() % (k + 1), t = order[k];

			order[k] = order[j];
			order[j] = t;
		}
		for (unsigned int k = 0; k < nv; k++) {
			struct variant *x = &v[order[k]];
			struct forklab_config c = { .size = sizeof(c), .mode = x->mode,
						    .contpte_policy = x->policy,
						    .flags = FORKLAB_CONFIG_SET_MODE |
							     FORKLAB_CONFIG_SET_CONTPTE };
			double f0, t0, f1, t1, ns;

			if (fresh) {
				/* the old area goes under the kernel's own helpers: its
				 * teardown is not this variant's */
				struct forklab_config k = { .size = sizeof(k),
							    .mode = FORKLAB_MODE_STOCK,
							    .flags = FORKLAB_CONFIG_SET_MODE |
								     FORKLAB_CONFIG_SET_CONTPTE };

				ioctl(dev, FORKLAB_IOC_SET_CONFIG, &k);
				munmap(raw, len + PMD_SIZE);
				p = populate(len, layout, &raw);
			}
			if (ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c))
				die("setting a mode and contpte policy failed: %s (contpte policies "
				    "other than kernel need arm64)", strerror(errno));
			invalidations(dev, x->policy, &f0, &t0);
			ns = fork_ns();
			invalidations(dev, x->policy, &f1, &t1);
			if (r >= warmup) {
				x->ns[r - warmup] = ns;
				x->inval_fork += f1 - f0;
				x->inval_teardown += t1 - t0;
			}
		}
		if (!csv)
			fprintf(stderr, "\rround %lu of %lu", r + 1, warmup + rounds);
	}
	if (!csv)
		fprintf(stderr, "\n");
	(void)p;

	if (csv)
		printf("layout,mib,variant,n,min_ms,median_ms,mean_ms,stddev_ms,max_ms,median_change_pct,"
		       "inval_fork,inval_teardown\n");
	else
		printf("fork of %lu MiB, layout %s, %lu rounds (+%lu warm-up)%s, variants interleaved\n"
		       "%-16s %4s %10s %10s %10s %10s %10s %9s %11s %11s\n", mib, layout, rounds, warmup,
		       fresh ? ", fresh area per fork" : "", "variant", "n", "min ms", "median ms",
		       "mean ms", "stddev", "max ms", "vs first", "inval/fork", "inval/exit");
	for (unsigned int k = 0; k < nv; k++) {
		double *s = v[k].ns, sum = 0, sq = 0, mean, sd;
		double fork_inv = v[k].inval_fork / rounds, exit_inv = v[k].inval_teardown / rounds;
		char fi[24] = "-", ti[24] = "-";

		qsort(s, rounds, sizeof(double), cmp_double);
		for (unsigned long i2 = 0; i2 < rounds; i2++)
			sum += s[i2];
		mean = sum / rounds;
		for (unsigned long i2 = 0; i2 < rounds; i2++)
			sq += (s[i2] - mean) * (s[i2] - mean);
		sd = rounds > 1 ? sqrt(sq / (rounds - 1)) : 0;
		median[k] = rounds % 2 ? s[rounds / 2] : (s[rounds / 2 - 1] + s[rounds / 2]) / 2;
		/* the module counts only under its own policies */
		if (v[k].policy != FORKLAB_CONTPTE_KERNEL) {
			snprintf(fi, sizeof(fi), "%.1f", fork_inv);
			snprintf(ti, sizeof(ti), "%.1f", exit_inv);
		}
		if (csv)
			printf("%s,%lu,%s,%lu,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f,%s,%s\n", layout, mib,
			       v[k].name, rounds, s[0] / 1e6, median[k] / 1e6, mean / 1e6, sd / 1e6,
			       s[rounds - 1] / 1e6, (median[k] / median[0] - 1) * 100,
			       *fi == '-' ? "" : fi, *ti == '-' ? "" : ti);
		else
			printf("%-16s %4lu %10.3f %10.3f %10.3f %10.3f %10.3f %+8.1f%% %11s %11s\n",
			       v[k].name, rounds, s[0] / 1e6, median[k] / 1e6, mean / 1e6, sd / 1e6,
			       s[rounds - 1] / 1e6, (median[k] / median[0] - 1) * 100, fi, ti);
	}
	{
		struct forklab_config c = { .size = sizeof(c), .mode = FORKLAB_MODE_STOCK,
					    .flags = FORKLAB_CONFIG_SET_MODE | FORKLAB_CONFIG_SET_CONTPTE };
		ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c);
	}
	return 0;
}
