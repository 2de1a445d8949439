// SPDX-License-Identifier: GPL-2.0
/*
 * fork-exit: seed 000's will-it-scale test, "fork and exit": each of P
 * copies populates SIZE of its own, then forks a child that exits at once
 * and waits for it, in a loop, for T seconds; all copies start together.
 * Value: loops per second, all copies together (higher is better); per
 * copy too.  Every loop copies the page table and tears the child's down.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define MAX_COPIES 64

/* One copy: ready on @ready, start on @go, loop, count to @result. */
static void copy_run(size_t size, const char *layout, const char *dir, double seconds, int ready,
		     int go, int result)
{
	struct bench_area area;
	unsigned long long loops = 0;
	double end;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	bench_populate(&area, size, layout, dir);
	if (write(ready, "r", 1) != 1 || read(go, &c, 1) != 1)
		_exit(1);
	end = bench_now_ns() + seconds * 1e9;
	do {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			bench_die(1, "fork failed after %llu loops: %s", loops, strerror(errno));
		waitpid(pid, NULL, 0);
		loops++;
	} while (bench_now_ns() < end);
	if (write(result, &loops, sizeof(loops)) != sizeof(loops))
		_exit(1);
	bench_release(&area);
	_exit(0);
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
	unsigned long long loops[MAX_COPIES], total = 0;
	int ready[2], go[2], result[2], failed = 0;
	pid_t pids[MAX_COPIES];
	char c;

	bench_parse("fork-exit", opts, argc, argv, &common);
	/* the layout's name is checked before any copy starts */
	for (int i = 0; bench_layouts[i] && strcmp(bench_layouts[i], layout); i++)
		if (!bench_layouts[i + 1])
			bench_die(2, "unknown layout '%s'; the layouts are:\n%s", layout, bench_layout_help);
	if (pipe(ready) || pipe(go) || pipe(result))
		bench_die(1, "pipe: %s", strerror(errno));
	for (unsigned long i = 0; i < copies; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			copy_run(size, layout, dir, seconds, ready[1], go[0], result[1]);
		if (pids[i] < 0)
			bench_die(1, "cannot start copy %lu: %s", i + 1, strerror(errno));
	}
	close(ready[1]);
	close(result[1]);
	for (unsigned long i = 0; i < copies; i++)
		if (read(ready[0], &c, 1) != 1)
			failed = 1;	/* a copy died populating: it said why */
	if (failed) {
		for (unsigned long i = 0; i < copies; i++)
			kill(pids[i], SIGKILL);
		while (wait(NULL) > 0)
			;
		bench_die(1, "a copy could not set up its memory");
	}
	for (unsigned long i = 0; i < copies; i++)
		if (write(go[1], "g", 1) != 1)
			bench_die(1, "cannot start the copies: %s", strerror(errno));
	for (unsigned long i = 0; i < copies; i++) {
		if (read(result[0], &loops[i], sizeof(loops[i])) != sizeof(loops[i]))
			failed = 1;
		else
			total += loops[i];
	}
	while (wait(NULL) > 0)
		;
	if (failed)
		bench_die(1, "a copy failed while looping");

	if (common.json) {
		printf("{\"bench\":\"fork-exit\",\"layout\":\"%s\",\"size_mib\":%zu,\"copies\":%lu,"
		       "\"seconds\":%lu,\"forks\":%llu,\"value\":%.3f,\"unit\":\"forks/s\","
		       "\"better\":\"higher\",\"per_copy\":[", layout, size >> 20, copies, seconds, total,
		       (double)total / seconds);
		for (unsigned long i = 0; i < copies; i++)
			printf("%s%.3f", i ? "," : "", (double)loops[i] / seconds);
		printf("]}\n");
	} else {
		printf("fork and exit of %zu MiB (%s), %lu cop%s for %lu s\n", size >> 20, layout, copies,
		       copies == 1 ? "y" : "ies", seconds);
		for (unsigned long i = 0; i < copies; i++)
			printf("  copy %-3lu %10.1f forks/s\n", i + 1, (double)loops[i] / seconds);
		printf("total %.1f forks/s (%llu forks)\n", (double)total / seconds, total);
	}
	bench_hold(&common);
	return 0;
}
