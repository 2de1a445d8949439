// SPDX-License-Identifier: GPL-2.0
/*
 * Fork under memory pressure, for guest tests (t-pressure.sh).  A worker in a
 * memory cgroup of its own maps a large private anonymous area, fills it with
 * a pattern and forks; each child checks what it inherited, the worker checks
 * its own memory after every fork, failed or not.
 *
 *   swap:  memory.max a quarter of the area and swap (zram) allowed, so most
 *          of the area lives in swap: forks copy swap entries (non-present
 *          PTEs), all must succeed, and children read the data back through
 *          swap.
 *   nomem: no swap, oom_score_adj -1000 and memory.max stepped up from just
 *          above memory.current: the charge for the child's page tables
 *          (__GFP_ACCOUNT) fails, the memcg OOM killer finds nobody to kill
 *          (it prints a report: tools/vm/run knows), and the fork must fail
 *          with ENOMEM, at a different point of the copy each step, cleanly:
 *          parent intact, not one page-table page left behind.  At least one
 *          fork must be refused and one must succeed, or the test proved
 *          nothing.
 *
 * Around the whole run, in the parent outside the cgroup: page-table pages
 * and free memory must come back to where they were, and the cgroup must be
 * empty before it is removed.  With /dev/forklab, the module's counters of
 * the live mode say where in the walk each refused fork stopped.
 *
 * usage: fl-pressure swap|nomem [MiB]   (default 32 for swap, 128 for nomem)
 *        TAP on stdout, exit 0 if everything passed; a "# figures:" line
 *        at the end for t-pressure.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fl-test.h"

#define CGROOT		"/sys/fs/cgroup"
#define CG		CGROOT "/fl-pressure"
#define SWAP_FORKS	3	/* forks in the swap case */
/*
 * Free memory (MemFree plus the pages parked in per-CPU free lists) must come
 * back within this much.  What may legitimately stay allocated after the run:
 * slabs the kernel keeps for the next fork (task, mm, VMA, anon_vma caches),
 * the two cached kernel stacks per CPU, swap slots that per-CPU caches have
 * not yet returned to zram (at most 64 per CPU, up to 4 KiB of zram each:
 * 512 KiB on 2 CPUs) and the removed cgroup's own structures until they are
 * freed.  Measured: -0.5 to +0.3 MiB on all three targets.  What this
 * catches is the big leaks: the area (32 or 128 MiB), or its pages' swap
 * copies in zram.  Small ones would hide in it, but have checks of their
 * own: the child's page tables of a refused fork (up to 256 KiB) are counted
 * exactly by nr_page_table_pages after every fork, and what else a refused
 * fork could leave charged (task, kernel stack, mm) by memory.current.
 */
#define FREE_TOLERANCE_KB	(4 * 1024)
/*
 * memory.current of the emptied cgroup, once its per-CPU charge caches are
 * drained.  What stays is slab, freed lazily (after RCU grace periods):
 * measured 4 to 8 KiB, 0 to 4 KiB three seconds later.  A leaked kernel
 * stack alone would be 16 KiB on top of that; page tables are counted
 * exactly elsewhere.  We wait up to 2 s for it to go below.
 */
#define EMPTY_TOLERANCE_KB	16
/* the system's page-table pages over a whole run, see main() */
#define PT_BASELINE_TOLERANCE	1

static long page_size;

/* What the worker tells the parent (a shared page: it outlives the worker). */
struct shared {
	int tests, failures;		/* fl-test.h's counters, to continue them */
	int child_status;		/* wait4's status word, written by the kernel */
	char figures[512];		/* the "# figures:" line */
};
static struct shared *sh;

/* Each 64-bit word holds a value derived from its index: a page in the wrong place shows. */
static inline uint64_t pattern(size_t word)
{
	return word * 0x9E3779B97F4A7C15ULL + 0x0123456789ABCDEFULL;
}

/* Words that are not what they should be in pages first, first + stride, ... */
static size_t bad_words(const uint64_t *area, size_t pages, size_t first, size_t stride)
{
	size_t words = page_size / 8, bad = 0;

	for (size_t p = first; p < pages; p += stride)
		for (size_t w = p * words; w < (p + 1) * words; w++)
			bad += area[w] != pattern(w);
	return bad;
}

