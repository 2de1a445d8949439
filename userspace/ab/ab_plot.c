// SPDX-License-Identifier: GPL-2.0
/*
 * plot.gp: a gnuplot script of the experiment's key evidence, drawn into
 * plot.svg by gnuplot (here if it is installed, else by tools/ab on the
 * host).  A forest plot per case: each variant's median as a ratio to the
 * baseline's with its 95% interval, on a log axis so that a variant 20x
 * slower and one 2% faster are both readable; significant changes (Holm)
 * in red.  On arm64, when invalidations were counted, a panel of ranged
 * TLB invalidations per fork, the contpte experiment's evidence.  The title
 * says where it ran.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ab.h"

extern char **environ;

struct ab_plot_point {
	const char *label, *label2;	/* "batched", or "batched" + " @ dirB" */
	double ratio, lo, hi;		/* of medians, against the baseline */
	bool significant;
};

static double ab_ratio(double pct)
{
	double r = 1 + pct / 100;

	return r > 1e-3 ? r : 1e-3;	/* a log axis cannot show 0 */
}

/* A gnuplot double-quoted string: newlines become line breaks, quotes and backslashes escaped. */
static void ab_gp_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void ab_plot_panel(FILE *f, unsigned int id, const char *title, const char *xlabel,
			  const struct ab_plot_point *pt, unsigned int n)
{
	double lo = 1, hi = 1;

	fprintf(f, "$forest%u << EOD\n", id);
	for (unsigned int i = 0; i < n; i++) {
		/* the first variant on top */
		fprintf(f, "%u %.6g %.6g %.6g %d \"%s%s\"\n", n - i, pt[i].ratio, pt[i].lo, pt[i].hi,
			pt[i].significant, pt[i].label, pt[i].label2 ? pt[i].label2 : "");
		lo = fmin(lo, fmin(pt[i].lo, pt[i].ratio));
		hi = fmax(hi, fmax(pt[i].hi, pt[i].ratio));
	}
	fprintf(f, "EOD\nset title ");
	ab_gp_str(f, title);
	fprintf(f, " noenhanced\nset xlabel ");
	ab_gp_str(f, xlabel);
	{
		/* ticks as fine as the panel's range: icount's 1 % changes and a 20x one both read */
		static const char *const ticks[] = {
			"(0.9, 0.92, 0.94, 0.96, 0.98, 1, 1.02, 1.04, 1.06, 1.08, 1.1)",
			"(0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.35, 1.5, 1.75, 2)",
			"(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)",
		};
		double span = log(hi / lo);

		/* room on the right for the labels of the changes */
		fprintf(f, " noenhanced\nset xrange [%.6g:%.6g]\nset yrange [0.4:%u.6]\nset xtics %s\n",
			lo * exp(-0.05 * span - 0.004), hi * exp(0.3 * span + 0.012), n,
			ticks[span < 0.15 ? 0 : span < 0.7 ? 1 : 2]);
	}
	fprintf(f, "plot $forest%u using 2:1:3:4:ytic(6) with xerrorbars pt 7 ps 0.9 lc rgb '#3060a0', \\\n", id);
	/* red over the significant ones; only when there are (gnuplot warns of an empty plot) */
	for (unsigned int i = 0; i < n; i++)
		if (pt[i].significant) {
			fprintf(f, "     $forest%u using ($5 > 0 ? $2 : 1/0):1 with points pt 7 ps 1.1 lc rgb "
				   "'#c03030', \\\n", id);
			break;
		}
	fprintf(f, "     $forest%u using 4:1:(sprintf('  %%+.1f%%%%', ($2 - 1) * 100)) with labels left font ',9'\n",
		id);
}

/* What all panels share: log x axis, the line of no change, text left alone. */
static void ab_plot_head(FILE *f, unsigned int panels, unsigned int rows, const char *title)
{
	fprintf(f, "# forklab A/B: the median of each variant against its baseline, 95%% interval (red:\n"
		   "# significant after Holm's correction).  'gnuplot plot.gp' in the result folder writes plot.svg.\n");
	fprintf(f, "set terminal svg size 900,%u dynamic font 'sans,11' background '#ffffff'\n",
		60 + panels * 90 + rows * 26);
	fprintf(f, "set output 'plot.svg'\nunset key\nset grid xtics mxtics\nset logscale x 10\n"
		   "set format x '%%gx'\nset ytics noenhanced\nset border 3\n"
		   "set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 2 lc rgb '#606060'\n");
	fprintf(f, "set multiplot layout %u,1 title ", panels);
	ab_gp_str(f, title);
	fprintf(f, " noenhanced\n");
}

/* Invalidations per fork: the module's under a contpte policy, else bpftrace's tlb_fork map. */
static bool ab_plot_inval(const struct ab *ab, const struct ab_unit *u, double *v)
{
	if (u->policy != FORKLAB_CONTPTE_KERNEL && u->forks > 0) {
		*v = u->module.inval_fork / u->forks;
		return true;
	}
	for (unsigned int m = 0; m < ab->nbt_maps; m++)
		if (!strcmp(ab->bt_maps[m], "tlb_fork") && u->forks_all > 0) {
			*v = u->bt[m] / u->forks_all;
			return true;
		}
	return false;
}

