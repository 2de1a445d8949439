// SPDX-License-Identifier: GPL-2.0
/*
 * The A/B experiment's results: per variant a summary of its samples, the
 * change of its median against the case's baseline with a 95% bootstrap
 * interval and the Mann-Whitney p-value, and what the copy path did per
 * fork.  Written as results.json (everything, samples included),
 * results.csv (one row per variant), samples.csv (one row per sample),
 * report.md (for people) and plot.gp, a gnuplot script of the
 * distributions that gnuplot turns into plot.svg when it is installed.
 * The table also goes to the terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ab.h"

extern char **environ;

#define AB_BOOTSTRAP	4000
#define AB_LEVEL	0.95

static const struct ab_unit *ab_base(const struct ab *ab, unsigned int kase)
{
	for (unsigned int k = 0; k < ab->nunits; k++)
		if (ab->units[k].kase == kase && ab->units[k].baseline)
			return &ab->units[k];
	return NULL;
}

static void ab_compute(struct ab *ab)
{
	for (unsigned int k = 0; k < ab->nunits; k++) {
		struct ab_unit *u = &ab->units[k];
		const struct ab_unit *b = ab_base(ab, u->kase);

		fl_summarize(u->samples, u->n, &u->sum);
		if (u == b) {
			u->change = (struct fl_change){ 0, 0, 0 };
			u->p = NAN;
			continue;
		}
		fl_median_change(b->samples, b->n, u->samples, u->n, AB_BOOTSTRAP, AB_LEVEL, ab->seed + k,
				 &u->change);
		u->p = fl_mann_whitney_p(b->samples, b->n, u->samples, u->n, NULL);
	}
}

/* Per-fork figures, NAN where they mean nothing (stock: the module is not involved). */
struct ab_per_fork {
	double calls, ptes, run_len, large_pct, inval_fork, inval_exit;
	double bt[AB_MAX_MAPS];
};

static void ab_per_fork(const struct ab *ab, const struct ab_unit *u, struct ab_per_fork *f)
{
	bool walk = u->mode == FORKLAB_MODE_PERPTE || u->mode == FORKLAB_MODE_BATCHED;
	bool redirected = u->mode != FORKLAB_MODE_STOCK;
	bool policy = u->policy != FORKLAB_CONTPTE_KERNEL;
	double n = u->forks;

	f->calls = redirected && n ? u->module.calls / n : NAN;
	f->ptes = walk && n ? u->module.ptes / n : NAN;
	f->run_len = walk && u->module.runs ? u->module.ptes / u->module.runs : NAN;
	f->large_pct = walk && u->module.ptes ? 100 * u->module.large_ptes / u->module.ptes : NAN;
	f->inval_fork = policy && n ? u->module.inval_fork / n : NAN;
	f->inval_exit = policy && n ? u->module.inval_exit / n : NAN;
	for (unsigned int m = 0; m < ab->nbt_maps; m++)
		f->bt[m] = u->forks_all ? u->bt[m] / u->forks_all : NAN;
}

static FILE *ab_create(struct fl_cli *cli, const struct ab *ab, const char *name)
{
	char path[4096];
	FILE *f;

	ab_path(ab, name, path, sizeof(path));
	f = fopen(path, "w");
	if (!f)
		fl_fail(cli, FL_EXIT_FAILED, "cannot write %s: %s", path, strerror(errno));
	return f;
}

static const char *ab_case_name(const struct ab *ab, unsigned int kase)
{
	return ab->vary_opt ? ab->cases[kase] : "-";
}

/* A figure for people: no exponents, as many decimals as its size deserves. */
static void ab_fmt(char *buf, size_t len, const char *fmt, double v)
{
	if (isfinite(v))
		snprintf(buf, len, fmt, v);
	else
		snprintf(buf, len, "-");
}

static const char *ab_num(char *buf, size_t len, double v)
{
	double a = fabs(v);

	ab_fmt(buf, len, a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 1 ? "%.2f" : "%.3g", v);
	return buf;
}

