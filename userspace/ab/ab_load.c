// SPDX-License-Identifier: GPL-2.0
/*
 * A result folder read back: its results.json into a struct ab, with
 * Debian's jansson (linked statically into the guests' binaries), so that
 * 'forklab ab compare' can put folders side by side and recompute their
 * statistics from the samples.  Strings point into the parsed document,
 * which lives as long as the struct ab.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ab.h"

static const char *ab_jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static double ab_jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void ab_jcopy(char *buf, size_t len, json_t *o, const char *key)
{
	snprintf(buf, len, "%s", ab_jstr(o, key));
}

static void ab_load_env(json_t *root, struct ab *ab)
{
	json_t *e = json_object_get(root, "environment");
	struct ab_env *env = &ab->env;

	ab_jcopy(env->clock, sizeof(env->clock), root, "clock");
	if (!*env->clock)
		snprintf(env->clock, sizeof(env->clock), "time");	/* format 1 predates icount */
	if (!json_is_object(e)) {
		snprintf(env->platform, sizeof(env->platform), "unknown (format 1)");
		ab_jcopy(env->release, sizeof(env->release), root, "kernel");
		snprintf(env->cpu, sizeof(env->cpu), "unknown");
		snprintf(env->forklab_git, sizeof(env->forklab_git), "unknown");
		return;
	}
	ab_jcopy(env->platform, sizeof(env->platform), e, "platform");
	ab_jcopy(env->cpu, sizeof(env->cpu), e, "cpu");
	ab_jcopy(env->arch, sizeof(env->arch), e, "arch");
	env->vcpus = (unsigned int)json_integer_value(json_object_get(e, "vcpus"));
	env->mem_kib = (unsigned long long)json_integer_value(json_object_get(e, "memory_kib"));
	ab_jcopy(env->release, sizeof(env->release), e, "kernel");
	ab_jcopy(env->cmdline, sizeof(env->cmdline), e, "kernel_cmdline");
	ab_jcopy(env->thp, sizeof(env->thp), e, "thp");
	ab_jcopy(env->mthp, sizeof(env->mthp), e, "mthp");
	ab_jcopy(env->forklab_git, sizeof(env->forklab_git), e, "forklab_git");
	ab_jcopy(env->clock_source, sizeof(env->clock_source), e, "clock_source");
}

/* One entry of "results": its case (added to ab->cases when new), variant and samples. */
static int ab_load_unit(struct fl_cli *cli, const char *path, json_t *r, struct ab *ab)
{
	struct ab_unit *u = &ab->units[ab->nunits];
	json_t *samples = json_object_get(r, "samples");
	const char *kase = ab_jstr(r, "case");
	unsigned int c;
	size_t i;

	if (ab->nunits == AB_MAX_UNITS)
		return fl_fail(cli, FL_EXIT_USAGE, "%s has more than %d variants", path, AB_MAX_UNITS);
	if (!json_is_array(samples) || !json_array_size(samples) || !*ab_jstr(r, "variant"))
		return fl_fail(cli, FL_EXIT_USAGE, "%s: result %u has no variant or no samples: not a "
			       "results.json of 'forklab ab'", path, ab->nunits + 1);
	for (c = 0; c < ab->ncases && strcmp(ab->cases[c], kase); c++)
		;
	if (c == ab->ncases) {
		if (c == AB_MAX_CASES)
			return fl_fail(cli, FL_EXIT_USAGE, "%s has more than %d cases", path, AB_MAX_CASES);
		ab->cases[ab->ncases++] = kase;
	}
	memset(u, 0, sizeof(*u));
	u->kase = c;
	snprintf(u->variant, sizeof(u->variant), "%s", ab_jstr(r, "variant"));
	u->mode = fl_mode_by_name(ab_jstr(r, "mode")) < 0 ? 0 : fl_mode_by_name(ab_jstr(r, "mode"));
	u->policy = fl_contpte_by_name(ab_jstr(r, "contpte")) < 0 ? 0 : fl_contpte_by_name(ab_jstr(r, "contpte"));
	u->baseline = json_is_true(json_object_get(r, "baseline"));
	u->forks = ab_jnum(r, "forks");
	u->samples = calloc(json_array_size(samples), sizeof(double));
	if (!u->samples)
		abort();
	for (i = 0; i < json_array_size(samples); i++) {
		json_t *v = json_array_get(samples, i);

		if (!json_is_number(v))
			return fl_fail(cli, FL_EXIT_USAGE, "%s: %s has a sample that is not a number", path,
				       u->variant);
		u->samples[u->n++] = json_number_value(v);
	}
	ab->nunits++;
	return FL_EXIT_OK;
}

int ab_load(struct fl_cli *cli, const char *dir, struct ab *ab)
{
	char path[4096];
	json_error_t err;
	json_t *root, *results, *args;
	int ret = FL_EXIT_OK;

	memset(ab, 0, sizeof(*ab));
	snprintf(path, sizeof(path), "%s/results.json", dir);
	root = json_load_file(path, 0, &err);
	if (!root)
		return fl_fail(cli, FL_EXIT_USAGE, "cannot read %s: %s "
			       "(line %d): give folders that 'forklab ab' wrote", path, err.text, err.line);
	ab->loaded = root;
	results = json_object_get(root, "results");
	if (!json_is_object(root) || !json_is_array(results) || !*ab_jstr(root, "benchmark"))
		return fl_fail(cli, FL_EXIT_USAGE, "%s is not a results.json of 'forklab ab' (no benchmark or "
			       "results)", path);
	ab->out = dir;
	ab->bench = ab_jstr(root, "benchmark");
	ab->command = !strcmp(ab->bench, "command");
	ab->vary_opt = *ab_jstr(root, "vary") ? ab_jstr(root, "vary") : NULL;
	ab->rounds = (unsigned int)json_integer_value(json_object_get(root, "rounds"));
	ab->seed = (unsigned long)json_integer_value(json_object_get(root, "seed"));
	ab_jcopy(ab->cmdline, sizeof(ab->cmdline), root, "command");
	ab_jcopy(ab->release, sizeof(ab->release), root, "kernel");
	ab_jcopy(ab->machine, sizeof(ab->machine), root, "machine");
	ab_jcopy(ab->unit, sizeof(ab->unit), root, "unit");
	ab_jcopy(ab->bench_unit, sizeof(ab->bench_unit), root, "benchmark_unit");
	ab_jcopy(ab->better, sizeof(ab->better), root, "better");
	ab_load_env(root, ab);
	args = json_object_get(root, "benchmark_args");
	ab->nbench_args = json_is_array(args) ? (int)json_array_size(args) : 0;
	ab->bench_args = calloc(ab->nbench_args + 1, sizeof(char *));
	if (!ab->bench_args)
		abort();
	for (int i = 0; i < ab->nbench_args; i++)
		ab->bench_args[i] = (char *)(json_string_value(json_array_get(args, i)) ?: "");
	for (size_t i = 0; !ret && i < json_array_size(results); i++)
		ret = ab_load_unit(cli, path, json_array_get(results, i), ab);
	if (!ret && !ab->nunits)
		ret = fl_fail(cli, FL_EXIT_USAGE, "%s holds no results", path);
	return ret;
}

void ab_free(struct ab *ab)
{
	if (!ab)
		return;
	for (unsigned int k = 0; k < ab->nunits; k++)
		free(ab->units[k].samples);
	if (ab->loaded) {
		free(ab->bench_args);
		json_decref(ab->loaded);
	}
	free(ab);
}
