// SPDX-License-Identifier: GPL-2.0
/*
 * 'forklab ab compare DIR_A DIR_B [...]': the same variants from result
 * folders side by side (two kernels, two machines: what mmtests'
 * compare-kernels does), each folder's median against A's for the same
 * case and variant, with the statistics of an experiment (bootstrap
 * interval, Mann-Whitney, Holm over each case's comparisons).  Folders
 * must have measured alike: a unit that differs (k-instr under icount
 * against ms) or another experiment (benchmark, its options, --vary)
 * is refused, naming the difference.  Cases found in some folders only
 * (6.12's mthp-64k against 6.1) are left out and named.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "ab.h"

static int ab_cmp_usage(struct fl_cli *cli, const char *msg)
{
	return fl_fail(cli, FL_EXIT_USAGE, "compare: %s (usage: forklab ab compare [--out DIR] [--seed N] "
		       "DIR_A DIR_B [...])", msg);
}

static const struct ab_unit *ab_cmp_find(const struct ab *ab, const char *kase, const char *variant)
{
	for (unsigned int k = 0; k < ab->nunits; k++)
		if (!strcmp(ab_case_name(ab, ab->units[k].kase), kase) && !strcmp(ab->units[k].variant, variant))
			return &ab->units[k];
	return NULL;
}

static char *ab_args_text(const struct ab *ab, char *buf, size_t len)
{
	size_t used = 0;

	*buf = 0;
	for (int i = 0; i < ab->nbench_args && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? " " : "", ab->bench_args[i]);
	return buf;
}

/* Refuses folders that did not measure alike; says which and how. */
static int ab_cmp_check(struct fl_cli *cli, const struct ab_cmp *cmp)
{
	const struct ab *a = cmp->folders[0];
	char aa[512], ba[512];

	for (unsigned int i = 1; i < cmp->nfolders; i++) {
		const struct ab *b = cmp->folders[i];

		if (strcmp(a->unit, b->unit) || strcmp(a->env.clock, b->env.clock))
			return fl_fail(cli, FL_EXIT_USAGE, "compare: the units differ: %s has %s (clock %s), %s "
				       "has %s (clock %s); compare runs measured alike (both icount, or both time)",
				       cmp->dirs[0], a->unit, a->env.clock, cmp->dirs[i], b->unit, b->env.clock);
		if (strcmp(a->bench, b->bench))
			return fl_fail(cli, FL_EXIT_USAGE, "compare: the experiments differ: %s ran %s, %s ran %s",
				       cmp->dirs[0], a->bench, cmp->dirs[i], b->bench);
		if (strcmp(ab_args_text(a, aa, sizeof(aa)), ab_args_text(b, ba, sizeof(ba))))
			return fl_fail(cli, FL_EXIT_USAGE, "compare: the experiments differ: %s ran %s '%s', %s "
				       "ran %s '%s'", cmp->dirs[0], a->bench, aa, cmp->dirs[i], b->bench, ba);
		if (strcmp(a->vary_opt ? a->vary_opt : "", b->vary_opt ? b->vary_opt : ""))
			return fl_fail(cli, FL_EXIT_USAGE, "compare: the experiments differ: %s varies '%s', %s "
				       "varies '%s'", cmp->dirs[0], a->vary_opt ? a->vary_opt : "nothing",
				       cmp->dirs[i], b->vary_opt ? b->vary_opt : "nothing");
	}
	return FL_EXIT_OK;
}

/* Rows: A's variants found in every folder; the others are reported on @missing. */
static void ab_cmp_rows(struct ab_cmp *cmp, char *missing, size_t len)
{
	const struct ab *a = cmp->folders[0];
	size_t used = 0;

	*missing = 0;
	for (unsigned int k = 0; k < a->nunits; k++) {
		const struct ab_unit *u = &a->units[k];
		const char *kase = ab_case_name(a, u->kase);
		struct ab_cmp_row *row = &cmp->rows[cmp->nrows];
		bool all = true;

		for (unsigned int i = 0; i < cmp->nfolders; i++) {
			const struct ab_unit *v = ab_cmp_find(cmp->folders[i], kase, u->variant);

			row->unit[i] = v ? (int)(v - cmp->folders[i]->units) : -1;
			all &= v != NULL;
		}
		if (all) {
			snprintf(row->kase, sizeof(row->kase), "%s", kase);
			snprintf(row->variant, sizeof(row->variant), "%s", u->variant);
			cmp->nrows++;
		} else if (used < len) {
			used += snprintf(missing + used, len - used, "%s%s %s", used ? ", " : "", kase, u->variant);
		}
	}
	/* and what the others have that A does not */
	for (unsigned int i = 1; i < cmp->nfolders; i++)
		for (unsigned int k = 0; k < cmp->folders[i]->nunits; k++) {
			const struct ab *b = cmp->folders[i];
			const struct ab_unit *u = &b->units[k];

			if (!ab_cmp_find(a, ab_case_name(b, u->kase), u->variant) && used < len)
				used += snprintf(missing + used, len - used, "%s%s %s (only in %s)", used ? ", " : "",
						 ab_case_name(b, u->kase), u->variant, cmp->dirs[i]);
		}
}