static void ab_write_json(const struct ab *ab, FILE *f)
{
	struct fl_json j;
	char when[32];

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", localtime(&ab->started));
	fl_json_init(&j, f);
	fl_json_object_begin(&j, NULL);
	fl_json_u64(&j, "forklab_ab_format", 1);
	fl_json_string(&j, "command", ab->cmdline);
	fl_json_string(&j, "started", when);
	fl_json_double(&j, "seconds", ab->seconds);
	fl_json_string(&j, "kernel", ab->release);
	fl_json_string(&j, "machine", ab->machine);
	fl_json_string(&j, "module_version", ab->module_version);
	fl_json_string(&j, "benchmark", ab->bench);
	fl_json_array_begin(&j, "benchmark_args");
	for (int i = 0; i < ab->nbench_args; i++)
		fl_json_string(&j, NULL, ab->bench_args[i]);
	fl_json_array_end(&j);
	fl_json_string(&j, "vary", ab->vary_opt ? ab->vary_opt : "");
	fl_json_u64(&j, "rounds", ab->rounds);
	fl_json_u64(&j, "warmup", ab->warmup);
	fl_json_u64(&j, "seed", ab->seed);
	fl_json_string(&j, "unit", ab->unit);
	fl_json_string(&j, "better", ab->better);
	fl_json_string(&j, "bpftrace", ab->bpftrace ? ab->bpftrace : "");
	fl_json_double(&j, "confidence", AB_LEVEL);
	fl_json_array_begin(&j, "results");
	for (unsigned int k = 0; k < ab->nunits; k++) {
		const struct ab_unit *u = &ab->units[k];
		struct ab_per_fork pf;

		ab_per_fork(ab, u, &pf);
		fl_json_object_begin(&j, NULL);
		fl_json_string(&j, "case", ab_case_name(ab, u->kase));
		fl_json_string(&j, "variant", u->variant);
		fl_json_string(&j, "mode", fl_mode_name(u->mode));
		fl_json_string(&j, "contpte", fl_contpte_name(u->policy));
		fl_json_bool(&j, "baseline", u->baseline);
		fl_json_u64(&j, "n", u->sum.n);
		fl_json_double(&j, "min", u->sum.min);
		fl_json_double(&j, "q1", u->sum.q1);
		fl_json_double(&j, "median", u->sum.median);
		fl_json_double(&j, "q3", u->sum.q3);
		fl_json_double(&j, "max", u->sum.max);
		fl_json_double(&j, "mean", u->sum.mean);
		fl_json_double(&j, "stddev", u->sum.stddev);
		fl_json_double(&j, "change_pct", u->change.pct);
		fl_json_double(&j, "ci_lo_pct", u->baseline ? NAN : u->change.lo);
		fl_json_double(&j, "ci_hi_pct", u->baseline ? NAN : u->change.hi);
		fl_json_double(&j, "p", u->p);
		fl_json_string(&j, "significance", u->baseline ? "" : fl_significance(u->p));
		fl_json_double(&j, "forks", u->forks);
		fl_json_object_begin(&j, "per_fork");
		fl_json_double(&j, "module_calls", pf.calls);
		fl_json_double(&j, "ptes", pf.ptes);
		fl_json_double(&j, "contpte_invalidations_fork", pf.inval_fork);
		fl_json_double(&j, "contpte_invalidations_exit", pf.inval_exit);
		for (unsigned int m = 0; m < ab->nbt_maps; m++) {
			char key[48];

			snprintf(key, sizeof(key), "bpftrace_%s", ab->bt_maps[m]);
			fl_json_double(&j, key, pf.bt[m]);
		}
		fl_json_object_end(&j);
		fl_json_double(&j, "ptes_per_run", pf.run_len);
		fl_json_double(&j, "large_folio_pte_pct", pf.large_pct);
		fl_json_array_begin(&j, "samples");
		for (size_t i = 0; i < u->n; i++)
			fl_json_double(&j, NULL, u->samples[i]);
		fl_json_array_end(&j);
		fl_json_object_end(&j);
	}
	fl_json_array_end(&j);
	fl_json_object_end(&j);
	fputc('\n', f);
}

