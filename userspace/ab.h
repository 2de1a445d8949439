/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 'forklab ab': the A/B experiment's plan and results, shared by the
 * driver (cmd_ab.c), its bpftrace side (ab_bpftrace.c) and the report
 * writer (ab_report.c).
 */
#ifndef FL_AB_H
#define FL_AB_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include "abstat.h"
#include "cli.h"

#define AB_MAX_UNITS	96
#define AB_MAX_CASES	8
#define AB_MAX_MAPS	8
/* The command-name prefix of every benchmark run (scope and bpftrace key). */
#define AB_TAG_PREFIX	"flab-ab"

/* What the module counted (struct forklab_stats, the fields the driver reports). */
struct ab_counters {
	double calls, ptes, runs, large_ptes;
	double inval_fork, inval_exit;	/* contpte: write-protect + set, clear */
};

/* One thing measured: a case (a --vary value) under a mode and contpte policy. */
struct ab_unit {
	char tag[16];			/* AB_TAG_PREFIX and its index: its runs' comm */
	unsigned int kase;		/* index into ab.cases */
	unsigned int mode, policy;
	char variant[40];		/* "batched", or "batched/unfold" with policies */
	double *samples;		/* the benchmark's value, one per counted round */
	size_t n;
	double forks, forks_all;	/* forks of the counted runs, of all runs */
	struct ab_counters module;	/* summed over the counted runs (redirected forks only) */
	double bt[AB_MAX_MAPS];		/* bpftrace map totals over all runs */
	/* results */
	bool baseline;
	struct fl_summary sum;
	struct fl_change change;
	double p;
};

struct ab {
	/* plan */
	const char *bench;		/* latency, fork-exit, mprotect */
	char **bench_args;		/* its arguments */
	int nbench_args;
	const char *vary_opt;		/* e.g. "--layout", or NULL */
	const char *cases[AB_MAX_CASES];
	unsigned int ncases;
	unsigned int rounds, warmup;
	unsigned long seed;
	const char *out;		/* result folder */
	const char *bpftrace;		/* script, or NULL */
	struct ab_unit units[AB_MAX_UNITS];
	unsigned int nunits;
	/* what ran */
	char release[65], machine[65], module_version[32];
	char unit[24], better[8];	/* of the benchmark's value */
	char bt_maps[AB_MAX_MAPS][32];
	unsigned int nbt_maps;
	time_t started;
	double seconds;
	char cmdline[1024];
};

/* The signal that stopped the experiment, or 0 (SIGINT, SIGTERM, SIGHUP, SIGQUIT). */
extern volatile sig_atomic_t ab_interrupted;

/* bpftrace for the whole experiment: started before the first run, read at the end. */
struct ab_bpftrace;
int ab_bpftrace_start(struct fl_cli *cli, struct ab *ab, struct ab_bpftrace **bt);
int ab_bpftrace_finish(struct fl_cli *cli, struct ab *ab, struct ab_bpftrace *bt);
void ab_bpftrace_abort(struct ab_bpftrace *bt);

/* Statistics per unit against its case's baseline; files in ab->out; the table on cli->out. */
int ab_report(struct fl_cli *cli, struct ab *ab);

/* Fills @buf with a path under the result folder. */
void ab_path(const struct ab *ab, const char *name, char *buf, size_t len);

#endif
