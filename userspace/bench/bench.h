/* SPDX-License-Identifier: GPL-2.0 */
/*
 * forklab-bench internals: the folio layouts a benchmark populates, the
 * option parser the subcommands share, and the result they print.
 */
#ifndef FL_BENCH_H
#define FL_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define BENCH_PAGE	4096UL
#define BENCH_PMD	(2UL << 20)

/* A populated area: where it is and what must be undone. */
struct bench_area {
	unsigned char *p;		/* start, 2 MiB aligned */
	size_t len;
	void *map;			/* the whole mapping (with alignment slack) */
	size_t maplen;
	int fd;				/* shmem and file: the backing file, else -1 */
};

/* order0 thp-pmd thp-pte mthp-64k shmem file, and what each one is */
extern const char *const bench_layouts[];
extern const char *const bench_layout_help;

/* Exits 2 with the list of layouts unless @layout is one. */
void bench_check_layout(const char *layout);

/*
 * Maps @len bytes (a multiple of 2 MiB) and populates them in @layout;
 * @dir holds the file of the "file" layout.  Exits with a message naming
 * what is missing (THP disabled, no mTHP in this kernel, not root) if the
 * kernel cannot give that layout.
 */
void bench_populate(struct bench_area *a, size_t len, const char *layout, const char *dir);

/*
 * System-wide settings a layout needs while memory is populated (mthp-64k:
 * the mTHP sizes), made once per benchmark around all populating, and put
 * back by bench_layout_end(), at exit and on SIGINT, SIGTERM, SIGHUP.
 */
void bench_layout_begin(const char *layout);
void bench_layout_end(void);
void bench_release(struct bench_area *a);

/* Options: one table per subcommand, parsed by bench_parse(). */
enum bench_opt_type { BENCH_SIZE, BENCH_UINT, BENCH_STRING, BENCH_FLAG };
struct bench_opt {
	const char *name;		/* "--size" */
	enum bench_opt_type type;
	void *val;			/* size_t, unsigned long, const char * or bool */
	unsigned long min, max;		/* BENCH_SIZE, BENCH_UINT */
	const char *help;
};

/* The options every benchmark takes (--json, --tag, --hold); set by bench_parse(). */
struct bench_common {
	bool json;
	const char *tag;
	bool hold;
};

/*
 * After the result is printed: with --hold, waits until standard input
 * closes before the benchmark frees its memory and exits, so that a driver
 * reading counters around the run (forklab ab) sees the run's forks and the
 * children's exits but not the benchmark's own teardown.
 */
void bench_hold(const struct bench_common *common);

/* Parses @argv against @opts and the common options; exits 2 with a message on nonsense. */
void bench_parse(const char *cmd, const struct bench_opt *opts, int argc, char **argv,
		 struct bench_common *common);

/* Prints a message naming the benchmark and exits with @code. */
void bench_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Monotonic time in ns. */
double bench_now_ns(void);

int bench_latency(int argc, char **argv);
int bench_fork_exit(int argc, char **argv);
int bench_mprotect(int argc, char **argv);

#endif
