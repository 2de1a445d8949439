// SPDX-License-Identifier: GPL-2.0
/*
 * 'forklab ab' runs its plan: every variant once per round, in an order
 * shuffled per round so that drift (thermal, page cache, the emulator)
 * hits every variant alike; warm-up rounds are run and dropped.  One run
 * is one sample.  Around each run it reads the module's counters of that
 * mode, so that every sample carries what the copy path did.
 *
 * The scope keeps the rest of the machine out of the module and its
 * counters.  forklab-bench runs carry a command name per variant
 * (AB_TAG_PREFIX*), so the scope is that comm prefix.  A command of the
 * user's (-- CMD) changes its comm at exec and its children inherit
 * whatever it execs, so a comm scope would lose them: it runs in a cgroup
 * of its own instead, and the scope is that cgroup's subtree, which every
 * descendant stays in whatever it execs.  Mode, policy and scope are put
 * back afterwards, also on failure or Ctrl-C.
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

#define AB_CGROUP_MOUNT	"/sys/fs/cgroup"

static void ab_on_signal(int sig)
{
	ab_interrupted = sig;
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
	for (int b = 0; b < FORKLAB_RUN_BUCKETS; b++)
		c->run_hist[b] = st.run_hist[b];
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


/* The run's cgroup: one for the whole experiment (runs never overlap), its path below the mount. */
static const char *ab_cgroup_root(void)
{
	/* the unit tests give a plain folder: cgroup.procs is then an ordinary file */
	return getenv("FORKLAB_CGROUP_ROOT") ? getenv("FORKLAB_CGROUP_ROOT") : AB_CGROUP_MOUNT;
}

static int ab_cgroup_make(struct fl_cli *cli, struct ab *ab, struct forklab_config *c)
{
	char probe[PATH_MAX];

	snprintf(probe, sizeof(probe), "%s/cgroup.procs", ab_cgroup_root());
	if (access(probe, W_OK))
		return fl_fail(cli, FL_EXIT_UNSUPPORTED, "-- CMD runs the command in a cgroup v2 of its own, "
			       "and %s is not a writable cgroup v2 mount (%s): mount one there "
			       "(mount -t cgroup2 none %s)", ab_cgroup_root(), strerror(errno), ab_cgroup_root());
	snprintf(ab->cgroup, sizeof(ab->cgroup), "%s/forklab-ab-%d", ab_cgroup_root(), (int)getpid());
	if (mkdir(ab->cgroup, 0755) && errno != EEXIST)
		return fl_fail(cli, FL_EXIT_FAILED, "cannot create the cgroup %s for the command: %s",
			       ab->cgroup, strerror(errno));
	c->scope = FORKLAB_SCOPE_CGROUP;
	snprintf(c->scope_arg, sizeof(c->scope_arg), "/forklab-ab-%d", (int)getpid());
	return FL_EXIT_OK;
}

static void ab_cgroup_remove(struct ab *ab)
{
	char procs[PATH_MAX];

	if (!*ab->cgroup)
		return;
	/* a real cgroup goes with rmdir; the tests' plain folder holds a file */
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", ab->cgroup);
	if (rmdir(ab->cgroup) && errno == ENOTEMPTY && getenv("FORKLAB_CGROUP_ROOT")) {
		unlink(procs);
		rmdir(ab->cgroup);
	}
}

/*
 * Runs the user's command once for @u in the experiment's cgroup and times
 * it as hyperfine does, from before the start to after its exit: wall time,
 * or under icount the guest's virtual time, which is its instructions (and
 * the kernel's on its behalf).  Its output goes to command.log in the
 * result folder, appended, so nothing it says is lost.
 */
