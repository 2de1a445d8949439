// SPDX-License-Identifier: GPL-2.0
/*
 * 'forklab ab': its command line and the plan it makes of it: the variants
 * (modes x contpte policies x --vary cases), each with the command name its
 * runs carry (the scope and bpftrace's key), and which one is each case's
 * baseline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ab.h"

/* "a,b,c" -> values via @lookup; "all" -> every supported one. */
static int ab_parse_list(struct fl_cli *cli, const char *what, const char *arg, int (*lookup)(const char *),
			 unsigned int supported, unsigned int count, unsigned int *out, unsigned int *n)
{
	const char *cmd = strcmp(what, "mode") ? "contpte" : "mode";
	char *copy = strdup(arg), *tok, *save;
	int ret = FL_EXIT_OK;

	*n = 0;
	if (!strcmp(arg, "all")) {
		for (unsigned int i = 0; i < count; i++)
			if (supported & (1U << i))
				out[(*n)++] = i;
		free(copy);
		return *n ? FL_EXIT_OK : fl_fail(cli, FL_EXIT_UNSUPPORTED, "no %s is supported here", what);
	}
	for (tok = strtok_r(copy, ",", &save); tok && !ret && *n < 32; tok = strtok_r(NULL, ",", &save)) {
		int v = lookup(tok);

		if (v < 0) {
			ret = fl_fail(cli, FL_EXIT_USAGE, "unknown %s '%s' (see 'forklab %s --list')", what, tok, cmd);
			break;
		}
		if (!(supported & (1U << v))) {
			ret = fl_fail(cli, FL_EXIT_UNSUPPORTED, "%s '%s' is not supported here (see 'forklab %s "
				      "--list')", what, tok, cmd);
			break;
		}
		for (unsigned int i = 0; i < *n && !ret; i++)
			if (out[i] == (unsigned int)v)
				ret = fl_fail(cli, FL_EXIT_USAGE, "%s '%s' is listed twice", what, tok);
		out[(*n)++] = v;
	}
	free(copy);
	if (!ret && !*n)
		ret = fl_fail(cli, FL_EXIT_USAGE, "no %s given", what);
	return ret;
}

static int ab_usage(struct fl_cli *cli, const char *msg, const char *arg)
{
	return fl_fail(cli, FL_EXIT_USAGE, "%s%s%s (see 'forklab help ab')", msg, arg ? " " : "",
		       arg ? arg : "");
}

/* The command line: options, the benchmark and its arguments. */
int ab_parse_args(struct fl_cli *cli, struct ab *ab, int argc, char **argv, const char **modes_arg,
			 const char **policies_arg, const char **baseline, char **vary)
{
	static const char *const benches[] = { "latency", "fork-exit", "mprotect" };
	static char optname[40];
	int i, known = 0;
	size_t clen = 0;

	for (i = 0; i < argc && clen < sizeof(ab->cmdline) - 1; i++)
		clen += snprintf(ab->cmdline + clen, sizeof(ab->cmdline) - clen, "%s%s", i ? " " : "forklab ",
				 argv[i]);
	for (i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned int num;

		if (!val)
			return ab_usage(cli, opt, "needs a value");
		i++;
		if (!strcmp(opt, "--modes")) {
			*modes_arg = val;
		} else if (!strcmp(opt, "--contpte")) {
			*policies_arg = val;
		} else if (!strcmp(opt, "--baseline")) {
			*baseline = val;
		} else if (!strcmp(opt, "--out")) {
			ab->out = val;
		} else if (!strcmp(opt, "--bpftrace")) {
			if (access(val, R_OK))
				return fl_fail(cli, FL_EXIT_USAGE, "--bpftrace %s: %s", val, strerror(errno));
			ab->bpftrace = val;
		} else if (!strcmp(opt, "--clock")) {
			if (strcmp(val, "auto") && strcmp(val, "icount") && strcmp(val, "time"))
				return ab_usage(cli, "--clock is auto, icount or time, not", val);
			ab->clock_arg = val;
		} else if (!strcmp(opt, "--vary")) {
			free(*vary);
			*vary = strdup(val);
		} else if (!strcmp(opt, "--rounds") || !strcmp(opt, "--warmup") || !strcmp(opt, "--seed")) {
			if (!fl_parse_u32(val, &num))
				return ab_usage(cli, opt, "takes a whole number");
			if (!strcmp(opt, "--rounds")) {
				if (num < 2 || num > 1000)
					return ab_usage(cli, "--rounds must be 2..1000 (a median of fewer is no median)",
							NULL);
				ab->rounds = num;
			} else if (!strcmp(opt, "--warmup")) {
				if (num > 100)
					return ab_usage(cli, "--warmup must be 0..100", NULL);
				ab->warmup = num;
			} else {
				ab->seed = num;
			}
		} else {
			return ab_usage(cli, "unknown option", opt);
		}
	}
	if (i < argc && !strcmp(argv[i], "--")) {
		/* -- CMD ARGS: the user's command, timed as a whole, is the benchmark */
		if (i + 1 == argc)
			return ab_usage(cli, "-- needs a command to run, e.g. -- make -j1", NULL);
		if (*vary)
			return ab_usage(cli, "--vary sets an option of forklab-bench; with -- CMD there is "
					"none to set", NULL);
		if (ab->bpftrace)
			return ab_usage(cli, "--bpftrace keys its maps by the runs' command names, which a "
					"command of yours does not carry: leave out --bpftrace with -- CMD", NULL);
		ab->command = true;
		ab->bench = "command";
		ab->bench_args = argv + i + 1;
		ab->nbench_args = argc - i - 1;
		ab->cases[ab->ncases++] = "";
		return FL_EXIT_OK;
	}
	if (i == argc)
		return ab_usage(cli, "which benchmark? (latency, fork-exit, mprotect, or -- CMD ARGS)", NULL);
	ab->bench = argv[i];
	for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++)
		known |= !strcmp(ab->bench, benches[b]);
	if (!known)
		return ab_usage(cli, "unknown benchmark (latency, fork-exit, mprotect, or -- CMD ARGS):", ab->bench);
	ab->bench_args = argv + i + 1;
	ab->nbench_args = argc - i - 1;
	if (ab->nbench_args > 40)
		return ab_usage(cli, "too many benchmark arguments", NULL);
	if (*vary) {
		/* --vary layout=order0,thp-pte: one case per value of --layout */
		char *eq = strchr(*vary, '='), *tok, *save;

		if (!eq || eq == *vary || !eq[1] || eq - *vary > 30)
			return ab_usage(cli, "--vary takes OPTION=VALUE,VALUE,... e.g. layout=order0,thp-pte", NULL);
		*eq = 0;
		snprintf(optname, sizeof(optname), "--%s", *vary + strspn(*vary, "-"));
		ab->vary_opt = optname;
		for (tok = strtok_r(eq + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (ab->ncases == AB_MAX_CASES)
				return ab_usage(cli, "--vary takes at most 8 values", NULL);
			ab->cases[ab->ncases++] = tok;
		}
		if (!ab->ncases)
			return ab_usage(cli, "--vary takes OPTION=VALUE,VALUE,... e.g. layout=order0,thp-pte", NULL);
	} else {
		ab->cases[ab->ncases++] = "";
	}
	for (int k = 0; k < ab->nbench_args; k++)
		if (!strcmp(ab->bench_args[k], "--json") || !strcmp(ab->bench_args[k], "--tag") ||
		    !strcmp(ab->bench_args[k], "--hold") ||
		    (ab->vary_opt && !strcmp(ab->bench_args[k], ab->vary_opt)))
			return fl_fail(cli, FL_EXIT_USAGE, "the benchmark argument %s is the driver's to set",
				       ab->bench_args[k]);
	return FL_EXIT_OK;
}