static void ab_write_csv(const struct ab *ab, FILE *f, FILE *samples)
{
	fprintf(f, "case,variant,mode,contpte,baseline,n,min,q1,median,q3,max,mean,stddev,unit,"
		   "change_pct,ci_lo_pct,ci_hi_pct,p,significance,calls_per_fork,ptes_per_fork,ptes_per_run,"
		   "large_folio_pte_pct,inval_per_fork,inval_per_exit");
	for (unsigned int m = 0; m < ab->nbt_maps; m++)
		fprintf(f, ",bt_%s_per_fork", ab->bt_maps[m]);
	fprintf(f, "\n");
	fprintf(samples, "case,variant,round,value,unit\n");
	for (unsigned int k = 0; k < ab->nunits; k++) {
		const struct ab_unit *u = &ab->units[k];
		struct ab_per_fork pf;
		char p[24];

		ab_per_fork(ab, u, &pf);
		ab_fmt(p, sizeof(p), "%.4g", u->p);
		fprintf(f, "%s,%s,%s,%s,%d,%zu,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%s,%.2f,", ab_case_name(ab, u->kase),
			u->variant, fl_mode_name(u->mode), fl_contpte_name(u->policy), u->baseline, u->sum.n,
			u->sum.min, u->sum.q1, u->sum.median, u->sum.q3, u->sum.max, u->sum.mean, u->sum.stddev,
			ab->unit, u->change.pct);
		if (u->baseline)
			fprintf(f, ",,,");
		else
			fprintf(f, "%.2f,%.2f,%s,%s", u->change.lo, u->change.hi, p, fl_significance(u->p));
		{
			double cols[] = { pf.calls, pf.ptes, pf.run_len, pf.large_pct, pf.inval_fork, pf.inval_exit };

			for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
				isfinite(cols[c]) ? fprintf(f, ",%.2f", cols[c]) : fprintf(f, ",");
			for (unsigned int m = 0; m < ab->nbt_maps; m++)
				isfinite(pf.bt[m]) ? fprintf(f, ",%.2f", pf.bt[m]) : fprintf(f, ",");
		}
		fprintf(f, "\n");
		for (size_t i = 0; i < u->n; i++)
			fprintf(samples, "%s,%s,%zu,%.4f,%s\n", ab_case_name(ab, u->kase), u->variant, i + 1,
				u->samples[i], ab->unit);
	}
}

/*
 * The tables, as markdown (@md) or for a terminal: latency per case, then
 * what the copy path did per fork.
 */
static void ab_write_tables(const struct ab *ab, FILE *f, bool md)
{
	for (unsigned int c = 0; c < ab->ncases; c++) {
		const struct ab_unit *b = ab_base(ab, c);

		if (md)
			fprintf(f, "\n### %s%s%s\n\n", ab->bench, ab->vary_opt ? " " : "",
				ab->vary_opt ? ab->cases[c] : "");
		else
			fprintf(f, "\n%s%s%s%s: %s, %s is better, against %s\n", ab->bench, ab->vary_opt ? " (" : "",
				ab->vary_opt ? ab->cases[c] : "", ab->vary_opt ? ")" : "", ab->unit, ab->better,
				b->variant);
		fprintf(f, md ? "| %s | n | min | median | mean | stddev | max | vs %s | 95%% CI | p |\n"
			      "|---|--:|--:|--:|--:|--:|--:|--:|---|--:|\n"
			   : "%-18s  n %10s %10s %10s %10s %10s %9s  %-17s %s\n",
			md ? "variant" : "variant", md ? b->variant : "min", "median", "mean", "stddev", "max",
			"vs base", "95% CI", "p");
		for (unsigned int k = 0; k < ab->nunits; k++) {
			const struct ab_unit *u = &ab->units[k];
			char chg[24] = "", ci[40] = "", p[24] = "";

			if (u->kase != c)
				continue;
			if (!u->baseline) {
				snprintf(chg, sizeof(chg), "%+.1f%%", u->change.pct);
				snprintf(ci, sizeof(ci), "[%+.1f, %+.1f]", u->change.lo, u->change.hi);
				snprintf(p, sizeof(p), "%.3g %s", u->p, fl_significance(u->p));
			} else {
				snprintf(chg, sizeof(chg), "base");
			}
			{
				char v[5][24];

				ab_num(v[0], sizeof(v[0]), u->sum.min);
				ab_num(v[1], sizeof(v[1]), u->sum.median);
				ab_num(v[2], sizeof(v[2]), u->sum.mean);
				ab_num(v[3], sizeof(v[3]), u->sum.stddev);
				ab_num(v[4], sizeof(v[4]), u->sum.max);
				if (md)
					fprintf(f, "| %s | %zu | %s | **%s** | %s | %s | %s | %s | %s | %s |\n", u->variant,
						u->sum.n, v[0], v[1], v[2], v[3], v[4], chg, ci, p);
				else
					fprintf(f, "%-18s%3zu %10s %10s %10s %10s %10s %9s  %-17s %s\n", u->variant,
						u->sum.n, v[0], v[1], v[2], v[3], v[4], chg, ci, p);
			}
		}
	}
	/* what the copy path did */
	if (md)
		fprintf(f, "\n### What the copy path did, per fork\n\n| case | variant | module calls | PTEs "
			   "copied | PTEs per run | large-folio PTEs | contpte inval fork | contpte inval exit |");
	else
		fprintf(f, "\nper fork: %-11s %-16s %10s %10s %8s %7s %10s %10s", ab->vary_opt ? ab->vary_opt + 2 : "",
			"variant", "calls", "PTEs", "PTE/run", "large", "inval", "inval exit");
	for (unsigned int m = 0; m < ab->nbt_maps; m++)
		fprintf(f, md ? " bpftrace @%s |" : " %10s", ab->bt_maps[m]);
	if (md) {
		fprintf(f, "\n|---|---|--:|--:|--:|--:|--:|--:|");
		for (unsigned int m = 0; m < ab->nbt_maps; m++)
			fprintf(f, "--:|");
	}
	fprintf(f, "\n");
	for (unsigned int k = 0; k < ab->nunits; k++) {
		const struct ab_unit *u = &ab->units[k];
		double cols[6 + AB_MAX_MAPS];
		const char *fmts[] = { "%.1f", "%.0f", "%.1f", "%.0f%%", "%.1f", "%.1f" };
		struct ab_per_fork pf;
		char buf[32];

		ab_per_fork(ab, u, &pf);
		cols[0] = pf.calls, cols[1] = pf.ptes, cols[2] = pf.run_len, cols[3] = pf.large_pct;
		cols[4] = pf.inval_fork, cols[5] = pf.inval_exit;
		fprintf(f, md ? "| %s | %s |" : "          %-11s %-16s", ab_case_name(ab, u->kase), u->variant);
		for (unsigned int i = 0; i < 6 + ab->nbt_maps; i++) {
			ab_fmt(buf, sizeof(buf), i < 6 ? fmts[i] : "%.2f", i < 6 ? cols[i] : pf.bt[i - 6]);
			if (md)
				fprintf(f, " %s |", buf);
			else
				fprintf(f, " %*s", i == 3 ? 7 : i == 2 ? 8 : 10, buf);
		}
		fprintf(f, "\n");
	}
}

