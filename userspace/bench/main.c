// SPDX-License-Identifier: GPL-2.0
/*
 * forklab-bench: the benchmarks of forklab's A/B experiments, as
 * subcommands.  Each one takes its parameters on the command line, prints a
 * human summary, or with --json one JSON line whose "value" is the figure
 * an A/B comparison ranks ("unit", "better": lower or higher), and refuses
 * nonsense with a message and exit 2.  They run on any kernel with or
 * without the module: which copy path a fork takes is forklab's business.
 * This file is the table of benchmarks; common.c what they share.
 */
#include <stdio.h>
#include <string.h>
#include "bench.h"

#ifndef FORKLAB_GIT
#define FORKLAB_GIT "unknown"	/* built without userspace/Makefile */
#endif

static const struct {
	const char *name, *synopsis, *summary;
	int (*run)(int argc, char **argv);
} bench_commands[] = {
	{ "latency", "[--size SIZE] [--layout L] [--forks N]",
	  "fork latency of a populated mapping, children sleeping", bench_latency },
	{ "fork-exit", "[--size SIZE] [--layout L] [--seconds T] [--copies P]",
	  "fork / child exit / waitpid loops per second", bench_fork_exit },
	{ "mprotect", "[--threads 1|2] [--iterations N]",
	  "mprotect(READ), mprotect(READ|WRITE), touch of one page",
	  bench_mprotect },
};

static void bench_usage(FILE *f)
{
	fprintf(f, "usage: forklab-bench BENCHMARK [options] [--json] [--tag NAME] [--hold]\n"
		"       forklab-bench [--json] --version\n\nbenchmarks:\n");
	/* synopsis, then the summary under it: both fit 80 columns */
	for (size_t i = 0; i < sizeof(bench_commands) / sizeof(bench_commands[0]); i++)
		fprintf(f, "  %s %s\n      %s\n", bench_commands[i].name, bench_commands[i].synopsis,
			bench_commands[i].summary);
	fprintf(f, "\nlayouts (--layout):\n%s\n'forklab-bench BENCHMARK --help' lists its options.\n"
		"exit status: 0 ok, 1 the system could not run it, 2 bad arguments.\n",
		bench_layout_help);
}

/* Its own version: forklab-bench runs without the module, so it asks none. */
static int bench_version(int argc, char **argv)
{
	bool json = false;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (strcmp(argv[i], "--version")) {
			fprintf(stderr, "forklab-bench: --version takes only --json\n");
			return 2;
		}
	if (json)
		printf("{\"version\":\"%s\"}\n", FORKLAB_GIT);
	else
		printf("forklab-bench %s\n", FORKLAB_GIT);
	return 0;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc && i < 3; i++)
		if (!strcmp(argv[i], "--version"))
			return bench_version(argc, argv);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		bench_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(bench_commands) / sizeof(bench_commands[0]); i++)
		if (!strcmp(argv[1], bench_commands[i].name))
			return bench_commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "forklab-bench: unknown benchmark '%s' (latency, fork-exit, mprotect)\n", argv[1]);
	return 2;
}
