// SPDX-License-Identifier: GPL-2.0
/*
 * The A/B experiment's results, in the files of the result folder:
 * results.json (everything, samples and where it ran included: 'forklab ab
 * compare' reads it back), results.csv (one row per variant), samples.csv
 * (one row per sample), report.md (for people: a summary line, where it
 * ran, the tables, the plot) and plot.gp (ab_plot.c), drawn into plot.svg
 * when gnuplot is there.  The table also goes to the terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ab.h"

/* Per-fork figures, NAN where they mean nothing (stock: the module is not involved). */
struct ab_per_fork {
	double calls, ptes, run_len, large_pct, inval_fork, inval_exit;
	double bt[AB_MAX_MAPS];
	char hist[160];			/* run lengths, runs per fork */
};

static void ab_per_fork(const struct ab *ab, const struct ab_unit *u, struct ab_per_fork *f)
{
	bool walk = u->mode == FORKLAB_MODE_PERPTE || u->mode == FORKLAB_MODE_BATCHED;
	bool redirected = u->mode != FORKLAB_MODE_STOCK;
	bool policy = u->policy != FORKLAB_CONTPTE_KERNEL;
	/* a command's "forks" are its runs (ab_run.c): its figures are per run */
	double n = u->forks;

	f->calls = redirected && n ? u->module.calls / n : NAN;
	f->ptes = walk && n ? u->module.ptes / n : NAN;
	f->run_len = walk && u->module.runs ? u->module.ptes / u->module.runs : NAN;
	f->large_pct = walk && u->module.ptes ? 100 * u->module.large_ptes / u->module.ptes : NAN;
	f->inval_fork = policy && n ? u->module.inval_fork / n : NAN;
	f->inval_exit = policy && n ? u->module.inval_exit / n : NAN;
	for (unsigned int m = 0; m < ab->nbt_maps; m++)
		f->bt[m] = u->forks_all ? u->bt[m] / u->forks_all : NAN;
	if (walk && n)
		ab_hist_text(f->hist, sizeof(f->hist), u->module.run_hist, n);
	else
		snprintf(f->hist, sizeof(f->hist), "-");
}