static void ab_write_md(const struct ab *ab, FILE *f, bool have_plot)
{
	char when[32];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime(&ab->started));
	fprintf(f, "# forklab A/B: %s\n\n", ab->bench);
	fprintf(f, "- command: `%s`\n- kernel: %s (%s), forklab %s\n- started %s, took %.0f s\n"
		   "- %u rounds per variant (+%u warm-up, not counted), variants interleaved in an order "
		   "shuffled every round (seed %lu)\n- value: %s, %s is better; one benchmark run is one sample\n",
		ab->cmdline, ab->release, ab->machine, ab->module_version, when, ab->seconds, ab->rounds,
		ab->warmup, ab->seed, ab->unit, ab->better);
	if (ab->bpftrace)
		fprintf(f, "- bpftrace: `%s` over the whole experiment (warm-up included), maps per fork\n",
			ab->bpftrace);
	fprintf(f, "\nvs: change of the median against the baseline; 95%% CI: percentile bootstrap of "
		   "that change (%d resamples); p: two-sided Mann-Whitney U test; * p < 0.05, ** p < 0.01, "
		   "each comparison on its own (no correction for the %u made here: at p < 0.05 about one "
		   "in twenty differences that are not there gets a *).\n",
		AB_BOOTSTRAP, ab->nunits - ab->ncases);
	ab_write_tables(ab, f, true);
	fprintf(f, "\nModule counters count forks the module handled (not stock's); PTEs per run is 1 for "
		   "perpte by construction; contpte invalidations only under a contpte policy other than "
		   "kernel (arm64).\n");
	if (have_plot)
		fprintf(f, "\n![distributions](plot.svg)\n");
	else
		fprintf(f, "\nPlot: `gnuplot plot.gp` in this folder writes plot.svg (gnuplot was not found "
			   "where the experiment ran).\n");
	fprintf(f, "\nFiles: results.json (everything, samples too), results.csv (a row per variant), "
		   "samples.csv (a row per sample), plot.gp.\n");
}