static void ab_cmp_stats(struct ab_cmp *cmp)
{
	for (unsigned int r = 0; r < cmp->nrows; r++) {
		struct ab_cmp_row *row = &cmp->rows[r];
		const struct ab_unit *a = &cmp->folders[0]->units[row->unit[0]];

		row->change[0] = (struct fl_change){ 0, NAN, NAN };
		row->p[0] = NAN;
		for (unsigned int i = 1; i < cmp->nfolders; i++) {
			const struct ab_unit *b = &cmp->folders[i]->units[row->unit[i]];

			fl_median_change(a->samples, a->n, b->samples, b->n, AB_BOOTSTRAP, AB_LEVEL,
					 cmp->folders[0]->seed + r * AB_MAX_FOLDERS + i, &row->change[i]);
			row->p[i] = fl_mann_whitney_p(a->samples, a->n, b->samples, b->n, NULL);
		}
	}
	/* Holm over each case's comparisons: its variants x the folders after A */
	for (unsigned int r = 0; r < cmp->nrows; r++) {
		double p[AB_MAX_UNITS * AB_MAX_FOLDERS];
		unsigned int m = 0, first = r;

		if (r && !strcmp(cmp->rows[r - 1].kase, cmp->rows[r].kase))
			continue;
		for (unsigned int q = first; q < cmp->nrows && !strcmp(cmp->rows[q].kase, cmp->rows[first].kase); q++)
			for (unsigned int i = 1; i < cmp->nfolders; i++)
				p[m++] = cmp->rows[q].p[i];
		fl_holm(p, m, p);
		m = 0;
		for (unsigned int q = first; q < cmp->nrows && !strcmp(cmp->rows[q].kase, cmp->rows[first].kase); q++) {
			cmp->rows[q].p_holm[0] = NAN;
			for (unsigned int i = 1; i < cmp->nfolders; i++)
				cmp->rows[q].p_holm[i] = p[m++];
		}
	}
}

static const struct ab_unit *ab_cmp_unit(const struct ab_cmp *cmp, const struct ab_cmp_row *row, unsigned int i)
{
	return &cmp->folders[i]->units[row->unit[i]];
}

/* The tables, markdown or terminal: per case, a row per variant, each folder's median and change. */
static void ab_cmp_tables(const struct ab_cmp *cmp, FILE *f, bool md)
{
	const struct ab *a = cmp->folders[0];

	for (unsigned int r = 0; r < cmp->nrows; r++) {
		const struct ab_cmp_row *row = &cmp->rows[r];
		char med[24], sd[24];

		if (!r || strcmp(cmp->rows[r - 1].kase, row->kase)) {
			if (md) {
				fprintf(f, "\n### %s %s (median %s, %s is better; change against A)\n\n| variant |",
					a->bench, row->kase, a->unit, a->better);
				for (unsigned int i = 0; i < cmp->nfolders; i++)
					fprintf(f, " %c: %s |%s", 'A' + i, cmp->dirs[i],
						i ? " vs A (95% CI) | p (Holm) |" : "");
				fprintf(f, "\n|---|");
				for (unsigned int i = 0; i < cmp->nfolders; i++)
					fprintf(f, "--:|%s", i ? "---|--:|" : "");
			} else {
				fprintf(f, "\n%s (%s): median %s (stddev), %s is better, against A\n%-16s", a->bench,
					row->kase, a->unit, a->better, "variant");
				for (unsigned int i = 0; i < cmp->nfolders; i++)
					fprintf(f, " %18c%s", 'A' + i, i ? "  vs A    95% CI             p(Holm)" : "");
			}
			fprintf(f, "\n");
		}
		fprintf(f, md ? "| %s |" : "%-16s", row->variant);
		for (unsigned int i = 0; i < cmp->nfolders; i++) {
			const struct ab_unit *u = ab_cmp_unit(cmp, row, i);
			char chg[24] = "", ci[40] = "", ph[24] = "", cell[64];

			fl_median(u->samples, u->n);
			ab_sig(med, sizeof(med), fl_median(u->samples, u->n), 4);
			{
				struct fl_summary s;

				fl_summarize(u->samples, u->n, &s);
				ab_sig(sd, sizeof(sd), s.stddev, 2);
			}
			snprintf(cell, sizeof(cell), "%s (%s)", med, sd);
			if (i) {
				snprintf(chg, sizeof(chg), "%+.1f%%", row->change[i].pct);
				snprintf(ci, sizeof(ci), "[%+.1f, %+.1f]", row->change[i].lo, row->change[i].hi);
				snprintf(ph, sizeof(ph), "%.2g %s", row->p_holm[i], fl_significance(row->p_holm[i]));
			}
			if (md)
				fprintf(f, i ? " %s | %s %s | %s |" : " %s |", cell, chg, ci, ph);
			else
				fprintf(f, i ? " %18s  %-7s %-18s %s" : " %18s", cell, chg, ci, ph);
		}
		fprintf(f, "\n");
	}
}

