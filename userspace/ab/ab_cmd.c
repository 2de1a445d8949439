// SPDX-License-Identifier: GPL-2.0
/*
 * 'forklab ab': an A/B experiment (a benchmark, or a command of the user's,
 * under each copy mode and contpte policy, with statistics), or with
 * 'compare' the side by side of result folders.  This file only sequences
 * the parts: the plan (ab_plan.c), the runs (ab_run.c), the report
 * (ab_report.c), the comparison (ab_compare.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "ab.h"
#include "ab_cmd.h"

/* The result folder: new, or empty; never overwrites a report. */
static int ab_make_out(struct fl_cli *cli, struct ab *ab, char *dflt, size_t len)
{
	struct stat st;
	char probe[PATH_MAX];

	if (!ab->out) {
		strftime(dflt, len, "forklab-ab-%Y%m%d-%H%M%S", localtime(&ab->started));
		ab->out = dflt;
	}
	ab_path(ab, "results.json", probe, sizeof(probe));
	if (!stat(probe, &st))
		return fl_fail(cli, FL_EXIT_USAGE, "%s already holds results: give another --out or move it away",
			       ab->out);
	if (mkdir(ab->out, 0755) && errno != EEXIST)
		return fl_fail(cli, FL_EXIT_FAILED, "cannot create the result folder %s: %s", ab->out,
			       strerror(errno));
	return FL_EXIT_OK;
}

int fl_cmd_ab(struct fl_cli *cli, int argc, char **argv)
{
	const char *modes_arg = "all", *policies_arg = "kernel", *baseline = NULL;
	struct forklab_version v;
	struct ab *ab = calloc(1, sizeof(*ab));
	struct fl_dev *dev = NULL;
	char outdflt[64], *vary = NULL;
	int ret;

	if (!ab)
		abort();
	if (argc > 1 && !strcmp(argv[1], "compare")) {
		free(ab);
		return ab_compare_main(cli, argc - 1, argv + 1);
	}
	ab->rounds = 9;
	ab->warmup = 1;
	ab->seed = 1;
	ab->started = time(NULL);
	ret = ab_parse_args(cli, ab, argc, argv, &modes_arg, &policies_arg, &baseline, &vary);
	if (!ret)
		ret = fl_open(cli, &dev, &v);
	if (ret)
		goto out;
	ab_env_detect(getenv("FORKLAB_ENV_ROOT") ? getenv("FORKLAB_ENV_ROOT") : "", ab->clock_arg, &ab->env);
	snprintf(ab->release, sizeof(ab->release), "%s", v.release);
	snprintf(ab->machine, sizeof(ab->machine), "%s", v.machine);
	snprintf(ab->module_version, sizeof(ab->module_version), "%s", v.module_version);
	ret = ab_plan(cli, ab, &v, modes_arg, policies_arg, baseline);
	if (!ret)
		ret = ab_make_out(cli, ab, outdflt, sizeof(outdflt));
	if (!ret)
		ret = ab_execute(cli, dev, ab);
	if (!ret)
		ret = ab_report(cli, ab);
out:
	if (dev)
		fl_dev_close(dev);
	free(vary);
	ab_free(ab);
	return ret;
}
