// SPDX-License-Identifier: GPL-2.0
/*
 * fork-exit: the contpte fork patch's will-it-scale test
 * (docs/background.md), "fork and exit": each of P copies populates SIZE of
 * its own, then forks a child that exits at once and waits for it, in a
 * loop, for T seconds; all copies start together. Value: loops per second,
 * all copies together (higher is better): the sum of each copy's loops over
 * the time it measured itself looping.  Every loop copies the page table and
 * tears the child's down.  Only the copies carry --tag (the forks that start
 * them are not the benchmark's).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define MAX_COPIES 64

struct copy_result {
	unsigned long long loops;
	double ns;
};

/* One copy: ready on @ready, start on @go, loop, result to @result. */
static void copy_run(const struct bench_common *common, pid_t parent, size_t size, const char *layout,
		     const char *dir, double seconds, int ready, int go, int result)
{
	struct copy_result r = { 0, 0 };
	struct bench_area area;
	double start;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	if (common->tag)
		prctl(PR_SET_NAME, common->tag);
	bench_populate(&area, size, layout, dir);
	if (write(ready, "r", 1) != 1 || read(go, &c, 1) != 1)
		_exit(1);
	start = bench_now_ns();
	do {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			bench_die(1, "fork failed after %llu loops: %s", r.loops, strerror(errno));
		waitpid(pid, NULL, 0);
		r.loops++;
		r.ns = bench_now_ns() - start;
	} while (r.ns < seconds * 1e9);
	if (write(result, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	/* the teardown of our memory is not a loop's: off the tag */
	prctl(PR_SET_NAME, "flab-done");
	bench_release(&area);
	_exit(0);
}

/*
 * Reads @len bytes from @fd, watching the copies meanwhile: a copy that
 * died (it said why) fails the benchmark instead of leaving it waiting for
 * a message that cannot come.
 */
static bool read_watching(int fd, void *buf, size_t len, const pid_t *pids, unsigned long n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int status;

	for (;;) {
		int r = poll(&p, 1, 200);

		if (r > 0)
			return read(fd, buf, len) == (ssize_t)len;
		if (r < 0 && errno != EINTR)
			return false;
		for (unsigned long i = 0; i < n; i++)
			if (pids[i] > 0 && waitpid(pids[i], &status, WNOHANG) == pids[i]) {
				if (!WIFEXITED(status) || WEXITSTATUS(status))
					return false;
				((pid_t *)pids)[i] = 0;	/* finished (its result is in the pipe) */
			}
	}
}

static void stop_copies(const pid_t *pids, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
}

int bench_fork_exit(int argc, char **argv)
{
	size_t size = 128UL << 20;
	unsigned long seconds = 5, copies = 1;
	const char *layout = "order0", *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	const struct bench_opt opts[] = {
		{ "--size", BENCH_SIZE, &size, BENCH_PMD, 64UL << 30, "memory per copy (default 128M)" },
		{ "--layout", BENCH_STRING, &layout, 0, 0, "folio layout (default order0; forklab-bench --help)" },
		{ "--seconds", BENCH_UINT, &seconds, 1, 3600, "how long to loop (default 5)" },
		{ "--copies", BENCH_UINT, &copies, 1, MAX_COPIES, "processes looping in parallel (default 1)" },
		{ "--dir", BENCH_STRING, &dir, 0, 0, "directory for the file layout (default $TMPDIR or /tmp)" },
		{ 0 }
	};
	struct bench_common common;
	struct copy_result res[MAX_COPIES];
	unsigned long long total = 0;
	int ready[2], go[2], result[2];
	pid_t pids[MAX_COPIES], self = getpid();
	double rate = 0;
	char c;

	bench_parse("fork-exit", opts, argc, argv, &common);
	bench_check_layout(layout);
	/* the tag is the copies', which do the forks that count */
	prctl(PR_SET_NAME, "forklab-bench");
	if (pipe(ready) || pipe(go) || pipe(result))
		bench_die(1, "pipe: %s", strerror(errno));
	bench_layout_begin(layout);
	for (unsigned long i = 0; i < copies; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			copy_run(&common, self, size, layout, dir, seconds, ready[1], go[0], result[1]);
		if (pids[i] < 0) {
			stop_copies(pids, i);
			bench_die(1, "cannot start copy %lu: %s", i + 1, strerror(errno));
		}
	}
	for (unsigned long i = 0; i < copies; i++)
		if (!read_watching(ready[0], &c, 1, pids, copies)) {
			stop_copies(pids, copies);
			bench_die(1, "a copy could not set up its memory");
		}
	bench_layout_end();
	for (unsigned long i = 0; i < copies; i++)
		if (write(go[1], "g", 1) != 1)
			bench_die(1, "cannot start the copies: %s", strerror(errno));
	for (unsigned long i = 0; i < copies; i++) {
		if (!read_watching(result[0], &res[i], sizeof(res[i]), pids, copies) || res[i].ns <= 0) {
			stop_copies(pids, copies);
			bench_die(1, "a copy failed while looping");
		}
		total += res[i].loops;
		rate += res[i].loops / (res[i].ns / 1e9);
	}
	while (wait(NULL) > 0)
		;

	if (common.json) {
		printf("{\"bench\":\"fork-exit\",\"layout\":\"%s\",\"size_mib\":%zu,\"copies\":%lu,"
		       "\"seconds\":%lu,\"forks\":%llu,\"value\":%.3f,\"unit\":\"forks/s\","
		       "\"better\":\"higher\",\"per_copy\":[", layout, size >> 20, copies, seconds, total, rate);
		for (unsigned long i = 0; i < copies; i++)
			printf("%s%.3f", i ? "," : "", res[i].loops / (res[i].ns / 1e9));
		printf("]}\n");
	} else {
		printf("fork and exit of %zu MiB (%s), %lu cop%s for %lu s\n", size >> 20, layout, copies,
		       copies == 1 ? "y" : "ies", seconds);
		for (unsigned long i = 0; i < copies; i++)
			printf("  copy %-3lu %10.1f forks/s (%llu in %.3f s)\n", i + 1,
			       res[i].loops / (res[i].ns / 1e9), res[i].loops, res[i].ns / 1e9);
		printf("total %.1f forks/s (%llu forks)\n", rate, total);
	}
	bench_hold(&common);
	return 0;
}