/* ---- files ---------------------------------------------------------------- */

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r = 1;

	/*
	 * To the end: a read() of a seq_file gives what fits in its buffer, as
	 * few as one record, and /proc/zoneinfo is a record per NUMA node (one
	 * read() saw only node 0's per-CPU lists in a guest with two nodes).
	 */
	while (fd >= 0 && n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += r;
	if (fd >= 0)
		close(fd);
	buf[n] = 0;
	return n > 0;
}

static uint64_t file_u64(const char *path)
{
	char buf[64];

	return read_text(path, buf, sizeof(buf)) ? strtoull(buf, NULL, 10) : 0;
}

/* A number from a cgroup file (kept open: see nomem_case); "max" is UINT64_MAX. */
static uint64_t pread_u64(int fd)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strncmp(buf, "max", 3) ? strtoull(buf, NULL, 10) : UINT64_MAX;
}

static int pwrite_u64(int fd, uint64_t val)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)val);

	return pwrite(fd, buf, n, 0) == n;
}

/* The value of "KEY value" (or "KEY: value") in a file such as memory.events. */
static long long keyed(const char *path, const char *key)
{
	static char buf[16384];
	size_t klen = strlen(key);

	if (!read_text(path, buf, sizeof(buf)))
		return -1;
	for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, key, klen) && (l[klen] == ' ' || l[klen] == ':'))
			return strtoll(l + klen + 1, NULL, 10);
	return -1;
}

/* Page-table pages in use, system-wide, with the per-CPU deltas folded in. */
static long long pagetable_pages_now(void)
{
	write_file("/proc/sys/vm/stat_refresh", "1");
	return keyed("/proc/vmstat", "nr_page_table_pages");
}

/*
 * Page-table pages once the frees in flight have landed.  7.3 frees a dead
 * mm's tables after an RCU grace period (x86 too), so right after a child
 * is reaped, or a refused fork returned, its tables may still be counted:
 * wait until the count holds still for 5 reads 20 ms apart (at most 2 s).
 * On 6.1 and 6.12 it holds still at once.
 */
static long long pagetable_pages(void)
{
	long long n = pagetable_pages_now(), prev;
	int still = 0;

	for (int i = 0; i < 100 && still < 5; i++) {
		usleep(20000);
		prev = n;
		n = pagetable_pages_now();
		still = n == prev ? still + 1 : 0;
	}
	return n;
}

/*
 * Free memory in KiB: MemFree plus the pages sitting in per-CPU free lists,
 * which MemFree does not count and which come and go by megabytes (a pcp
 * list holds up to "high" pages: thousands here).
 */
static long long free_kb(void)
{
	static char buf[65536];
	long long pcp = 0;

	if (!read_text("/proc/zoneinfo", buf, sizeof(buf)))
		return -1;
	for (char *l = strstr(buf, "count:"); l; l = strstr(l + 1, "count:"))
		pcp += strtoll(l + 6, NULL, 10);
	return keyed("/proc/meminfo", "MemFree") + pcp * (page_size / 1024);
}

/*
 * Empties the cgroup's per-CPU charge caches: memory.current counts up to 64
 * pages per CPU charged in advance, which a fork uses up before it meets
 * memory.max, so the headroom would be anything but what we wrote.  Writing
 * memory.high below the usage drains them and tries to reclaim (nothing to
 * reclaim here, and unlike memory.max it never invokes the OOM killer);
 * memory.high goes back to max before anything is charged.  @high_fd is
 * kept open: opening a file charges the cgroup for it, which would fill a
 * cache again (a charge takes 64 pages at once when it can).  Remote CPUs
 * drain from a work item: give it a moment.  Call it last before reading
 * memory.current.
 */
static void drain_charge_caches(int high_fd)
{
	if (pwrite(high_fd, "0", 1, 0) != 1 || pwrite(high_fd, "max", 3, 0) != 3)
		perror("fl-pressure: memory.high");
	usleep(2000);
}

/* ---- forks ----------------------------------------------------------------- */