static void ab_write_gnuplot(const struct ab *ab, FILE *f)
{
	unsigned int cols = ab->ncases < 3 ? ab->ncases : 3, rows = (ab->ncases + cols - 1) / cols;
	unsigned int per_case = ab->nunits / ab->ncases;

	fprintf(f, "# forklab A/B: distributions per variant (box: quartiles, whiskers: min..max, thick: "
		   "median, dots: samples).\n# 'gnuplot plot.gp' in the result folder writes plot.svg.\n");
	fprintf(f, "set terminal svg size %u,%u dynamic font 'sans,11' background '#ffffff'\n",
		cols * (160 + 60 * per_case), rows * 380);
	fprintf(f, "set output 'plot.svg'\nset samples 1000\nunset key\nset grid ytics\n"
		   "set style fill solid 0.25 border\nset boxwidth 0.5\nset xtics rotate by -30 noenhanced\n"
		   "set ylabel '%s (%s is better)' noenhanced\nset yrange [0:*]\n", ab->unit, ab->better);
	for (unsigned int c = 0; c < ab->ncases; c++) {
		unsigned int x = 0;

		fprintf(f, "$sum%u << EOD\n", c);
		for (unsigned int k = 0; k < ab->nunits; k++) {
			const struct ab_unit *u = &ab->units[k];

			if (u->kase == c)
				fprintf(f, "%u %g %g %g %g %g \"%s\"\n", ++x, u->sum.q1, u->sum.min, u->sum.max,
					u->sum.q3, u->sum.median, u->variant);
		}
		fprintf(f, "EOD\n$pts%u << EOD\n", c);
		x = 0;
		for (unsigned int k = 0; k < ab->nunits; k++) {
			const struct ab_unit *u = &ab->units[k];

			if (u->kase != c)
				continue;
			x++;
			for (size_t i = 0; i < u->n; i++)
				fprintf(f, "%u %g\n", x, u->samples[i]);
		}
		fprintf(f, "EOD\n");
	}
	fprintf(f, "set multiplot layout %u,%u title '%s on %s (%u rounds)' noenhanced\n", rows, cols,
		ab->bench, ab->release, ab->rounds);
	for (unsigned int c = 0; c < ab->ncases; c++)
		fprintf(f, "set title '%s' noenhanced\nset xrange [0.3:%u.7]\n"
			   "plot $sum%u using 1:2:3:4:5:xticlabels(7) with candlesticks whiskerbars lc rgb '#3060a0', \\\n"
			   "     $sum%u using 1:6:6:6:6 with candlesticks lt -1 lw 3, \\\n"
			   "     $pts%u using ($1 + (rand(0) - 0.5) * 0.25):2 with points pt 7 ps 0.4 lc rgb '#b03030'\n",
			ab->vary_opt ? ab->cases[c] : ab->bench, per_case, c, c, c);
	fprintf(f, "unset multiplot\n");
}

/* gnuplot plot.gp in the folder, if gnuplot is there; true when plot.svg was written. */
static bool ab_run_gnuplot(const struct ab *ab)
{
	char cd[4200], *argv[] = { "gnuplot", "-e", cd, NULL };
	posix_spawn_file_actions_t fa;
	int status;
	pid_t pid;

	snprintf(cd, sizeof(cd), "cd '%s'; load 'plot.gp'", ab->out);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return false;
	}
	posix_spawn_file_actions_destroy(&fa);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status);
}

int ab_report(struct fl_cli *cli, struct ab *ab)
{
	FILE *json, *csv, *samples, *md, *gp;
	bool plot;

	ab_compute(ab);
	json = ab_create(cli, ab, "results.json");
	csv = ab_create(cli, ab, "results.csv");
	samples = ab_create(cli, ab, "samples.csv");
	gp = ab_create(cli, ab, "plot.gp");
	if (!json || !csv || !samples || !gp) {
		FILE *all[] = { json, csv, samples, gp };

		for (size_t i = 0; i < 4; i++)
			if (all[i])
				fclose(all[i]);
		return FL_EXIT_FAILED;
	}
	ab_write_json(ab, json);
	ab_write_csv(ab, csv, samples);
	ab_write_gnuplot(ab, gp);
	if (fclose(json) | fclose(csv) | fclose(samples) | fclose(gp))
		return fl_fail(cli, FL_EXIT_FAILED, "writing the results to %s failed", ab->out);
	plot = ab_run_gnuplot(ab);
	md = ab_create(cli, ab, "report.md");
	if (!md)
		return FL_EXIT_FAILED;
	ab_write_md(ab, md, plot);
	if (fclose(md))
		return fl_fail(cli, FL_EXIT_FAILED, "writing %s/report.md failed", ab->out);
	if (cli->json) {
		ab_write_json(ab, cli->out);
		return FL_EXIT_OK;
	}
	fprintf(cli->out, "forklab ab: %s on %s (%s), %u rounds (+%u warm-up), %.0f s\n", ab->bench, ab->release,
		ab->machine, ab->rounds, ab->warmup, ab->seconds);
	ab_write_tables(ab, cli->out, false);
	fprintf(cli->out, "\nvs base: change of the median; 95%% CI: bootstrap; p: Mann-Whitney, * < 0.05, ** < 0.01\n"
		"report: %s/report.md%s\n", ab->out, plot ? " (plot.svg)" : " (plot: gnuplot plot.gp there)");
	return FL_EXIT_OK;
}