int ab_plan(struct fl_cli *cli, struct ab *ab, const struct forklab_version *v,
		   const char *modes_arg, const char *policies_arg, const char *baseline)
{
	unsigned int modes[32], policies[32], nmodes, npolicies;
	bool policies_shown;
	int ret, base = -1;

	ret = ab_parse_list(cli, "mode", modes_arg, fl_mode_by_name, v->modes_supported,
			    FORKLAB_MODE_COUNT, modes, &nmodes);
	if (!ret)
		ret = ab_parse_list(cli, "contpte policy", policies_arg, fl_contpte_by_name,
				    v->contpte_supported, FORKLAB_CONTPTE_POLICY_COUNT, policies, &npolicies);
	if (ret)
		return ret;
	if ((unsigned long)nmodes * npolicies * ab->ncases > AB_MAX_UNITS)
		return fl_fail(cli, FL_EXIT_USAGE, "%u modes x %u policies x %u cases is more than %d variants",
			       nmodes, npolicies, ab->ncases, AB_MAX_UNITS);
	/* variant names carry the policy unless it is the kernel's alone */
	policies_shown = npolicies > 1 || policies[0] != FORKLAB_CONTPTE_KERNEL;
	for (unsigned int c = 0; c < ab->ncases; c++)
		for (unsigned int m = 0; m < nmodes; m++)
			for (unsigned int q = 0; q < npolicies; q++) {
				struct ab_unit *u = &ab->units[ab->nunits];

				memset(u, 0, sizeof(*u));
				snprintf(u->tag, sizeof(u->tag), AB_TAG_PREFIX "%02u", ab->nunits);
				u->kase = c;
				u->mode = modes[m];
				u->policy = policies[q];
				if (policies_shown)
					snprintf(u->variant, sizeof(u->variant), "%s/%s", fl_mode_name(u->mode),
						 fl_contpte_name(u->policy));
				else
					snprintf(u->variant, sizeof(u->variant), "%s", fl_mode_name(u->mode));
				u->samples = calloc(ab->rounds, sizeof(double));
				if (!u->samples)
					abort();
				if (baseline && !strcmp(baseline, u->variant))
					base = m * npolicies + q;
				ab->nunits++;
			}
	if (baseline && base < 0)
		return fl_fail(cli, FL_EXIT_USAGE, "--baseline '%s' is none of the variants (e.g. '%s')",
			       baseline, ab->units[0].variant);
	for (unsigned int k = 0; k < ab->nunits; k++)
		ab->units[k].baseline = k % (nmodes * npolicies) == (unsigned int)(base < 0 ? 0 : base);
	return FL_EXIT_OK;
}

