/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 'forklab ab': the A/B experiment's plan, where it ran and its results,
 * shared by every file of this folder.  Who calls whom (no file needs one
 * that needs it back):
 *   ab_cmd.c -> ab_plan.c, ab_run.c, ab_report.c, ab_compare.c, ab_env.c, ab_load.c
 *   ab_run.c -> ab_bpftrace.c, ab_units.c
 *   ab_report.c -> ab_stats.c, ab_env.c, ab_plot.c
 *   ab_compare.c -> ab_load.c, ab_plot.c, ab_env.c
 *   ab_plot.c -> ab_env.c
 *   everyone -> ab_core.c (which needs none of them), ../lib/
 */
#ifndef FL_AB_H
#define FL_AB_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include "lib/abstat.h"
#include "lib/cli.h"

#define AB_MAX_UNITS	96
#define AB_MAX_CASES	8
#define AB_MAX_MAPS	8
#define AB_MAX_FOLDERS	8
/* The command-name prefix of every benchmark run (scope and bpftrace key). */
#define AB_TAG_PREFIX	"flab-ab"
#define AB_BOOTSTRAP	4000
#define AB_LEVEL	0.95
#define AB_ALPHA	0.05

/* What the module counted (struct forklab_stats, the fields the driver reports). */
struct ab_counters {
	double calls, ptes, runs, large_ptes;
	double run_hist[FORKLAB_RUN_BUCKETS];	/* runs of 1, 2-3, 4-7, ... 512 PTEs */
	double inval_fork, inval_exit;	/* contpte: write-protect + set, clear */
};

/* One thing measured: a case (a --vary value) under a mode and contpte policy. */
struct ab_unit {
	char tag[16];			/* AB_TAG_PREFIX and its index: its runs' comm */
	unsigned int kase;		/* index into ab.cases */
	unsigned int mode, policy;
	char variant[40];		/* "batched", or "batched/unfold" with policies */
	double *samples;		/* in ab.unit (converted), one per counted round */
	size_t n;
	double forks, forks_all;	/* forks of the counted runs, of all runs; NAN: unknown */
	struct ab_counters module;	/* summed over the counted runs (redirected forks only) */
	double bt[AB_MAX_MAPS];		/* bpftrace map totals over all runs */
	/* results (ab_stats.c) */
	bool baseline;
	struct fl_summary sum;
	struct fl_change change;
	double p, p_holm;		/* Mann-Whitney; Holm-adjusted within the case */
	unsigned int outliers;		/* samples beyond Tukey's fences */
};

/* Where an experiment ran (ab_env.c); every report carries it. */
struct ab_env {
	char cpu[128];			/* model name, or arm64 implementer/part */
	char platform[80];		/* bare metal, KVM, VM (...), TCG, TCG-icount */
	unsigned int vcpus;
	unsigned long long mem_kib;
	char release[65], arch[65];
	char cmdline[512];
	char thp[160];			/* enabled, defrag, shmem_enabled */
	char mthp[256];			/* per size: "64kB=never 128kB=never ..." */
	char forklab_git[64];		/* git describe, baked in at build time */
	char clock[8];			/* "icount" or "time" */
	char clock_source[24];		/* "forklab.clock=icount", "--clock", "default" */
};

struct ab {
	/* plan */
	const char *bench;		/* latency, fork-exit, mprotect, or "command" */
	char **bench_args;		/* its arguments, or the command and its arguments */
	int nbench_args;
	bool command;			/* -- CMD ARGS: the user's command is the benchmark */
	const char *vary_opt;		/* e.g. "--layout", or NULL */
	const char *cases[AB_MAX_CASES];
	unsigned int ncases;
	unsigned int rounds, warmup;
	unsigned long seed;
	const char *out;		/* result folder */
	const char *bpftrace;		/* script, or NULL */
	const char *clock_arg;		/* --clock: auto, icount, time */
	struct ab_unit units[AB_MAX_UNITS];
	unsigned int nunits;
	/* what ran */
	char release[65], machine[65], module_version[32];
	char bench_unit[24];		/* as the benchmark printed it (us/fork, forks/s, ns/call, s) */
	char unit[24], better[8];	/* of the values reported (ab_units.c) */
	char bt_maps[AB_MAX_MAPS][32];
	unsigned int nbt_maps;
	time_t started;
	double seconds;
	char cmdline[1024];
	struct ab_env env;
	char cgroup[256];		/* -- CMD: the runs' cgroup directory */
	void *loaded;			/* ab_load.c: the parsed results.json the strings point into */
};