void ab_plot_write(const struct ab *ab, FILE *f)
{
	struct ab_plot_point pt[AB_MAX_UNITS];
	char title[1024], env[512], xlabel[512];
	unsigned int panels = 0;
	bool inval = false;
	double v;

	if (!strcmp(ab->machine, "aarch64"))
		for (unsigned int k = 0; k < ab->nunits; k++)
			inval |= ab_plot_inval(ab, &ab->units[k], &v);
	ab_env_line(&ab->env, env, sizeof(env));
	snprintf(title, sizeof(title), "%s, %s (%u rounds)\n%s", ab->bench, ab->unit, ab->rounds, env);
	/* a case of its baseline alone has nothing to compare: no panel */
	for (unsigned int k = 0; k < ab->nunits; k++)
		if (!ab->units[k].baseline)
			panels |= 1U << ab->units[k].kase;
	ab_plot_head(f, __builtin_popcount(panels) + inval, ab->nunits, title);
	for (unsigned int c = 0; c < ab->ncases; c++) {
		const struct ab_unit *b = ab_base(ab, c);
		unsigned int n = 0;
		char t[512];

		if (!(panels & (1U << c)))
			continue;

		for (unsigned int k = 0; k < ab->nunits; k++) {
			const struct ab_unit *u = &ab->units[k];

			if (u->kase != c || u->baseline)
				continue;
			pt[n++] = (struct ab_plot_point){ u->variant, NULL, ab_ratio(u->change.pct),
							  ab_ratio(u->change.lo), ab_ratio(u->change.hi),
							  u->p_holm < AB_ALPHA };
		}
		snprintf(t, sizeof(t), "%s%s%s: median %s against %s (%s)", ab->bench, ab->vary_opt ? " " : "",
			 ab->vary_opt ? ab->cases[c] : "", ab->unit, b->variant, ab->better);
		snprintf(xlabel, sizeof(xlabel), "ratio to %s (log scale; %s is better)", b->variant, ab->better);
		ab_plot_panel(f, c, t, xlabel, pt, n);
	}
	if (inval) {
		fprintf(f, "$inval << EOD\n");
		for (unsigned int k = 0, x = 0; k < ab->nunits; k++)
			if (ab_plot_inval(ab, &ab->units[k], &v))
				fprintf(f, "%u %.6g \"%s\"\n", x++, v, ab->units[k].variant);
		fprintf(f, "EOD\nunset logscale x\nunset arrow 1\nset xtics auto rotate by -30 noenhanced\n"
			   "set format x '%%g'\nset xrange [-0.6:*]\nset yrange [0:*]\nset grid ytics\n"
			   "set style fill solid 0.5 border\nset boxwidth 0.6\nset xlabel ''\n"
			   "set title 'ranged TLB invalidations per fork (contpte folds and unfolds)' noenhanced\n"
			   "plot $inval using 1:2:xtic(3) with boxes lc rgb '#a06030', "
			   "$inval using 1:2:(sprintf('%%.0f', $2)) with labels offset 0,0.7 font ',9'\n");
	}
	fprintf(f, "unset multiplot\n");
}

void ab_plot_write_compare(const struct ab_cmp *cmp, FILE *f)
{
	struct ab_plot_point pt[AB_MAX_UNITS * AB_MAX_FOLDERS];
	const struct ab *a = cmp->folders[0];
	char title[2048], suffix[AB_MAX_FOLDERS][8], cases[AB_MAX_CASES][40];
	unsigned int ncases = 0, panel = 0;
	size_t used;

	/* folders by letter in the rows, named once in the title with where they ran */
	used = snprintf(title, sizeof(title), "%s, %s: each folder against A", a->bench, a->unit);
	for (unsigned int i = 0; i < cmp->nfolders && used < sizeof(title); i++) {
		const char *base = strrchr(cmp->dirs[i], '/') && strrchr(cmp->dirs[i], '/')[1] ?
				   strrchr(cmp->dirs[i], '/') + 1 : cmp->dirs[i];
		char env[512];

		ab_env_line(&cmp->folders[i]->env, env, sizeof(env));
		used += snprintf(title + used, sizeof(title) - used, "\n%c: %s (%s)", 'A' + i, base, env);
		snprintf(suffix[i], sizeof(suffix[i]), " (%c)", 'A' + i);
	}
	for (unsigned int r = 0; r < cmp->nrows; r++) {
		unsigned int c;

		for (c = 0; c < ncases && strcmp(cases[c], cmp->rows[r].kase); c++)
			;
		if (c == ncases && ncases < AB_MAX_CASES)
			snprintf(cases[ncases++], sizeof(cases[0]), "%s", cmp->rows[r].kase);
	}
	ab_plot_head(f, ncases, cmp->nrows * (cmp->nfolders - 1) + 2 * cmp->nfolders, title);
	for (unsigned int c = 0; c < ncases; c++, panel++) {
		unsigned int n = 0;
		char t[512], xlabel[512];

		for (unsigned int r = 0; r < cmp->nrows; r++) {
			const struct ab_cmp_row *row = &cmp->rows[r];

			if (strcmp(row->kase, cases[c]))
				continue;
			for (unsigned int i = 1; i < cmp->nfolders; i++)
				pt[n++] = (struct ab_plot_point){ row->variant, suffix[i], ab_ratio(row->change[i].pct),
								  ab_ratio(row->change[i].lo),
								  ab_ratio(row->change[i].hi),
								  row->p_holm[i] < AB_ALPHA };
		}
		snprintf(t, sizeof(t), "%s %s: median against the same variant in A", a->bench, cases[c]);
		snprintf(xlabel, sizeof(xlabel), "ratio to A (log scale; %s is better)", a->better);
		ab_plot_panel(f, panel, t, xlabel, pt, n);
	}
	fprintf(f, "unset multiplot\n");
}

/* gnuplot plot.gp in @dir, if gnuplot is there; true when plot.svg was written. */
bool ab_plot_draw(const char *dir)
{
	char cd[4200], *argv[] = { "gnuplot", "-e", cd, NULL };
	posix_spawn_file_actions_t fa;
	int status;
	pid_t pid;

	snprintf(cd, sizeof(cd), "cd '%s'; load 'plot.gp'", dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return false;
	}
	posix_spawn_file_actions_destroy(&fa);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status);
}