/*
 * clone3() that, in the parent, waits for the child and writes "max" to
 * memory.max (fd @max_fd) before returning to C, all without touching user
 * memory.  Why: after a fork, the parent's private pages are write-protected
 * and shared with the child, so the parent's next write (to its stack, at
 * once) is a COW fault that charges a new page.  When the fork succeeded
 * with less headroom left than that, the charge fails, the OOM killer finds
 * nobody to kill (one more report) and the fault is retried, again and
 * again, until the child exits; a child in the same cgroup could be stuck
 * the same way in its own faults, and then neither would get on (read from
 * mm/memcontrol.c and pagefault_out_of_memory(), not provoked here).  So the
 * child runs in the root cgroup (CLONE_INTO_CGROUP in @args), where its
 * faults are not limited (what the fork itself allocates is charged to the
 * parent's cgroup, as in a plain fork), and the parent writes nothing
 * until the child is gone and the limit lifted: then its pages are its own
 * again and a write reuses them.  Returns the child's pid (its wait status
 * in sh->child_status, a shared page), 0 in the child, or -errno.
 */
static long fork_at_limit(struct clone_args *args, int max_fd)
{
	static const char lift[] = "max";
	long ret;
#if defined(__x86_64__)
	register long rax asm("rax") = SYS_clone3;
	register long rdi asm("rdi") = (long)args;
	register long rsi asm("rsi") = sizeof(*args);
	register long rdx asm("rdx");
	register long r10 asm("r10");
	register long keep asm("r12");

	asm volatile(
		"syscall\n\t"			/* clone3(args, size) */
		"test %%rax, %%rax\n\t"
		"jz 2f\n\t"			/* the child: back to C */
		"mov %%rax, %%r12\n\t"		/* the pid or -errno */
		"jl 1f\n\t"
		"mov %%rax, %%rdi\n\t"		/* wait4(pid, status, 0, NULL) */
		"mov %[status], %%rsi\n\t"
		"xor %%edx, %%edx\n\t"
		"xor %%r10d, %%r10d\n\t"
		"mov %[nr_wait4], %%eax\n\t"
		"syscall\n"
		"1:\n\t"
		"mov %[fd], %%rdi\n\t"		/* write(max_fd, "max", 3) */
		"mov %[lift], %%rsi\n\t"
		"mov $3, %%edx\n\t"
		"mov %[nr_write], %%eax\n\t"
		"syscall\n\t"
		"mov %%r12, %%rax\n"
		"2:"
		: "+r"(rax), "+r"(rdi), "+r"(rsi), "=&r"(rdx), "=&r"(r10), "=&r"(keep)
		: [status] "r"(&sh->child_status), [fd] "r"((long)max_fd), [lift] "r"(lift),
		  [nr_wait4] "i"(SYS_wait4), [nr_write] "i"(SYS_write)
		: "rcx", "r11", "memory", "cc");
	ret = rax;
#elif defined(__aarch64__)
	register long x0 asm("x0") = (long)args;
	register long x1 asm("x1") = sizeof(*args);
	register long x2 asm("x2");
	register long x3 asm("x3");
	register long x8 asm("x8") = SYS_clone3;
	long keep;

	asm volatile(
		"svc #0\n\t"			/* clone3(args, size) */
		"cbz x0, 2f\n\t"		/* the child: back to C */
		"mov %[keep], x0\n\t"		/* the pid or -errno */
		"cmp x0, #0\n\t"
		"b.lt 1f\n\t"
		"mov x1, %[status]\n\t"		/* wait4(pid, status, 0, NULL) */
		"mov x2, #0\n\t"
		"mov x3, #0\n\t"
		"mov x8, #%[nr_wait4]\n\t"
		"svc #0\n"
		"1:\n\t"
		"mov x0, %[fd]\n\t"		/* write(max_fd, "max", 3) */
		"mov x1, %[lift]\n\t"
		"mov x2, #3\n\t"
		"mov x8, #%[nr_write]\n\t"
		"svc #0\n\t"
		"mov x0, %[keep]\n"
		"2:"
		: "+r"(x0), "+r"(x1), "=&r"(x2), "=&r"(x3), "+r"(x8), [keep] "=&r"(keep)
		: [status] "r"(&sh->child_status), [fd] "r"((long)max_fd), [lift] "r"(lift),
		  [nr_wait4] "i"(SYS_wait4), [nr_write] "i"(SYS_write)
		: "memory", "cc");
	ret = x0;
#else
#error "fork_at_limit: add the clone3, wait4, write sequence for this architecture"
#endif
	return ret;
}