/* One line: what differs significantly between the folders, the largest first (at most five). */
static void ab_cmp_summary(const struct ab_cmp *cmp, char *buf, size_t len)
{
	unsigned int n = 0, tests = 0;
	size_t used = 0;

	*buf = 0;
	for (unsigned int r = 0; r < cmp->nrows; r++)
		for (unsigned int i = 1; i < cmp->nfolders; i++) {
			const struct ab_cmp_row *row = &cmp->rows[r];

			tests++;
			if (!(row->p_holm[i] < AB_ALPHA))
				continue;
			if (n++ < 5 && used < len)
				used += snprintf(buf + used, len - used, "%s%s %s %+.1f%% in %c", used ? ", " : "",
						 row->kase, row->variant, row->change[i].pct, 'A' + i);
		}
	if (!n)
		snprintf(buf, len, "no significant difference from A in any of the %u comparisons "
			 "(Holm-corrected p < %.2g)", tests, AB_ALPHA);
	else if (used < len)
		snprintf(buf + used, len - used, "%s (%u of %u comparisons significant, Holm-corrected p < %.2g)",
			 n > 5 ? ", ..." : "", n, tests, AB_ALPHA);
}

static void ab_cmp_md(const struct ab_cmp *cmp, FILE *f, const char *missing, bool plot)
{
	const struct ab *a = cmp->folders[0];
	char summary[1024];

	ab_cmp_summary(cmp, summary, sizeof(summary));
	fprintf(f, "# forklab A/B compare: %s\n\n**Summary:** %s.\n\n", a->bench, summary);
	for (unsigned int i = 0; i < cmp->nfolders; i++) {
		const struct ab *b = cmp->folders[i];

		fprintf(f, "## %c: %s\n\n", 'A' + i, cmp->dirs[i]);
		ab_env_write_md(&b->env, b->cmdline, f);
		fprintf(f, "- %u rounds per variant\n\n", b->rounds);
	}
	if (!strcmp(a->env.clock, "icount"))
		fprintf(f, "Under icount the values are guest instructions, not cycles: they carry no cache, TLB "
			   "or branch effects, only the length of the path the software took.\n\n");
	fprintf(f, "Each cell: median (stddev); vs A: change of the median against the same variant in A, "
		   "95%% percentile-bootstrap interval (%d resamples); p (Holm): two-sided Mann-Whitney U test "
		   "corrected with Holm's method over the case's comparisons; * < 0.05, ** < 0.01.\n",
		   AB_BOOTSTRAP);
	ab_cmp_tables(cmp, f, true);
	if (*missing)
		fprintf(f, "\nNot in every folder, left out: %s.\n", missing);
	fprintf(f, plot ? "\n![each folder against A](plot.svg)\n" :
			  "\nPlot: `gnuplot plot.gp` in this folder writes plot.svg.\n");
}

static void ab_cmp_csv(const struct ab_cmp *cmp, FILE *f)
{
	fprintf(f, "case,variant,folder,dir,n,median,stddev,unit,change_pct,ci_lo_pct,ci_hi_pct,p,p_holm\n");
	for (unsigned int r = 0; r < cmp->nrows; r++)
		for (unsigned int i = 0; i < cmp->nfolders; i++) {
			const struct ab_cmp_row *row = &cmp->rows[r];
			const struct ab_unit *u = ab_cmp_unit(cmp, row, i);
			struct fl_summary s;

			fl_summarize(u->samples, u->n, &s);
			fprintf(f, "%s,%s,%c,%s,%zu,%.6g,%.6g,%s,", row->kase, row->variant, 'A' + i, cmp->dirs[i], s.n,
				s.median, s.stddev, cmp->folders[0]->unit);
			if (i)
				fprintf(f, "%.2f,%.2f,%.2f,%.4g,%.4g\n", row->change[i].pct, row->change[i].lo,
					row->change[i].hi, row->p[i], row->p_holm[i]);
			else
				fprintf(f, ",,,,\n");
		}
}