static void ab_write_json(const struct ab *ab, FILE *f)
{
	struct fl_json j;
	char when[32], summary[1024];

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", localtime(&ab->started));
	ab_summary_line(ab, summary, sizeof(summary));
	fl_json_init(&j, f);
	fl_json_object_begin(&j, NULL);
	fl_json_u64(&j, "forklab_ab_format", 2);
	fl_json_string(&j, "command", ab->cmdline);
	fl_json_string(&j, "started", when);
	fl_json_double(&j, "seconds", ab->seconds);
	fl_json_string(&j, "kernel", ab->release);
	fl_json_string(&j, "machine", ab->machine);
	fl_json_string(&j, "module_version", ab->module_version);
	ab_env_write_json(&ab->env, &j);
	fl_json_string(&j, "benchmark", ab->bench);
	fl_json_array_begin(&j, "benchmark_args");
	for (int i = 0; i < ab->nbench_args; i++)
		fl_json_string(&j, NULL, ab->bench_args[i]);
	fl_json_array_end(&j);
	fl_json_string(&j, "vary", ab->vary_opt ? ab->vary_opt : "");
	fl_json_u64(&j, "rounds", ab->rounds);
	fl_json_u64(&j, "warmup", ab->warmup);
	fl_json_u64(&j, "seed", ab->seed);
	fl_json_string(&j, "clock", ab->env.clock);
	fl_json_string(&j, "unit", ab->unit);
	fl_json_string(&j, "benchmark_unit", ab->bench_unit);
	fl_json_string(&j, "better", ab->better);
	fl_json_string(&j, "bpftrace", ab->bpftrace ? ab->bpftrace : "");
	fl_json_double(&j, "confidence", AB_LEVEL);
	fl_json_string(&j, "correction", "holm per case");
	fl_json_string(&j, "summary", summary);
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
		fl_json_double(&j, "spread_pct", 100 * (u->sum.max - u->sum.min) / u->sum.median);
		fl_json_u64(&j, "outliers", u->outliers);
		fl_json_double(&j, "change_pct", u->change.pct);
		fl_json_double(&j, "ci_lo_pct", u->baseline ? NAN : u->change.lo);
		fl_json_double(&j, "ci_hi_pct", u->baseline ? NAN : u->change.hi);
		fl_json_double(&j, "p", u->p);
		fl_json_double(&j, "p_holm", u->p_holm);
		fl_json_string(&j, "significance", u->baseline ? "" : fl_significance(u->p_holm));
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
		fl_json_array_begin(&j, "run_hist");	/* runs of 1, 2-3, 4-7, ..., 512 PTEs, all counted runs */
		for (int b = 0; b < FORKLAB_RUN_BUCKETS; b++)
			fl_json_double(&j, NULL, u->module.run_hist[b]);
		fl_json_array_end(&j);
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
	fprintf(f, "case,variant,mode,contpte,baseline,n,min,q1,median,q3,max,mean,stddev,unit,outliers,"
		   "change_pct,ci_lo_pct,ci_hi_pct,p,p_holm,significance,calls_per_fork,ptes_per_fork,ptes_per_run,"
		   "large_folio_pte_pct,inval_per_fork,inval_per_exit,run_hist_per_fork");
	for (unsigned int m = 0; m < ab->nbt_maps; m++)
		fprintf(f, ",bt_%s_per_fork", ab->bt_maps[m]);
	fprintf(f, "\n");
	fprintf(samples, "case,variant,round,value,unit\n");
	for (unsigned int k = 0; k < ab->nunits; k++) {
		const struct ab_unit *u = &ab->units[k];
		struct ab_per_fork pf;
		char p[24], ph[24];

		ab_per_fork(ab, u, &pf);
		snprintf(p, sizeof(p), "%.4g", u->p);
		snprintf(ph, sizeof(ph), "%.4g", u->p_holm);
		fprintf(f, "%s,%s,%s,%s,%d,%zu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%s,%u,%.2f,", ab_case_name(ab, u->kase),
			u->variant, fl_mode_name(u->mode), fl_contpte_name(u->policy), u->baseline, u->sum.n,
			u->sum.min, u->sum.q1, u->sum.median, u->sum.q3, u->sum.max, u->sum.mean, u->sum.stddev,
			ab->unit, u->outliers, u->change.pct);
		if (u->baseline)
			fprintf(f, ",,,,");
		else
			fprintf(f, "%.2f,%.2f,%s,%s,%s", u->change.lo, u->change.hi, p, ph, fl_significance(u->p_holm));
		{
			double cols[] = { pf.calls, pf.ptes, pf.run_len, pf.large_pct, pf.inval_fork, pf.inval_exit };

			for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
				isfinite(cols[c]) ? fprintf(f, ",%.2f", cols[c]) : fprintf(f, ",");
			fprintf(f, ",%s", strcmp(pf.hist, "-") ? pf.hist : "");
			for (unsigned int m = 0; m < ab->nbt_maps; m++)
				isfinite(pf.bt[m]) ? fprintf(f, ",%.2f", pf.bt[m]) : fprintf(f, ",");
		}
		fprintf(f, "\n");
		for (size_t i = 0; i < u->n; i++)
			fprintf(samples, "%s,%s,%zu,%.6g,%s\n", ab_case_name(ab, u->kase), u->variant, i + 1,
				u->samples[i], ab->unit);
	}
}

/* One variant's row: the figures with 4 significant digits, the change, p and Holm's p. */
static void ab_write_row(const struct ab *ab, const struct ab_unit *u, FILE *f, bool md)
{
	char v[5][24], chg[24] = "base", ci[40] = "", p[24] = "", ph[24] = "", n[16];

	(void)ab;
	if (!u->baseline) {
		snprintf(chg, sizeof(chg), "%+.1f%%", u->change.pct);
		snprintf(ci, sizeof(ci), "[%+.1f, %+.1f]", u->change.lo, u->change.hi);
		snprintf(p, sizeof(p), "%.2g", u->p);
		snprintf(ph, sizeof(ph), "%.2g %s", u->p_holm, fl_significance(u->p_holm));
	}
	ab_sig(v[0], sizeof(v[0]), u->sum.min, 4);
	ab_sig(v[1], sizeof(v[1]), u->sum.median, 4);
	ab_sig(v[2], sizeof(v[2]), u->sum.mean, 4);
	ab_sig(v[3], sizeof(v[3]), u->sum.stddev, 3);
	ab_sig(v[4], sizeof(v[4]), u->sum.max, 4);
	/* "7 (1!)": one of the seven samples beyond Tukey's fences */
	if (u->outliers)
		snprintf(n, sizeof(n), "%zu (%u!)", u->sum.n, u->outliers);
	else
		snprintf(n, sizeof(n), "%zu", u->sum.n);
	if (md)
		fprintf(f, "| %s | %s | %s | **%s** | %s | %s | %s | %s | %s | %s | %s |\n", u->variant, n, v[0],
			v[1], v[2], v[3], v[4], chg, ci, p, ph);
	else
		fprintf(f, "%-16s %7s %9s %9s %9s %8s %9s %8s  %-17s %-7s %s\n", u->variant, n, v[0], v[1],
			v[2], v[3], v[4], chg, ci, p, ph);
}

