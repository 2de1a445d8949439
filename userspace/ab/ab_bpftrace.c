// SPDX-License-Identifier: GPL-2.0
/*
 * bpftrace beside an A/B experiment: one bpftrace process for the whole
 * experiment (starting one per run would cost seconds each), its maps keyed
 * by command name, which is the benchmark run's tag (AB_TAG_PREFIX and the
 * variant's index), so every count lands on its variant.  At the end it is
 * stopped with SIGINT and its printed maps are read back:
 *   @name[flab-ab03]: 1234
 * The output stays in the result folder (bpftrace.txt, bpftrace.err).
 *
 * Started means attached, which bpftrace says in one of two ways:
 *   0.17 (bookworm), 0.23 (trixie): "Attaching N probes..." on stdout, before
 *                                   it attaches them;
 *   0.27 (sid):                     "Attached N probes" on stderr, after.
 * Its messages at run time (0.23's warnings among them) go to stdout too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ab.h"

extern char **environ;

#define AB_BT_START_TIMEOUT	300	/* s: compiling and attaching is slow under emulation */
#define AB_BT_STOP_TIMEOUT	60

struct ab_bpftrace {
	pid_t pid;
	char out[4096], err[4096];
};

static void ab_bt_show_err(struct fl_cli *cli, const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	for (int n = 0; f && n < 20 && fgets(line, sizeof(line), f); n++)
		fprintf(cli->err, "  bpftrace: %s", line);
	if (f)
		fclose(f);
}

/* N of the first line "PREFIX N..." of PATH; -1 when there is none yet. */
static int ab_file_count(const char *path, const char *prefix)
{
	char line[512];
	int n = -1;
	FILE *f = fopen(path, "r");

	while (f && n < 0 && fgets(line, sizeof(line), f))
		if (strncmp(line, prefix, strlen(prefix)) || sscanf(line + strlen(prefix), "%d", &n) != 1)
			n = -1;
	if (f)
		fclose(f);
	return n;
}

/*
 * Seconds until the probes are live, once bpftrace has said it attaches them;
 * -1 before.  "Attaching N probes..." comes before it attaches them one by
 * one, which took 0.2 to 1.04 s for 7 probes under TCG (0.17 and 0.23,
 * measured): 1 s and 0.2 s per probe, 30 s at most.  "Attached N probes"
 * comes after.  Either form on either stream: releases have moved them.
 */
static int ab_bt_settle(const struct ab_bpftrace *bt)
{
	int n = ab_file_count(bt->out, "Attaching ");

	if (n < 0)
		n = ab_file_count(bt->err, "Attaching ");
	if (n >= 0)
		return n < 145 ? 1 + n / 5 : 30;
	if (ab_file_count(bt->err, "Attached ") >= 0 || ab_file_count(bt->out, "Attached ") >= 0)
		return 0;
	return -1;
}

int ab_bpftrace_start(struct fl_cli *cli, struct ab *ab, struct ab_bpftrace **btp)
{
	struct ab_bpftrace *bt = calloc(1, sizeof(*bt));
	char *argv[] = { "bpftrace", (char *)ab->bpftrace, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t sigint;
	int ret, status, settle;

	if (!bt)
		abort();
	ab_path(ab, "bpftrace.txt", bt->out, sizeof(bt->out));
	ab_path(ab, "bpftrace.err", bt->err, sizeof(bt->err));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, bt->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, bt->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	/* SIGINT stops it: not ignored even where ours is (a background job) */
	posix_spawnattr_init(&sa);
	sigemptyset(&sigint);
	sigaddset(&sigint, SIGINT);
	posix_spawnattr_setsigdefault(&sa, &sigint);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGDEF);
	ret = posix_spawnp(&bt->pid, "bpftrace", &fa, &sa, argv, environ);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	if (ret) {
		free(bt);
		return fl_fail(cli, FL_EXIT_UNSUPPORTED, "cannot run bpftrace: %s (install it, or leave out "
			       "--bpftrace)", strerror(ret));
	}
	fprintf(cli->err, "ab: starting bpftrace %s\n", ab->bpftrace);
	for (int waited = 0; (settle = ab_bt_settle(bt)) < 0; waited++) {
		bool died = waitpid(bt->pid, &status, WNOHANG) == bt->pid;

		if (died)
			bt->pid = 0;
		if (died || waited == AB_BT_START_TIMEOUT * 10 || ab_interrupted) {
			fl_fail(cli, FL_EXIT_FAILED, "bpftrace %s did not start%s; its messages:", ab->bpftrace,
				ab_interrupted ? " (interrupted)" : died ? "" : " in time");
			ab_bt_show_err(cli, bt->err);
			ab_bpftrace_abort(bt);
			return FL_EXIT_FAILED;
		}
		usleep(100000);
	}
	sleep(settle);
	*btp = bt;
	return FL_EXIT_OK;
}