static int ab_run_command(struct fl_cli *cli, struct fl_dev *dev, struct ab *ab, const struct ab_unit *u,
			  double *seconds, struct ab_counters *after)
{
	char procs[PATH_MAX], log[PATH_MAX];
	int status, ret, fd;
	double t0, t1;
	pid_t pid;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", ab->cgroup);
	ab_path(ab, "command.log", log, sizeof(log));
	if (!*ab->unit)
		ab_units_set(ab, "s", "lower");
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return fl_fail(cli, FL_EXIT_FAILED, "cannot write %s: %s", log, strerror(errno));
	dprintf(fd, "== %s%s%s\n", u->variant, ab->vary_opt ? " " : "", ab->vary_opt ? ab->cases[u->kase] : "");
	t0 = ab_now();
	pid = fork();
	if (pid == 0) {
		/* into the cgroup before exec: from here on every fork of the command is in scope */
		/* O_CREAT: a no-op on cgroupfs, and the unit tests' plain folder gets the file */
		int cg = open(procs, O_WRONLY | O_APPEND | O_CREAT, 0644), devnull = open("/dev/null", O_RDONLY);

		if (cg < 0 || write(cg, "0\n", 2) != 2) {
			dprintf(fd, "forklab ab: cannot join %s: %s\n", procs, strerror(errno));
			_exit(126);
		}
		close(cg);
		dup2(devnull, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execvp(ab->bench_args[0], ab->bench_args);
		dprintf(STDERR_FILENO, "forklab ab: cannot run %s: %s\n", ab->bench_args[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		close(fd);
		return fl_fail(cli, FL_EXIT_FAILED, "fork for the command: %s", strerror(errno));
	}
	while ((ret = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	t1 = ab_now();
	close(fd);
	if (ret < 0)
		status = W_EXITCODE(127, 0);
	if (ab_interrupted)
		return fl_fail(cli, FL_EXIT_FAILED, "interrupted (signal %d): no report written", ab_interrupted);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fl_fail(cli, FL_EXIT_FAILED, "the command failed for %s (%s %d): '%s ...'; its output "
			       "is in %s", u->variant, WIFEXITED(status) ? "exit" : "signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), ab->bench_args[0], log);
	*seconds = t1 - t0;
	return ab_counters(cli, dev, u, after);
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
			double value = NAN, forks = NAN;
			char *line = NULL;

			if (ab_interrupted)
				return fl_fail(cli, FL_EXIT_FAILED, "interrupted (signal %d): no report written",
					       ab_interrupted);
			ret = ab_set(cli, dev, u);
			if (!ret)
				ret = ab_counters(cli, dev, u, &a);
			if (!ret && ab->command) {
				ret = ab_run_command(cli, dev, ab, u, &value, &b);
				forks = 1;	/* nobody counts a command's forks: its figures are per run */
			} else if (!ret) {
				ret = ab_run_bench(cli, dev, ab, u, &line, &b);
			}
			if (ret)
				return ret;
			if (!ab->command) {
				char unit[24], better[8];

				value = ab_json_number(line, "value");
				forks = ab_json_number(line, "forks");
				ab_json_string(line, "unit", unit, sizeof(unit));
				ab_json_string(line, "better", better, sizeof(better));
				free(line);
				if (!isfinite(value))
					return fl_fail(cli, FL_EXIT_FAILED, "the benchmark's result has no number");
				if (!*ab->unit && ab_units_set(ab, unit, better))
					return fl_fail(cli, FL_EXIT_FAILED, "the benchmark's unit '%s' cannot be "
						       "converted to instructions (--clock time measures it as it is)",
						       unit);
			}
			value = ab_units_convert(ab, value);
			u->forks_all += isfinite(forks) ? forks : 0;
			if (!counted)
				continue;
			u->samples[u->n++] = value;
			u->forks += isfinite(forks) ? forks : 0;
			u->module.calls += b.calls - a.calls;
			u->module.ptes += b.ptes - a.ptes;
			u->module.runs += b.runs - a.runs;
			u->module.large_ptes += b.large_ptes - a.large_ptes;
			for (int h = 0; h < FORKLAB_RUN_BUCKETS; h++)
				u->module.run_hist[h] += b.run_hist[h] - a.run_hist[h];
			u->module.inval_fork += b.inval_fork - a.inval_fork;
			u->module.inval_exit += b.inval_exit - a.inval_exit;
		}
		{
			double spent = ab_now() - start, left = spent / (r + 1) * (total - r - 1);

			/* under icount every clock of the guest is virtual: say so, it is not the host's time */
			fprintf(cli->err, "ab: round %u of %u%s done, %.0f s so far, about %.0f s left%s\n", r + 1,
				total, counted ? "" : " (warm-up)", spent, left,
				!strcmp(ab->env.platform, "TCG-icount") ? " (guest's virtual clock)" : "");
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

/* Runs the plan with the module: scope to the benchmark, bpftrace around it, then restore. */
int ab_execute(struct fl_cli *cli, struct fl_dev *dev, struct ab *ab)
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
	if (ab->command && (ret = ab_cgroup_make(cli, ab, &c)))
		goto out;
	ret = fl_dev_set_config(dev, &c);
	if (ret) {
		ret = fl_fail_errno(cli, "setting the scope to the benchmark's processes", ret);
		goto out;
	}
	fprintf(cli->err, "ab: %s, %u variant%s x %u rounds (+%u warm-up), results in %s\n", ab->bench,
		ab->nunits, ab->nunits == 1 ? "" : "s", ab->rounds, ab->warmup, ab->out);
	fprintf(cli->err, "ab: on %s; clock: %s (%s)%s\n", ab->env.platform, ab->env.clock,
		ab->env.clock_source, !strcmp(ab->env.clock, "icount") ?
		": values are guest instructions, not time" : "");
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
	ab_cgroup_remove(ab);
	for (int i = 0; i < 5; i++)
		sigaction(sigs[i], &old[i], NULL);
	return ret;
}