/* ab_core.c: the signal that stopped the experiment, or 0 (SIGINT, SIGTERM, SIGHUP, SIGQUIT). */
extern volatile sig_atomic_t ab_interrupted;
/* ab_core.c: a path under the result folder. */
void ab_path(const struct ab *ab, const char *name, char *buf, size_t len);
double ab_now(void);
/* Creates a file of the result folder; reports the failure itself (NULL). */
FILE *ab_create(struct fl_cli *cli, const struct ab *ab, const char *name);
const struct ab_unit *ab_base(const struct ab *ab, unsigned int kase);
const char *ab_case_name(const struct ab *ab, unsigned int kase);
/* A figure with @sig significant digits, no exponent ("15.06", "4446", "0.0123"); "-" if not finite. */
const char *ab_sig(char *buf, size_t len, double v, int sig);
/* "1:4096 256-511:8": the non-empty buckets of a run-length histogram, per fork (÷ @per). */
void ab_hist_text(char *buf, size_t len, const double *hist, double per);

/* ab_plan.c: the command line and the variants. */
int ab_parse_args(struct fl_cli *cli, struct ab *ab, int argc, char **argv, const char **modes_arg,
		  const char **policies_arg, const char **baseline, char **vary);
int ab_plan(struct fl_cli *cli, struct ab *ab, const struct forklab_version *v, const char *modes_arg,
	    const char *policies_arg, const char *baseline);

/* ab_run.c: runs the plan with the module (scope, bpftrace, restore). */
int ab_execute(struct fl_cli *cli, struct fl_dev *dev, struct ab *ab);

/* ab_units.c: the reported unit for the benchmark's and the clock; converts one value. */
int ab_units_set(struct ab *ab, const char *bench_unit, const char *bench_better);
double ab_units_convert(const struct ab *ab, double raw);

/* ab_bpftrace.c: bpftrace for the whole experiment: started before the first run, read at the end. */
struct ab_bpftrace;
int ab_bpftrace_start(struct fl_cli *cli, struct ab *ab, struct ab_bpftrace **bt);
int ab_bpftrace_finish(struct fl_cli *cli, struct ab *ab, struct ab_bpftrace *bt);
void ab_bpftrace_abort(struct ab_bpftrace *bt);

/* ab_env.c: where it runs (files under @root, "" for the machine itself; tests give a fake tree). */
void ab_env_detect(const char *root, const char *clock_arg, struct ab_env *env);
/* The environment as markdown bullets, or as the "environment" object of results.json. */
void ab_env_write_md(const struct ab_env *env, const char *command, FILE *f);
void ab_env_write_json(const struct ab_env *env, struct fl_json *j);
/* One line for plot titles and tables: "6.1.0-56-amd64, TCG-icount, 1 vCPU, QEMU TCG CPU, forklab v1-3-gabc". */
void ab_env_line(const struct ab_env *env, char *buf, size_t len);

/* ab_stats.c: summaries, changes against the baseline, Holm within each case, Tukey outliers. */
void ab_compute(struct ab *ab);
/* One line: what changed significantly and by how much (or that nothing did). */
void ab_summary_line(const struct ab *ab, char *buf, size_t len);

/* ab_report.c: statistics, then files in ab->out and the table on cli->out. */
int ab_report(struct fl_cli *cli, struct ab *ab);

/* ab_plot.c: plot.gp (a forest plot of the changes; invalidations per fork on arm64), drawn by gnuplot. */
void ab_plot_write(const struct ab *ab, FILE *f);
bool ab_plot_draw(const char *dir);
/* A comparison of result folders (ab_compare.c): one row per case and variant they share. */
struct ab_cmp_row {
	char kase[40], variant[40];
	int unit[AB_MAX_FOLDERS];	/* index into each folder's units */
	struct fl_change change[AB_MAX_FOLDERS];	/* against folder 0's */
	double p[AB_MAX_FOLDERS], p_holm[AB_MAX_FOLDERS];
};
struct ab_cmp {
	struct ab *folders[AB_MAX_FOLDERS];
	const char *dirs[AB_MAX_FOLDERS];
	unsigned int nfolders;
	struct ab_cmp_row rows[AB_MAX_UNITS];
	unsigned int nrows;
	const char *out;
};
/* Forest plot of folders 1.. against folder 0, per case and variant (compare). */
void ab_plot_write_compare(const struct ab_cmp *cmp, FILE *f);

/* ab_load.c: a result folder's results.json back into a struct ab (with jansson). */
int ab_load(struct fl_cli *cli, const char *dir, struct ab *ab);
void ab_free(struct ab *ab);

/* ab_compare.c: 'forklab ab compare DIR_A DIR_B [...]'. */
int ab_compare_main(struct fl_cli *cli, int argc, char **argv);

#endif
