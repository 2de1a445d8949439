// SPDX-License-Identifier: GPL-2.0
/*
 * latency: the fork latency of a populated mapping (the test program of the
 * CoW page table thread, docs/background.md): map SIZE, populate it in a
 * layout, fork N children that sleep (so each fork copies the whole page
 * table while the others hold theirs), and time each fork() in the parent.
 * The first fork is the one that write-protects the parent's private memory;
 * later ones find it read-only. Value: the mean latency per fork in
 * microseconds; also per GiB, as that thread reports it.  The children are
 * killed and reaped before the result is printed, so their teardown belongs
 * to the run.
 *
 * The forks run under SCHED_FIFO where the caller may (root), with
 * SCHED_RESET_ON_FORK so that children are ordinary tasks: a new child
 * then never runs before the parent reads the clock.  On one CPU (an
 * icount guest) it did, now and then, and its start-up landed in the
 * fork's figure: single forks of 6.1 varied by 4 %, 0.4 % under FIFO.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define MAX_FORKS 1024

int bench_latency(int argc, char **argv)
{
	size_t size = 1UL << 30;
	unsigned long forks = 4;
	const char *layout = "order0", *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	const struct bench_opt opts[] = {
		{ "--size", BENCH_SIZE, &size, BENCH_PMD, 256UL << 30, "memory to fork (default 1G)" },
		{ "--layout", BENCH_STRING, &layout, 0, 0, "folio layout (default order0; forklab-bench --help)" },
		{ "--forks", BENCH_UINT, &forks, 1, MAX_FORKS, "children forked, sleeping (default 4)" },
		{ "--dir", BENCH_STRING, &dir, 0, 0, "directory for the file layout (default $TMPDIR or /tmp)" },
		{ 0 }
	};
	struct bench_common common;
	struct bench_area area;
	pid_t pids[MAX_FORKS];
	double ns[MAX_FORKS], sum = 0, rest = 0, gib;
	pid_t self = getpid();
	bool fifo;

	bench_parse("latency", opts, argc, argv, &common);
	bench_check_layout(layout);
	bench_layout_begin(layout);
	bench_populate(&area, size, layout, dir);
	bench_layout_end();
	gib = (double)size / (1UL << 30);
	fifo = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK,
				  &(struct sched_param){ .sched_priority = 1 }) == 0;
	for (unsigned long i = 0; i < forks; i++) {
		double t0 = bench_now_ns();
		pid_t pid = fork();

		if (pid == 0) {
			/* sleep until the parent kills us, or dies (also before the prctl) */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != self)
				_exit(1);
			for (;;)
				pause();
		}
		ns[i] = bench_now_ns() - t0;
		if (pid < 0) {
			int err = errno;

			for (unsigned long k = 0; k < i; k++)
				kill(pids[k], SIGKILL);
			bench_die(1, "fork %lu of %lu failed: %s", i + 1, forks, strerror(err));
		}
		pids[i] = pid;
		sum += ns[i];
		if (i)
			rest += ns[i];
	}
	if (fifo)	/* the rest of the run is no measurement */
		sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){ .sched_priority = 0 });
	for (unsigned long i = 0; i < forks; i++)
		kill(pids[i], SIGKILL);
	for (unsigned long i = 0; i < forks; i++)
		waitpid(pids[i], NULL, 0);

	if (common.json) {
		printf("{\"bench\":\"latency\",\"layout\":\"%s\",\"size_mib\":%zu,\"forks\":%lu,"
		       "\"value\":%.3f,\"unit\":\"us/fork\",\"better\":\"lower\","
		       "\"first_fork_us\":%.3f,\"s_per_gib\":%.6f,\"sched_fifo\":%s,\"fork_us\":[",
		       layout, size >> 20, forks, sum / forks / 1e3, ns[0] / 1e3, sum / forks / 1e9 / gib,
		       fifo ? "true" : "false");
		for (unsigned long i = 0; i < forks; i++)
			printf("%s%.3f", i ? "," : "", ns[i] / 1e3);
		printf("]}\n");
	} else {
		printf("fork of %zu MiB, layout %s, %lu children sleeping%s\n", size >> 20, layout, forks,
		       fifo ? "" : " (not under SCHED_FIFO: a child may run inside a fork's time)");
		for (unsigned long i = 0; i < forks; i++)
			printf("  fork %-4lu %10.3f ms%s\n", i + 1, ns[i] / 1e6,
			       i ? "" : "  (write-protects the parent's private memory)");
		printf("mean %.3f ms per fork", sum / forks / 1e6);
		if (forks > 1)
			printf(" (later forks %.3f ms)", rest / (forks - 1) / 1e6);
		printf("; fork latency per gigabyte: %.6f seconds\n", sum / forks / 1e9 / gib);
	}
	bench_hold(&common);
	bench_release(&area);
	return 0;
}
