// SPDX-License-Identifier: GPL-2.0
/*
 * 'forklab ab': an A/B experiment.  Runs a forklab-bench benchmark under
 * each copy mode (and contpte policy), all of them in every round, in an
 * order shuffled per round so that drift (thermal, page cache, the
 * emulator) hits every variant alike; warm-up rounds are run and dropped.
 * One benchmark run is one sample.  Around each run it reads the module's
 * counters of that mode, so that every sample carries what the copy path
 * did; optionally a bpftrace script counts TLB work over the whole
 * experiment, keyed by the runs' command names.  While it runs, forklab's
 * scope is the benchmark's own processes (command names AB_TAG_PREFIX*),
 * so no other fork of the machine enters the module or its counters; mode,
 * policy and scope are put back afterwards, also on failure or Ctrl-C.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ab.h"

extern char **environ;

volatile sig_atomic_t ab_interrupted;

static void ab_on_signal(int sig)
{
	ab_interrupted = sig;
}

static double ab_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

void ab_path(const struct ab *ab, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", ab->out, name);
}

/* The benchmark program: $FORKLAB_BENCH, next to this program, or on $PATH. */
static void ab_bench_path(char *buf, size_t len)
{
	char self[PATH_MAX - 32];
	ssize_t n;

	if (getenv("FORKLAB_BENCH")) {
		snprintf(buf, len, "%s", getenv("FORKLAB_BENCH"));
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		*strrchr(self, '/') = 0;
		snprintf(buf, len, "%s/forklab-bench", self);
		if (!access(buf, X_OK))
			return;
	}
	snprintf(buf, len, "forklab-bench");
}

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