void ab_bpftrace_abort(struct ab_bpftrace *bt)
{
	/* pid 0: already reaped, the number may belong to another process now */
	if (bt->pid > 0 && kill(bt->pid, SIGKILL) == 0)
		waitpid(bt->pid, NULL, 0);
	free(bt);
}

/* "@name[key]: value" of a unit's tag: adds value to that unit's column for name. */
static void ab_bt_line(struct ab *ab, const char *line)
{
	char name[32], key[32];
	double val;
	unsigned int m;

	if (sscanf(line, "@%31[^[][%31[^]]]: %lf", name, key, &val) != 3)
		return;
	for (m = 0; m < ab->nbt_maps && strcmp(ab->bt_maps[m], name); m++)
		;
	for (unsigned int k = 0; k < ab->nunits; k++) {
		if (strcmp(ab->units[k].tag, key))
			continue;
		if (m == ab->nbt_maps) {
			if (m == AB_MAX_MAPS)
				return;
			snprintf(ab->bt_maps[m], sizeof(ab->bt_maps[m]), "%s", name);
			ab->nbt_maps++;
		}
		ab->units[k].bt[m] += val;
	}
}

int ab_bpftrace_finish(struct fl_cli *cli, struct ab *ab, struct ab_bpftrace *bt)
{
	char line[512];
	int status = 0, waited, said = 0;
	bool maps = false;
	FILE *f;

	kill(bt->pid, SIGINT);
	for (waited = 0; waitpid(bt->pid, &status, WNOHANG) != bt->pid; waited++) {
		if (waited == AB_BT_STOP_TIMEOUT * 10) {
			ab_bpftrace_abort(bt);
			return fl_fail(cli, FL_EXIT_FAILED, "bpftrace did not stop within %d s",
				       AB_BT_STOP_TIMEOUT);
		}
		usleep(100000);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fl_fail(cli, FL_EXIT_FAILED, "bpftrace %s failed; its messages:", ab->bpftrace);
		ab_bt_show_err(cli, bt->err);
		free(bt);
		return FL_EXIT_FAILED;
	}
	/* The script's own messages (its END's among them) come before the maps. */
	f = fopen(bt->out, "r");
	while (f && fgets(line, sizeof(line), f)) {
		maps |= line[0] == '@';
		if (!maps && line[0] != '\n' && strncmp(line, "Attaching ", 10) && said++ < 10)
			fprintf(cli->err, "  bpftrace: %s", line);
		ab_bt_line(ab, line);
	}
	if (f)
		fclose(f);
	free(bt);
	if (!ab->nbt_maps)
		return fl_fail(cli, FL_EXIT_FAILED, "bpftrace %s printed no map keyed by the runs' command "
			       "names (" AB_TAG_PREFIX "NN); see %s/bpftrace.txt", ab->bpftrace, ab->out);
	return FL_EXIT_OK;
}