/* The module's counters of @mode, or zeroes without the module. */
static struct forklab_stats stats(int dev, unsigned int mode)
{
	struct forklab_stats st = { 0 };

	return dev < 0 ? st : get_stats(dev, mode);
}

static unsigned long long walked(const struct forklab_stats *a, const struct forklab_stats *b)
{
	return (b->ptes_present + b->ptes_nonpresent) - (a->ptes_present + a->ptes_nonpresent);
}

/* ---- the cases, in the worker ---------------------------------------------- */

struct ctx {
	uint64_t *area;
	size_t pages;
	int dev;		/* /dev/forklab or -1 */
	unsigned int mode;
	int walks;		/* the mode is forklab's own walk (perpte, batched) */
};

static int map_and_fill(struct ctx *c, size_t mib)
{
	size_t len = mib << 20;

	c->area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->area == MAP_FAILED) {
		perror("fl-pressure: mmap");
		return 0;
	}
	/* 4 KiB PTEs throughout: every 2 MiB is one page table to copy, in forklab's walk */
	madvise(c->area, len, MADV_NOHUGEPAGE);
	c->pages = len / page_size;
	for (size_t w = 0; w < len / 8; w++)
		c->area[w] = pattern(w);
	return 1;
}

/*
 * swap: the area mostly in swap; SWAP_FORKS forks, each child checking every
 * 8th page (a different eighth each time), the parent every 16th after each
 * fork and every 4th at the end.  Samples, not everything: most of what is
 * read comes back from zram, which is what takes the time under TCG; a bad
 * copy of page tables spoils whole tables (512 pages), which samples catch.
 */
static void swap_case(struct ctx *c, size_t mib)
{
	unsigned long long max_mib = mib / 4, nonpresent = 0, swapped_kb;
	int ok = 0, bad_children = 0, set;
	char val[32];

	snprintf(val, sizeof(val), "%lluM", max_mib);
	set = write_file(CG "/memory.swap.max", "max") && write_file(CG "/memory.max", val);
	check(set, "swap: memory.max %llu MiB for a %zu MiB area, swap allowed", max_mib, mib);
	if (!set || !map_and_fill(c, mib))
		return;
	swapped_kb = file_u64(CG "/memory.swap.current") >> 10;
	check(swapped_kb >= (mib << 10) / 2, "swap: %llu of %zu MiB of the area is in swap",
	      swapped_kb >> 10, mib);

	for (int i = 0; i < SWAP_FORKS; i++) {
		struct forklab_stats s0 = stats(c->dev, c->mode), s1;
		long long pt0 = pagetable_pages(), pt1;
		int status = 0;
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(bad_words(c->area, c->pages, i % 8, 8) ? 3 : 0);
		if (pid < 0) {
			check(0, "swap: fork %d: %s (with swap, a fork must not fail)", i + 1, strerror(errno));
			continue;
		}
		waitpid(pid, &status, 0);
		s1 = stats(c->dev, c->mode);
		pt1 = pagetable_pages();
		nonpresent += s1.ptes_nonpresent - s0.ptes_nonpresent;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
		else
			bad_children++;
		check(WIFEXITED(status) && WEXITSTATUS(status) == 0 && s1.errors == s0.errors &&
		      (!c->walks || s1.ptes_nonpresent > s0.ptes_nonpresent) && pt1 == pt0 &&
		      !bad_words(c->area, c->pages, (i * 5 + 3) % 16, 16),
		      "swap: fork %d: child read the right data (status %#x), %llu swap entries copied%s, "
		      "page tables %+lld, parent's sample intact", i + 1, status,
		      (unsigned long long)(s1.ptes_nonpresent - s0.ptes_nonpresent),
		      c->walks ? "" : " (not counted in this mode)", pt1 - pt0);
	}
	check(!bad_words(c->area, c->pages, 1, 4), "swap: every 4th page intact at the end");
	check(keyed(CG "/memory.events", "oom") == 0 && keyed(CG "/memory.events", "oom_kill") == 0,
	      "swap: no memcg OOM (events: oom %lld, oom_kill %lld)",
	      keyed(CG "/memory.events", "oom"), keyed(CG "/memory.events", "oom_kill"));
	snprintf(sh->figures, sizeof(sh->figures),
		 "case=swap mib=%zu max_mib=%llu swapped_mib=%llu forks_ok=%d bad_children=%d "
		 "refused=0 swap_entries_copied=%llu", mib, max_mib,
		 swapped_kb >> 10, ok, bad_children, nonpresent);
}

