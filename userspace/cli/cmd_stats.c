// SPDX-License-Identifier: GPL-2.0
/*
 * 'forklab stats': global and per-mode counters, the latency histogram, and
 * on arm64 what each contpte policy's helpers did.
 */
#include <string.h>
#include "commands.h"

static void fl_hist_text(FILE *f, const struct forklab_stats *st)
{
	uint64_t max = 0;
	int b, first = -1, last = -1;

	for (b = 0; b < FORKLAB_HIST_BUCKETS; b++) {
		if (!st->time_hist[b])
			continue;
		if (first < 0)
			first = b;
		last = b;
		if (st->time_hist[b] > max)
			max = st->time_hist[b];
	}
	for (b = first; b >= 0 && b <= last; b++) {
		int bar = (int)(st->time_hist[b] * 40 / max);

		fprintf(f, "    [%10llu, %10llu) ns %10llu |%.*s\n", 1ULL << b, 1ULL << (b + 1),
			(unsigned long long)st->time_hist[b], bar,
			"########################################");
	}
}

/* Run lengths as "1:N 2-3:N ... 512:N", buckets that are zero left out. */
static void fl_runs_text(FILE *f, const struct forklab_stats *st)
{
	int b;

	fprintf(f, "    run lengths:");
	for (b = 0; b < FORKLAB_RUN_BUCKETS; b++) {
		unsigned long lo = 1UL << b, hi = (2UL << b) - 1;

		if (!st->run_hist[b])
			continue;
		if (b == FORKLAB_RUN_BUCKETS - 1 || lo == hi)
			fprintf(f, " %lu:%llu", lo, (unsigned long long)st->run_hist[b]);
		else
			fprintf(f, " %lu-%lu:%llu", lo, hi, (unsigned long long)st->run_hist[b]);
	}
	fprintf(f, "\n");
}

/* What forklab's own walk did: only modes that run it have any of it. */
static void fl_walk_text(FILE *f, const struct forklab_stats *st)
{
	if (!st->vmas)
		return;
	fprintf(f, "    walk: %llu VMAs, %llu PTEs present (%llu in large folios), %llu non-present, "
		"%llu runs\n", (unsigned long long)st->vmas, (unsigned long long)st->ptes_present,
		(unsigned long long)st->large_folio_ptes, (unsigned long long)st->ptes_nonpresent,
		(unsigned long long)st->runs);
	fprintf(f, "    pinned pages copied %llu, allocation retries %llu, failures %llu\n",
		(unsigned long long)st->pinned_copies, (unsigned long long)st->alloc_retries,
		(unsigned long long)st->alloc_failures);
	fl_runs_text(f, st);
}

static void fl_mode_stats_json(struct fl_json *j, unsigned int m, const struct forklab_stats *st)
{
	int b;

	fl_json_object_begin(j, NULL);
	fl_json_string(j, "mode", fl_mode_name(m));
	fl_json_u64(j, "calls", st->calls);
	fl_json_u64(j, "errors", st->errors);
	fl_json_u64(j, "time_ns", st->time_ns);
	fl_json_array_begin(j, "time_hist_log2_ns");
	for (b = 0; b < FORKLAB_HIST_BUCKETS; b++)
		fl_json_u64(j, NULL, st->time_hist[b]);
	fl_json_array_end(j);
	fl_json_u64(j, "vmas", st->vmas);
	fl_json_u64(j, "ptes_present", st->ptes_present);
	fl_json_u64(j, "ptes_nonpresent", st->ptes_nonpresent);
	fl_json_u64(j, "runs", st->runs);
	fl_json_array_begin(j, "run_hist_log2");
	for (b = 0; b < FORKLAB_RUN_BUCKETS; b++)
		fl_json_u64(j, NULL, st->run_hist[b]);
	fl_json_array_end(j);
	fl_json_u64(j, "large_folio_ptes", st->large_folio_ptes);
	fl_json_u64(j, "pinned_copies", st->pinned_copies);
	fl_json_u64(j, "alloc_retries", st->alloc_retries);
	fl_json_u64(j, "alloc_failures", st->alloc_failures);
	fl_json_object_end(j);
}

static const char *const fl_helper_names[FORKLAB_CONTPTE_HELPER_COUNT] = {
	[FORKLAB_CONTPTE_WRPROTECT] = "wrprotect",
	[FORKLAB_CONTPTE_SET] = "set",
	[FORKLAB_CONTPTE_CLEAR] = "clear",
};

static bool fl_contpte_ran(const struct forklab_stats *st)
{
	unsigned int h;

	for (h = 0; h < FORKLAB_CONTPTE_HELPER_COUNT; h++)
		if (st->contpte[h].calls)
			return true;
	return false;
}