static int ab_cmp_write(struct fl_cli *cli, struct ab_cmp *cmp, const char *missing)
{
	struct ab out = { .out = cmp->out };
	char path[4096];
	struct stat st;
	FILE *md, *csv, *gp;
	bool plot;

	ab_path(&out, "report.md", path, sizeof(path));
	if (!stat(path, &st))
		return fl_fail(cli, FL_EXIT_USAGE, "%s already holds a report: give another --out or move it away",
			       cmp->out);
	if (mkdir(cmp->out, 0755) && errno != EEXIST)
		return fl_fail(cli, FL_EXIT_FAILED, "cannot create %s: %s", cmp->out, strerror(errno));
	csv = ab_create(cli, &out, "compare.csv");
	gp = csv ? ab_create(cli, &out, "plot.gp") : NULL;
	if (!gp) {
		if (csv)
			fclose(csv);
		return FL_EXIT_FAILED;
	}
	ab_cmp_csv(cmp, csv);
	ab_plot_write_compare(cmp, gp);
	if (fclose(csv) | fclose(gp))
		return fl_fail(cli, FL_EXIT_FAILED, "writing %s failed", cmp->out);
	plot = ab_plot_draw(cmp->out);
	md = ab_create(cli, &out, "report.md");
	if (!md)
		return FL_EXIT_FAILED;
	ab_cmp_md(cmp, md, missing, plot);
	if (fclose(md))
		return fl_fail(cli, FL_EXIT_FAILED, "writing %s/report.md failed", cmp->out);
	return FL_EXIT_OK;
}

int ab_compare_main(struct fl_cli *cli, int argc, char **argv)
{
	struct ab_cmp *cmp = calloc(1, sizeof(*cmp));
	char dflt[64], missing[2048], summary[1024];
	unsigned long seed = 0;
	bool seeded = false;
	int i, ret = FL_EXIT_OK;

	if (!cmp)
		abort();
	for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
		unsigned int num;

		if (i + 1 == argc) {
			ret = ab_cmp_usage(cli, "an option needs a value");
			goto out;
		}
		if (!strcmp(argv[i], "--out")) {
			cmp->out = argv[i + 1];
		} else if (!strcmp(argv[i], "--seed") && fl_parse_u32(argv[i + 1], &num)) {
			seed = num;
			seeded = true;
		} else {
			ret = ab_cmp_usage(cli, "unknown option or bad value");
			goto out;
		}
	}
	if (argc - i < 2 || argc - i > AB_MAX_FOLDERS) {
		ret = ab_cmp_usage(cli, "give 2 to 8 result folders");
		goto out;
	}
	for (; i < argc; i++) {
		struct ab *ab = calloc(1, sizeof(*ab));

		if (!ab)
			abort();
		cmp->dirs[cmp->nfolders] = argv[i];
		cmp->folders[cmp->nfolders++] = ab;
		ret = ab_load(cli, argv[i], ab);
		if (ret)
			goto out;
	}
	if (seeded)
		cmp->folders[0]->seed = seed;
	ret = ab_cmp_check(cli, cmp);
	if (ret)
		goto out;
	ab_cmp_rows(cmp, missing, sizeof(missing));
	if (!cmp->nrows) {
		ret = fl_fail(cli, FL_EXIT_USAGE, "compare: no case and variant is in every folder (%s): give "
			      "folders that ran the same modes and cases", missing);
		goto out;
	}
	if (!cmp->out) {
		time_t now = time(NULL);

		strftime(dflt, sizeof(dflt), "forklab-ab-compare-%Y%m%d-%H%M%S", localtime(&now));
		cmp->out = dflt;
	}
	ab_cmp_stats(cmp);
	ret = ab_cmp_write(cli, cmp, missing);
	if (ret)
		goto out;
	ab_cmp_summary(cmp, summary, sizeof(summary));
	fprintf(cli->out, "forklab ab compare: %s, %s\nsummary: %s\n", cmp->folders[0]->bench,
		cmp->folders[0]->unit, summary);
	for (unsigned int f = 0; f < cmp->nfolders; f++) {
		char line[512];

		ab_env_line(&cmp->folders[f]->env, line, sizeof(line));
		fprintf(cli->out, "%c: %s (%s)\n", 'A' + f, cmp->dirs[f], line);
	}
	ab_cmp_tables(cmp, cli->out, false);
	if (*missing)
		fprintf(cli->out, "\nnot in every folder, left out: %s\n", missing);
	fprintf(cli->out, "\nreport: %s/report.md\n", cmp->out);
out:
	for (unsigned int f = 0; f < cmp->nfolders; f++)
		ab_free(cmp->folders[f]);
	free(cmp);
	return ret;
}