/*
 * nomem: memory.max at memory.current + k * step pages, k = 1, 2, ... until
 * a fork succeeds.  The step is a third of the child's PTE tables, so that
 * successive refusals stop about a third of the area further into the walk
 * (what a fork charges before its walk, some 10 to 20 pages, is small next
 * to the 64 tables of 128 MiB).  Not smaller: each refusal prints an OOM
 * report (about 4.5 KiB) into a 128 KiB kernel log that must still hold
 * what the other suites printed.
 */
static void nomem_case(struct ctx *c, size_t mib)
{
	/*
	 * Kept open, and memory.current read once now: opening a file charges
	 * the cgroup for its struct file, and the first read for its seq_file
	 * buffer; either would put a whole batch of charges (64 pages) into
	 * the per-CPU cache we drain before each fork.
	 */
	int cur_fd = open(CG "/memory.current", O_RDONLY), max_fd = open(CG "/memory.max", O_WRONLY);
	int high_fd = open(CG "/memory.high", O_WRONLY);
	int root_fd = open(CGROOT, O_RDONLY | O_DIRECTORY);
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = root_fd,
	};
	long tables, step, max_tries, refused = 0, ok = 0, copy_errors = 0;
	unsigned long long total = 0;
	int inside = 0;
	struct { long headroom; unsigned long long walked; int in_copy; } at[64];
	long long oom0, oom_kill0;
	char pts[512] = "";
	int set = cur_fd >= 0 && max_fd >= 0 && high_fd >= 0 && root_fd >= 0 &&
		  write_file("/proc/self/oom_score_adj", "-1000") &&
		  write_file(CG "/memory.swap.max", "0");

	check(set, "nomem: no swap, oom_score_adj -1000, cgroup files open");
	if (!set || !map_and_fill(c, mib))
		return;
	pread_u64(cur_fd);
	tables = c->pages / (page_size / 8);
	step = tables / 3 ? tables / 3 : 1;
	/* a fork charges its tables and some 10 to 30 pages more: 1 MiB more is plenty */
	max_tries = (tables + (1 << 20) / page_size) / step + 1;
	oom0 = keyed(CG "/memory.events", "oom");
	oom_kill0 = keyed(CG "/memory.events", "oom_kill");
	printf("# nomem: the child needs %ld PTE tables; memory.max goes up %ld pages a step\n",
	       tables, step);

	for (long k = 1; k <= max_tries && !ok; k++) {
		struct forklab_stats s0, s1;
		long long pt0, pt1;
		uint64_t cur;
		long ret;
		int err;

		s0 = stats(c->dev, c->mode);
		pt0 = pagetable_pages();
		drain_charge_caches(high_fd);	/* last before reading memory.current */
		cur = pread_u64(cur_fd);
		if (!pwrite_u64(max_fd, cur + k * step * page_size)) {
			check(0, "nomem: cannot set memory.max");
			break;
		}
		fflush(stdout);
		ret = fork_at_limit(&args, max_fd);
		if (ret == 0)	/* the child, in the root cgroup: check every 4th page */
			_exit(bad_words(c->area, c->pages, k % 4, 4) ? 3 : 0);
		err = ret < 0 ? -ret : 0;
		/* the limit is lifted again: from here on anything may be charged */
		s1 = stats(c->dev, c->mode);
		pt1 = pagetable_pages();
		/* the parent's pages are its own again: writing one must not disturb the rest */
		for (size_t w = 0; w < (size_t)page_size / 8; w++) {
			size_t i = ((k * 97) % c->pages) * (page_size / 8) + w;

			c->area[i] = pattern(i);
		}
		if (ret > 0) {
			int st = sh->child_status;

			ok++;
			total = walked(&s0, &s1);
			check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && pt1 == pt0 &&
			      s1.errors == s0.errors && !bad_words(c->area, c->pages, k % 4, 4),
			      "nomem: headroom %ld pages: fork succeeded, child saw the right data "
			      "(status %#x), page tables %+lld, parent's sample intact", k * step, st,
			      pt1 - pt0);
			continue;
		}
		if (refused < 64) {
			at[refused].headroom = k * step;
			at[refused].walked = walked(&s0, &s1);
			at[refused].in_copy = s1.errors > s0.errors;
		}
		refused++;
		copy_errors += s1.errors - s0.errors;
		check(err == ENOMEM && pt1 == pt0 && s1.errors - s0.errors <= 1 &&
		      !bad_words(c->area, c->pages, k % 4, 4),
		      "nomem: headroom %ld pages: fork refused (%s)%s, page tables %+lld, "
		      "parent's sample intact",
		      k * step, strerror(err),
		      s1.errors > s0.errors ? " in copy_page_range" : "", pt1 - pt0);
	}
	check(refused >= 1 && ok >= 1, "nomem: %ld forks refused, %ld succeeded: the limit was crossed",
	      refused, ok);
	check(!bad_words(c->area, c->pages, 0, 1), "nomem: the whole area is intact at the end");

	/*
	 * Where each refused fork stopped: in PTEs copied (forklab's walk),
	 * else in pages of headroom.  "*": it failed outside copy_page_range,
	 * in an allocation of fork before or after the copy of a VMA.
	 */
	for (long i = 0; i < refused && i < 64; i++) {
		unsigned long long w = at[i].walked;

		inside += c->walks && at[i].in_copy && w > 0 && w < total;
		if (c->walks)
			snprintf(pts + strlen(pts), sizeof(pts) - strlen(pts), "%s%llu%%%s", i ? "," : "",
				 total ? w * 100 / total : 0, at[i].in_copy ? "" : "*");
		else
			snprintf(pts + strlen(pts), sizeof(pts) - strlen(pts), "%s%ldp", i ? "," : "",
				 at[i].headroom);
	}
	if (c->walks)
		check(inside, "nomem: %d refused forks failed inside the walk: after %s of its %llu PTEs "
		      "(*: outside copy_page_range)", inside, pts, total);
	else
		printf("# nomem: refused with %s of headroom (this mode shows no walk)\n", pts);
	check(keyed(CG "/memory.events", "oom_kill") == oom_kill0,
	      "nomem: nobody was OOM-killed (memcg OOM invocations: %lld)",
	      keyed(CG "/memory.events", "oom") - oom0);
	snprintf(sh->figures, sizeof(sh->figures),
		 "case=nomem mib=%zu step_pages=%ld forks_ok=%ld refused=%ld copy_errors=%ld "
		 "walk_ptes=%llu stopped_at=%s oom=%lld", mib, step, ok, refused, copy_errors,
		 total, pts, keyed(CG "/memory.events", "oom") - oom0);
}

