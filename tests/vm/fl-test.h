/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest test programs share: TAP output and the few ioctls they
 * use to switch modes and read counters.  Header-only: each program is one
 * static binary built from one .c file.
 */
#ifndef FL_TEST_H
#define FL_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "../../include/uapi/forklab.h"

static int tests, failures;

/* One TAP line: "ok N - ..." or "not ok N - ...". */
static inline void __attribute__((format(printf, 2, 3))) check(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failures++;
	printf("%s %d - ", cond ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* The plan and the summary line; the exit status of the program. */
static inline int done(const char *prog)
{
	printf("1..%d\n", tests);
	printf("# %s: %d passed, %d failed\n", prog, tests - failures, failures);
	return failures ? 1 : 0;
}

/* Switches forklab's mode; 0 or the errno. */
static inline int set_mode(int dev, unsigned int mode)
{
	struct forklab_config c = { .size = sizeof(c), .flags = FORKLAB_CONFIG_SET_MODE, .mode = mode };

	return ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c) ? errno : 0;
}

static inline struct forklab_stats get_stats(int dev, unsigned int mode)
{
	struct forklab_stats st = { .size = sizeof(st), .mode = mode };

	if (ioctl(dev, FORKLAB_IOC_GET_STATS, &st))
		perror("GET_STATS");
	return st;
}

/* Back to the defaults: mode stock, scope all, contpte kernel; 0 or the errno. */
static inline int set_defaults(int dev)
{
	struct forklab_config c = { .size = sizeof(c), .flags = FORKLAB_CONFIG_FLAGS,
				    .mode = FORKLAB_MODE_STOCK, .scope = FORKLAB_SCOPE_ALL,
				    .contpte_policy = FORKLAB_CONTPTE_KERNEL };

	return ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c) ? errno : 0;
}

/*
 * The global counters once no task is inside the module, polled every 10 ms
 * at most @tries times: in stock nothing new is redirected, and the forks
 * already inside leave by themselves.
 */
static inline struct forklab_stats settled_stats(int dev, unsigned int tries)
{
	struct forklab_stats st = get_stats(dev, FORKLAB_MODE_STOCK);

	while (st.in_flight && tries--) {
		usleep(10000);
		st = get_stats(dev, FORKLAB_MODE_STOCK);
	}
	return st;
}

/* Seconds on the monotonic clock. */
static inline double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Writes @val to a sysfs/procfs file; 1 on success. */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return 0;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

/*
 * Whether the kernel has transparent hugepages: not PREEMPT_RT kernels
 * (TRANSPARENT_HUGEPAGE depends on !PREEMPT_RT), where madvise() refuses
 * MADV_[NO]HUGEPAGE with EINVAL and there are no large folios, so no mTHP
 * and no contiguous PTEs either.
 */
#define THP_SYSFS "/sys/kernel/mm/transparent_hugepage"

static inline int have_thp(void)
{
	return access(THP_SYSFS, F_OK) == 0;
}

/*
 * Whether this kernel has arm64's contiguous-PTE helpers, which forklab's
 * contpte policies replace: CONFIG_ARM64_CONTPTE, which needs THP, so not
 * Debian's arm64 PREEMPT_RT kernels (lib.sh's has_contpte, the same test).
 */
static inline int have_contpte(void)
{
	static const char sym[] = " contpte_set_ptes\n";
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256];
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		found = n >= sizeof(sym) - 1 && !strcmp(line + n - (sizeof(sym) - 1), sym);
	}
	if (f)
		fclose(f);
	return found;
}

#endif /* FL_TEST_H */