/*
 * The tables, as markdown (@md) or for a terminal: the values per case,
 * then what the copy path did per fork.
 */
static void ab_write_tables(const struct ab *ab, FILE *f, bool md)
{
	for (unsigned int c = 0; c < ab->ncases; c++) {
		const struct ab_unit *b = ab_base(ab, c);

		if (md)
			fprintf(f, "\n### %s%s%s (%s, %s is better)\n\n", ab->bench, ab->vary_opt ? " " : "",
				ab->vary_opt ? ab->cases[c] : "", ab->unit, ab->better);
		else
			fprintf(f, "\n%s%s%s%s: %s, %s is better, against %s\n", ab->bench, ab->vary_opt ? " (" : "",
				ab->vary_opt ? ab->cases[c] : "", ab->vary_opt ? ")" : "", ab->unit, ab->better,
				b->variant);
		if (md)
			fprintf(f, "| variant | n | min | median | mean | stddev | max | vs %s | 95%% CI | p | p (Holm) |\n"
				   "|---|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|\n", b->variant);
		else
			fprintf(f, "%-16s %7s %9s %9s %9s %8s %9s %8s  %-17s %-7s %s\n", "variant", "n", "min",
				"median", "mean", "stddev", "max", "vs base", "95% CI", "p", "p(Holm)");
		for (unsigned int k = 0; k < ab->nunits; k++)
			if (ab->units[k].kase == c)
				ab_write_row(ab, &ab->units[k], f, md);
	}
	/* what the copy path did */
	if (md)
		fprintf(f, "\n### What the copy path did, per %s\n\n| case | variant | module calls | PTEs "
			   "copied | PTEs per run (mean) | runs per fork by length | large-folio PTEs | "
			   "contpte inval fork | contpte inval exit |", ab->command ? "run of the command" : "fork");
	else
		fprintf(f, "\nper %s: %-11s %-16s %7s %8s %8s %-30s %6s %7s %7s", ab->command ? "run " : "fork",
			ab->vary_opt ? ab->vary_opt + 2 : "", "variant", "calls", "PTEs", "PTE/run", "runs by length", "large", "inval",
			"exit");
	for (unsigned int m = 0; m < ab->nbt_maps; m++)
		fprintf(f, md ? " bpftrace @%s |" : " %10s", ab->bt_maps[m]);
	if (md) {
		fprintf(f, "\n|---|---|--:|--:|--:|---|--:|--:|--:|");
		for (unsigned int m = 0; m < ab->nbt_maps; m++)
			fprintf(f, "--:|");
	}
	fprintf(f, "\n");
	for (unsigned int k = 0; k < ab->nunits; k++) {
		const struct ab_unit *u = &ab->units[k];
		char calls[24], ptes[24], len[24], large[24], inf[24], inx[24];
		struct ab_per_fork pf;

		ab_per_fork(ab, u, &pf);
		ab_sig(calls, sizeof(calls), pf.calls, 3);
		ab_sig(ptes, sizeof(ptes), pf.ptes, 4);
		ab_sig(len, sizeof(len), pf.run_len, 3);
		ab_sig(large, sizeof(large), pf.large_pct, 3);
		if (isfinite(pf.large_pct))
			strcat(large, "%");
		ab_sig(inf, sizeof(inf), pf.inval_fork, 4);
		ab_sig(inx, sizeof(inx), pf.inval_exit, 4);
		if (md)
			fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |", ab_case_name(ab, u->kase),
				u->variant, calls, ptes, len, pf.hist, large, inf, inx);
		else
			fprintf(f, "          %-11s %-16s %7s %8s %8s %-30s %6s %7s %7s", ab_case_name(ab, u->kase),
				u->variant, calls, ptes, len, pf.hist, large, inf, inx);
		for (unsigned int m = 0; m < ab->nbt_maps; m++) {
			char buf[24];

			ab_sig(buf, sizeof(buf), pf.bt[m], 4);
			fprintf(f, md ? " %s |" : " %10s", buf);
		}
		fprintf(f, "\n");
	}
}