/* The worker: pinned to one CPU (so that its charges go through one per-CPU cache), in the cgroup. */
static void worker(const char *which, size_t mib, int dev, unsigned int mode)
{
	struct ctx c = { .dev = dev, .mode = mode,
			 .walks = mode == FORKLAB_MODE_PERPTE || mode == FORKLAB_MODE_BATCHED };
	cpu_set_t cpus;
	int moved;

	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	moved = write_file(CG "/cgroup.procs", "0");
	check(moved, "worker moved into " CG);
	if (!moved)
		return;
	if (!strcmp(which, "swap"))
		swap_case(&c, mib);
	else
		nomem_case(&c, mib);
}

/* ---- the parent -------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const char *const names[] = {
#define FORKLAB_MODE_NAME(id, val, name, desc) [val] = name,
		FORKLAB_MODE_LIST(FORKLAB_MODE_NAME)
#undef FORKLAB_MODE_NAME
	};
	struct forklab_config cfg = { .size = sizeof(cfg) };
	long long pt_base, free_base, pt_after, free_after, current_kb = -1;
	unsigned int mode = FORKLAB_MODE_STOCK;
	size_t mib;
	int dev, status = 0, made, high_fd;
	struct timespec t0, t1;
	pid_t pid;

	if (argc < 2 || argc > 3 || (strcmp(argv[1], "swap") && strcmp(argv[1], "nomem")) ||
	    (mib = argc == 3 ? strtoul(argv[2], NULL, 10) : !strcmp(argv[1], "swap") ? 32 : 128) < 8) {
		fprintf(stderr, "usage: fl-pressure swap|nomem [MiB >= 8]\n");
		return 2;
	}
	page_size = sysconf(_SC_PAGESIZE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dev = open(FORKLAB_DEVICE, O_RDONLY);
	if (dev >= 0 && !ioctl(dev, FORKLAB_IOC_GET_CONFIG, &cfg) && cfg.mode < FORKLAB_MODE_COUNT)
		mode = cfg.mode;
	printf("# fl-pressure %s %zu MiB, mode %s%s\n", argv[1], mib, names[mode],
	       dev < 0 ? " (no /dev/forklab: no module counters)" : "");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	memset(sh, 0, sizeof(*sh));

	write_file(CGROOT "/cgroup.subtree_control", "+memory");
	rmdir(CG);	/* a leftover of an earlier run, empty or not there */
	made = !mkdir(CG, 0755) && !access(CG "/memory.swap.max", F_OK);
	check(made, "cgroup " CG " with the memory controller (and swap accounting)");
	if (!made)
		return done("fl-pressure");

	/* the baseline, once the cgroup is there (it allocates nothing per fork) */
	pt_base = pagetable_pages();
	free_base = free_kb();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		worker(argv[1], mib, dev, mode);
		sh->tests = tests;
		sh->failures = failures;
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && sh->tests) {
		tests = sh->tests;
		failures = sh->failures;
	} else {
		check(0, "the worker died (status %#x)", status);
	}

	/* the cgroup must be empty once its per-CPU charge caches are drained */
	high_fd = open(CG "/memory.high", O_WRONLY);
	for (int i = 0; i < 100; i++) {
		drain_charge_caches(high_fd);
		current_kb = file_u64(CG "/memory.current") >> 10;
		if (current_kb <= EMPTY_TOLERANCE_KB)
			break;
		usleep(20000);
	}
	if (current_kb > EMPTY_TOLERANCE_KB) {
		/*
		 * 7.3 keeps part of a cgroup's charge in per-CPU caches that
		 * memory.high no longer drains: memory.current counts it,
		 * memory.stat does not.  What is really in use is what
		 * memory.stat has (kernel: slab, stacks, page tables, percpu).
		 */
		long long used_kb = 0;
		static const char *const kinds[] = { "anon", "file", "kernel", "sock" };

		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			used_kb += keyed(CG "/memory.stat", kinds[k]) > 0 ?
				   keyed(CG "/memory.stat", kinds[k]) >> 10 : 0;
		check(used_kb <= EMPTY_TOLERANCE_KB, "the cgroup is empty again: %lld KiB in use "
		      "(memory.stat anon+file+kernel+sock; tolerance %d), %lld KiB more of "
		      "memory.current in per-CPU charge caches", used_kb, EMPTY_TOLERANCE_KB,
		      current_kb - used_kb);
	} else {
		check(1, "the cgroup is empty again: memory.current %lld KiB (tolerance %d)",
		      current_kb, EMPTY_TOLERANCE_KB);
	}
	close(high_fd);
	check(!rmdir(CG), "cgroup removed");

	pt_after = pagetable_pages();
	free_after = free_kb();
	/*
	 * Every fork's own page tables were checked exactly above.  Over the
	 * whole run the system's count may move by one page that is none of
	 * ours: seen on 7.3 in every mode, stock too, where 6.1 and 6.12 hold
	 * exactly (whose page it is was not pinned down).
	 */
	check(llabs(pt_after - pt_base) <= PT_BASELINE_TOLERANCE,
	      "page-table pages back to baseline: %lld -> %lld (tolerance %d)", pt_base, pt_after,
	      PT_BASELINE_TOLERANCE);
	check(free_after >= free_base - FREE_TOLERANCE_KB,
	      "free memory back to baseline: %+lld KiB (MemFree + per-CPU lists; tolerance -%d KiB)",
	      free_after - free_base, FREE_TOLERANCE_KB);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# figures: mode=%s %s pt_delta=%lld free_delta_kb=%lld cg_left_kb=%lld secs=%.1f\n",
	       names[mode], sh->figures, pt_after - pt_base, free_after - free_base, current_kb,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return done("fl-pressure");
}