/* A number field of the benchmark's JSON line, or NAN. */
static double ab_json_number(const char *line, const char *key)
{
	char pat[48];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static void ab_json_string(const char *line, const char *key, char *buf, size_t len)
{
	char pat[48];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(line, pat);
	*buf = 0;
	if (!p)
		return;
	p += strlen(pat);
	e = strchr(p, '"');
	if (e && (size_t)(e - p) < len)
		snprintf(buf, len, "%.*s", (int)(e - p), p);
}

static int ab_counters(struct fl_cli *cli, struct fl_dev *dev, const struct ab_unit *u,
		       struct ab_counters *c)
{
	struct forklab_stats st;
	int ret = fl_dev_get_stats(dev, u->mode, u->policy, &st);

	if (ret)
		return fl_fail_errno(cli, "reading the counters", ret);
	c->calls = st.calls;
	c->ptes = st.ptes_present;
	c->runs = st.runs;
	c->large_ptes = st.large_folio_ptes;
	c->inval_fork = st.contpte[FORKLAB_CONTPTE_WRPROTECT].invalidations +
			st.contpte[FORKLAB_CONTPTE_SET].invalidations;
	c->inval_exit = st.contpte[FORKLAB_CONTPTE_CLEAR].invalidations;
	return FL_EXIT_OK;
}

/*
 * Runs the benchmark once for @u; its JSON line goes to *@line (malloc'd),
 * the module's counters once that line is out to *@after.  Spawned with
 * posix_spawn (vfork-like, CLONE_VM), so starting it copies no page table,
 * and with --hold, so it frees its memory and exits only after *@after is
 * read: the counters hold the run's forks and its children's exits, never
 * the benchmark's own teardown.
 */
static int ab_run_bench(struct fl_cli *cli, struct fl_dev *dev, struct ab *ab, const struct ab_unit *u,
			char **line, struct ab_counters *after)
{
	char path[PATH_MAX], *argv[64], buf[4096];
	posix_spawn_file_actions_t fa;
	int out[2], in[2], argc = 0, status, ret, ret_counters = FL_EXIT_OK;
	bool counted = false;
	size_t len = 0, cap = 0;
	char *outbuf = NULL;
	pid_t pid;
	ssize_t n;

	ab_bench_path(path, sizeof(path));
	argv[argc++] = path;
	argv[argc++] = (char *)ab->bench;
	for (int i = 0; i < ab->nbench_args && argc < 56; i++)
		argv[argc++] = ab->bench_args[i];
	if (ab->vary_opt) {
		argv[argc++] = (char *)ab->vary_opt;
		argv[argc++] = (char *)ab->cases[u->kase];
	}
	argv[argc++] = "--json";
	argv[argc++] = "--hold";
	argv[argc++] = "--tag";
	argv[argc++] = (char *)u->tag;
	argv[argc] = NULL;
	if (pipe2(out, O_CLOEXEC))
		return fl_fail(cli, FL_EXIT_FAILED, "pipe: %s", strerror(errno));
	if (pipe2(in, O_CLOEXEC)) {
		close(out[0]);
		close(out[1]);
		return fl_fail(cli, FL_EXIT_FAILED, "pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	ret = posix_spawnp(&pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(in[0]);
	if (ret) {
		close(out[0]);
		close(in[1]);
		return fl_fail(cli, FL_EXIT_FAILED, "cannot run the benchmark %s: %s (build it with the "
			       "CLI, or point FORKLAB_BENCH at it)", path, strerror(ret));
	}
	while ((n = read(out[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			outbuf = realloc(outbuf, cap);
			if (!outbuf)
				abort();
		}
		memcpy(outbuf + len, buf, n);
		len += n;
		outbuf[len] = 0;
		if (!counted && strchr(outbuf, '\n')) {
			/* the result is out; the benchmark holds until stdin closes */
			ret_counters = ab_counters(cli, dev, u, after);
			counted = true;
			close(in[1]);
		}
	}
	if (!counted)
		close(in[1]);
	close(out[0]);
	while ((ret = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (ret < 0)
		status = W_EXITCODE(127, 0);	/* lost it (SIGCHLD ignored?): a failure */
	ret = counted ? ret_counters : FL_EXIT_OK;
	if (ab_interrupted) {
		free(outbuf);
		return fl_fail(cli, FL_EXIT_FAILED, "interrupted (signal %d): no report written", ab_interrupted);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !outbuf || !strstr(outbuf, "\"value\":")) {
		free(outbuf);
		return fl_fail(cli, FL_EXIT_FAILED, "the benchmark failed for %s%s%s (%s %d; its message "
			       "is above): '%s %s ...'", u->variant, ab->vary_opt ? ", " : "",
			       ab->vary_opt ? ab->cases[u->kase] : "",
			       WIFEXITED(status) ? "exit" : "signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), path, ab->bench);
	}
	if (ret) {
		free(outbuf);
		return ret;
	}
	*line = outbuf;
	return FL_EXIT_OK;
}

static int ab_set(struct fl_cli *cli, struct fl_dev *dev, const struct ab_unit *u)
{
	struct forklab_config c = { .size = sizeof(c), .mode = u->mode, .contpte_policy = u->policy,
				    .flags = FORKLAB_CONFIG_SET_MODE | FORKLAB_CONFIG_SET_CONTPTE };
	int ret = fl_dev_set_config(dev, &c);

	return ret ? fl_fail_errno(cli, "setting the mode and contpte policy", ret) : FL_EXIT_OK;
}

static int ab_run(struct fl_cli *cli, struct fl_dev *dev, struct ab *ab)
{
	unsigned int total = ab->warmup + ab->rounds, order[AB_MAX_UNITS];
	uint64_t seed = ab->seed;	/* the shuffles: reproducible from --seed */
	double start = ab_now();
	int ret;

	for (unsigned int r = 0; r < total; r++) {
		bool counted = r >= ab->warmup;

		for (unsigned int k = 0; k < ab->nunits; k++)
			order[k] = k;
		for (unsigned int k = ab->nunits - 1; k > 0; k--) {	/* Fisher-Yates */
			unsigned int j = fl_splitmix64(&seed) % (k + 1), t = order[k];

			order[k] = order[j];
			order[j] = t;
		}
		for (unsigned int k = 0; k < ab->nunits; k++) {
			struct ab_unit *u = &ab->units[order[k]];
			struct ab_counters a, b;
			double value, forks;
			char *line = NULL;

			if (ab_interrupted)
				return fl_fail(cli, FL_EXIT_FAILED, "interrupted (signal %d): no report written",
					       ab_interrupted);
			ret = ab_set(cli, dev, u);
			if (!ret)
				ret = ab_counters(cli, dev, u, &a);
			if (!ret)
				ret = ab_run_bench(cli, dev, ab, u, &line, &b);
			if (ret)
				return ret;
			value = ab_json_number(line, "value");
			forks = ab_json_number(line, "forks");
			if (!*ab->unit) {
				ab_json_string(line, "unit", ab->unit, sizeof(ab->unit));
				ab_json_string(line, "better", ab->better, sizeof(ab->better));
			}
			free(line);
			if (!isfinite(value))
				return fl_fail(cli, FL_EXIT_FAILED, "the benchmark's result has no number");
			u->forks_all += isfinite(forks) ? forks : 0;
			if (!counted)
				continue;
			u->samples[u->n++] = value;
			u->forks += isfinite(forks) ? forks : 0;
			u->module.calls += b.calls - a.calls;
			u->module.ptes += b.ptes - a.ptes;
			u->module.runs += b.runs - a.runs;
			u->module.large_ptes += b.large_ptes - a.large_ptes;
			u->module.inval_fork += b.inval_fork - a.inval_fork;
			u->module.inval_exit += b.inval_exit - a.inval_exit;
		}
		{
			double spent = ab_now() - start, left = spent / (r + 1) * (total - r - 1);

			fprintf(cli->err, "ab: round %u of %u%s done, %.0f s so far, about %.0f s left\n", r + 1,
				total, counted ? "" : " (warm-up)", spent, left);
			fflush(cli->err);
		}
	}
	ab->seconds = ab_now() - start;
	return FL_EXIT_OK;
}

/* Restores what the user had: mode, contpte policy and scope. */
static int ab_restore(struct fl_cli *cli, struct fl_dev *dev, struct forklab_config *saved)
{
	int ret;

	saved->size = sizeof(*saved);
	saved->flags = FORKLAB_CONFIG_FLAGS;
	ret = fl_dev_set_config(dev, saved);
	if (!ret)
		return FL_EXIT_OK;
	ret = fl_fail_errno(cli, "putting back the mode, contpte policy and scope", ret);
	if (!cli->json)
		fprintf(cli->err, "forklab: they were %s, %s, scope %s: set them again with 'forklab mode', "
			"'forklab contpte' and 'forklab scope'\n", fl_mode_name(saved->mode),
			fl_contpte_name(saved->contpte_policy), fl_scope_name(saved->scope));
	return ret;
}

static int ab_plan(struct fl_cli *cli, struct ab *ab, const struct forklab_version *v,
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

/* The command line: options, the benchmark and its arguments. */
static int ab_parse_args(struct fl_cli *cli, struct ab *ab, int argc, char **argv, const char **modes_arg,
			 const char **policies_arg, const char **baseline, char **vary)
{
	static const char *const benches[] = { "latency", "fork-exit", "mprotect" };
	static char optname[40];
	int i, known = 0;
	size_t clen = 0;

	for (i = 0; i < argc && clen < sizeof(ab->cmdline) - 1; i++)
		clen += snprintf(ab->cmdline + clen, sizeof(ab->cmdline) - clen, "%s%s", i ? " " : "forklab ",
				 argv[i]);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
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
	if (i == argc)
		return ab_usage(cli, "which benchmark? (latency, fork-exit, mprotect)", NULL);
	ab->bench = argv[i];
	for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++)
		known |= !strcmp(ab->bench, benches[b]);
	if (!known)
		return ab_usage(cli, "unknown benchmark (latency, fork-exit, mprotect):", ab->bench);
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

/* Runs the plan with the module: scope to the benchmark, bpftrace around it, then restore. */
static int ab_execute(struct fl_cli *cli, struct fl_dev *dev, struct ab *ab)
{
	struct forklab_config saved = { .size = sizeof(saved) };
	struct forklab_config c = { .size = sizeof(c), .flags = FORKLAB_CONFIG_SET_SCOPE,
				    .scope = FORKLAB_SCOPE_COMM };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD };
	struct sigaction sa = { .sa_handler = ab_on_signal }, old[5];
	struct ab_bpftrace *bt = NULL;
	int ret = fl_dev_get_config(dev, &saved), rret;

	if (ret)
		return fl_fail_errno(cli, "reading the module's configuration", ret);
	/* from here on a signal only stops the experiment: the configuration comes back */
	ab_interrupted = 0;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 5; i++) {
		/* SIGCHLD as default: waitpid() must see the benchmark's status */
		sa.sa_handler = sigs[i] == SIGCHLD ? SIG_DFL : ab_on_signal;
		sigaction(sigs[i], &sa, &old[i]);
	}
	/* scope: the benchmark's processes only */
	snprintf(c.scope_arg, sizeof(c.scope_arg), AB_TAG_PREFIX);
	ret = fl_dev_set_config(dev, &c);
	if (ret) {
		ret = fl_fail_errno(cli, "setting the scope to the benchmark's processes", ret);
		goto out;
	}
	fprintf(cli->err, "ab: %s, %u variant%s x %u rounds (+%u warm-up), results in %s\n", ab->bench,
		ab->nunits, ab->nunits == 1 ? "" : "s", ab->rounds, ab->warmup, ab->out);
	ret = ab->bpftrace ? ab_bpftrace_start(cli, ab, &bt) : FL_EXIT_OK;
	if (!ret)
		ret = ab_run(cli, dev, ab);
	if (bt) {
		if (ret)
			ab_bpftrace_abort(bt);
		else
			ret = ab_bpftrace_finish(cli, ab, bt);
	}
	rret = ab_restore(cli, dev, &saved);
	if (!ret)
		ret = rret;
out:
	for (int i = 0; i < 5; i++)
		sigaction(sigs[i], &old[i], NULL);
	return ret;
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
	ab->rounds = 9;
	ab->warmup = 1;
	ab->seed = 1;
	ab->started = time(NULL);
	ret = ab_parse_args(cli, ab, argc, argv, &modes_arg, &policies_arg, &baseline, &vary);
	if (!ret)
		ret = fl_open(cli, &dev, &v);
	if (ret)
		goto out;
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
	for (unsigned int k = 0; k < ab->nunits; k++)
		free(ab->units[k].samples);
	free(vary);
	free(ab);
	return ret;
}