static const char ab_icount_note[] =
	"Under icount the values are guest instructions, not cycles: they carry no cache, TLB or "
	"branch effects, only the length of the path the software took.";

static void ab_write_md(const struct ab *ab, FILE *f, bool have_plot)
{
	char when[32], summary[1024];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime(&ab->started));
	ab_summary_line(ab, summary, sizeof(summary));
	fprintf(f, "# forklab A/B: %s\n\n**Summary:** %s.\n\n", ab->bench, summary);
	ab_env_write_md(&ab->env, ab->cmdline, f);
	fprintf(f, "- module: %s (%s), forklab module %s\n- started %s, took %.0f s%s\n"
		   "- %u rounds per variant (+%u warm-up, not counted), variants interleaved in an order "
		   "shuffled every round (seed %lu)\n- value: %s, %s is better; one %s run is one sample\n",
		ab->release, ab->machine, ab->module_version, when, ab->seconds,
		/* under icount every clock of the guest is virtual */
		!strcmp(ab->env.platform, "TCG-icount") ? " of the guest's virtual time" : "", ab->rounds, ab->warmup,
		ab->seed,
		ab->unit, ab->better, ab->command ? "command" : "benchmark");
	if (ab->command)
		fprintf(f, "- the command ran in a cgroup of its own, the scope of the experiment, timed from "
			   "its start to its exit; its output is in command.log\n");
	if (ab->bpftrace)
		fprintf(f, "- bpftrace: `%s` over the whole experiment (warm-up included), maps per fork\n",
			ab->bpftrace);
	if (!strcmp(ab->env.clock, "icount"))
		fprintf(f, "\n%s\n", ab_icount_note);
	fprintf(f, "\nvs: change of the median against the baseline; 95%% CI: percentile bootstrap of "
		   "that change (%d resamples); p: two-sided Mann-Whitney U test; p (Holm): p corrected with "
		   "Holm's method over the comparisons of its case; * Holm p < 0.05, ** Holm p < 0.01; "
		   "n (k!): k samples beyond Tukey's fences (1.5 IQR past the quartiles).\n", AB_BOOTSTRAP);
	ab_write_tables(ab, f, true);
	fprintf(f, "\nModule counters count forks the module handled (not stock's); PTEs per run is 1 for "
		   "perpte by construction; runs by length: runs per fork of 1, 2-3, 4-7, ... 512 PTEs; "
		   "contpte invalidations only under a contpte policy other than kernel (arm64).\n");
	if (have_plot)
		fprintf(f, "\n![change against the baseline](plot.svg)\n");
	else
		fprintf(f, "\nPlot: `gnuplot plot.gp` in this folder writes plot.svg (gnuplot was not found "
			   "where the experiment ran).\n");
	fprintf(f, "\nFiles: results.json (everything, samples too), results.csv (a row per variant), "
		   "samples.csv (a row per sample), plot.gp.\n");
}

int ab_report(struct fl_cli *cli, struct ab *ab)
{
	FILE *json, *csv, *samples, *md, *gp;
	char line[512], summary[1024];
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
	ab_plot_write(ab, gp);
	if (fclose(json) | fclose(csv) | fclose(samples) | fclose(gp))
		return fl_fail(cli, FL_EXIT_FAILED, "writing the results to %s failed", ab->out);
	plot = ab_plot_draw(ab->out);
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
	ab_env_line(&ab->env, line, sizeof(line));
	ab_summary_line(ab, summary, sizeof(summary));
	fprintf(cli->out, "forklab ab: %s on %s (%s), %u rounds (+%u warm-up), %.0f s\n", ab->bench, line,
		ab->machine, ab->rounds, ab->warmup, ab->seconds);
	fprintf(cli->out, "summary: %s\n", summary);
	if (!strcmp(ab->env.clock, "icount"))
		fprintf(cli->out, "%s\n", ab_icount_note);
	ab_write_tables(ab, cli->out, false);
	fprintf(cli->out, "\nvs base: change of the median; 95%% CI: bootstrap; p: Mann-Whitney; p(Holm): corrected "
		"per case, * < 0.05, ** < 0.01; n (k!): k outliers (Tukey)\n"
		"report: %s/report.md%s\n", ab->out, plot ? " (plot.svg)" : " (plot: gnuplot plot.gp there)");
	return FL_EXIT_OK;
}