/* One policy's helpers: text lines, or an object in the "contpte" array. */
static void fl_contpte_stats(struct fl_cli *cli, unsigned int policy, const struct forklab_stats *st)
{
	unsigned int h;

	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_json_string(&cli->j, "policy", fl_contpte_name(policy));
		for (h = 0; h < FORKLAB_CONTPTE_HELPER_COUNT; h++) {
			const struct forklab_contpte_counters *c = &st->contpte[h];

			fl_json_object_begin(&cli->j, fl_helper_names[h]);
			fl_json_u64(&cli->j, "calls", c->calls);
			fl_json_u64(&cli->j, "ptes", c->ptes);
			fl_json_u64(&cli->j, "unfolds", c->unfolds);
			fl_json_u64(&cli->j, "folds", c->folds);
			fl_json_u64(&cli->j, "invalidations", c->invalidations);
			fl_json_u64(&cli->j, "blocks_kept", c->blocks_kept);
			fl_json_object_end(&cli->j);
		}
		fl_json_object_end(&cli->j);
		return;
	}
	fprintf(cli->out, "\ncontpte %s:\n", fl_contpte_name(policy));
	for (h = 0; h < FORKLAB_CONTPTE_HELPER_COUNT; h++) {
		const struct forklab_contpte_counters *c = &st->contpte[h];

		fprintf(cli->out, "    %-9s %llu calls, %llu PTEs: %llu unfolds, %llu folds, "
			"%llu ranged TLB invalidations, %llu whole blocks kept\n", fl_helper_names[h],
			(unsigned long long)c->calls, (unsigned long long)c->ptes,
			(unsigned long long)c->unfolds, (unsigned long long)c->folds,
			(unsigned long long)c->invalidations, (unsigned long long)c->blocks_kept);
	}
}

int fl_cmd_stats(struct fl_cli *cli, int argc, char **argv)
{
	struct forklab_version v;
	struct forklab_stats st;
	struct fl_dev *dev;
	bool reset = false;
	int i, ret, only = -1;
	unsigned int m;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reset")) {
			reset = true;
		} else if (!strcmp(argv[i], "--mode")) {
			if (++i >= argc)
				return fl_fail(cli, FL_EXIT_USAGE, "stats: --mode needs a mode name");
			only = fl_mode_by_name(argv[i]);
			if (only < 0)
				return fl_fail(cli, FL_EXIT_USAGE, "stats: unknown mode '%s'", argv[i]);
		} else {
			return fl_fail(cli, FL_EXIT_USAGE, "stats: unknown argument '%s'", argv[i]);
		}
	}
	if (reset && only >= 0)
		return fl_fail(cli, FL_EXIT_USAGE, "stats: --reset resets every mode; drop --mode");

	ret = fl_open(cli, &dev, &v);
	if (ret)
		return ret;
	if (reset) {
		ret = fl_dev_reset_stats(dev);
		fl_dev_close(dev);
		if (ret)
			return fl_fail_errno(cli, "reset statistics", ret);
		if (cli->json) {
			fl_json_object_begin(&cli->j, NULL);
			fl_json_bool(&cli->j, "reset", true);
			fl_json_object_end(&cli->j);
		} else {
			fprintf(cli->out, "statistics reset\n");
		}
		return FL_EXIT_OK;
	}

	ret = fl_dev_get_stats(dev, FORKLAB_MODE_STOCK, FORKLAB_CONTPTE_KERNEL, &st);
	if (ret) {
		fl_dev_close(dev);
		return fl_fail_errno(cli, "statistics", ret);
	}
	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_json_u64(&cli->j, "redirected", st.redirected);
		fl_json_u64(&cli->j, "out_of_scope", st.out_of_scope);
		fl_json_u64(&cli->j, "in_flight", st.in_flight);
		fl_json_u64(&cli->j, "registrations", st.registrations);
		fl_json_array_begin(&cli->j, "modes");
	} else {
		fprintf(cli->out, "redirected %llu  out-of-scope %llu  in-flight %llu  registrations %llu\n",
			(unsigned long long)st.redirected, (unsigned long long)st.out_of_scope,
			(unsigned long long)st.in_flight, (unsigned long long)st.registrations);
	}
	for (m = 0; m < FORKLAB_MODE_COUNT; m++) {
		if ((only >= 0 && m != (unsigned int)only) || !(v.modes_supported & (1U << m)))
			continue;
		ret = fl_dev_get_stats(dev, m, FORKLAB_CONTPTE_KERNEL, &st);
		if (ret)
			break;
		if (cli->json) {
			fl_mode_stats_json(&cli->j, m, &st);
			continue;
		}
		/* text: modes that never ran are noise unless asked for */
		if (!st.calls && only < 0)
			continue;
		fprintf(cli->out, "\n%s: %llu calls, %llu errors, mean %.1f us\n", fl_mode_name(m),
			(unsigned long long)st.calls, (unsigned long long)st.errors,
			st.calls ? st.time_ns / 1000.0 / st.calls : 0.0);
		fl_walk_text(cli->out, &st);
		fl_hist_text(cli->out, &st);
	}
	if (cli->json)
		fl_json_array_end(&cli->j);
	/* contpte policies: where there are any besides the kernel's own */
	if (!ret && (v.features & FORKLAB_FEAT_CONTPTE)) {
		if (cli->json)
			fl_json_array_begin(&cli->j, "contpte");
		for (m = 0; m < FORKLAB_CONTPTE_POLICY_COUNT && !ret; m++) {
			if (m == FORKLAB_CONTPTE_KERNEL || !(v.contpte_supported & (1U << m)))
				continue;
			ret = fl_dev_get_stats(dev, FORKLAB_MODE_STOCK, m, &st);
			if (!ret && (cli->json || fl_contpte_ran(&st)))
				fl_contpte_stats(cli, m, &st);
		}
		if (cli->json)
			fl_json_array_end(&cli->j);
	}
	fl_dev_close(dev);
	if (ret)
		return fl_fail_errno(cli, "statistics", ret);
	if (cli->json)
		fl_json_object_end(&cli->j);
	return FL_EXIT_OK;
}
