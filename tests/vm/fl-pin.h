/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the race programs share: /dev/fl_pinner (tests/kmod/fl_pinner.c)
 * and the check of mm/cow's rule for a page pinned across a fork.
 * Header-only, like fl-test.h (include that first).
 */
#ifndef FL_PIN_H
#define FL_PIN_H

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "../kmod/fl_pinner.h"

#define PG		4096UL
#define THP		(2UL << 20)

/*
 * The forking thread and the pinners on CPUs of their own: sharing one,
 * a pinner is mostly preempted (holding its pins) while the other forks,
 * and the pin never lands during the copy.
 */
static inline void on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % sysconf(_SC_NPROCESSORS_ONLN), &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* One page table's worth of memory, aligned: mapped by one PMD or one PTE table. */
static inline void *map_aligned(size_t len, size_t align)
{
	char *raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)raw + align - 1) & ~(align - 1));
	if (p > raw)
		munmap(raw, p - raw);
	munmap(p + len, raw + align - p);
	return p;
}

/* The bracketed choice of an mTHP "enabled" file, to put back later. */
static inline int thp_setting(const char *path, char *out, size_t len)
{
	char buf[128], *a, *b;
	FILE *f = fopen(path, "r");
	int ok = f && fgets(buf, sizeof(buf), f) && (a = strchr(buf, '[')) && (b = strchr(a, ']'));

	if (f)
		fclose(f);
	if (ok)
		snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
	return ok;
}

static inline int pin_open(void)
{
	return open("/dev/fl_pinner", O_RDWR | O_CLOEXEC);
}

/* @iters GUP-fast pin/unpin rounds of [addr, addr + len); counts added to @acc. */
static inline int pin_loop(int fd, const void *addr, size_t len, unsigned int iters,
			   struct fl_pin_loop *acc)
{
	struct fl_pin_loop a = { .addr = (uintptr_t)addr, .len = len, .iterations = iters };
	int r = ioctl(fd, FL_PIN_LOOP, &a) ? errno : 0;

	acc->calls += a.calls;
	acc->short_calls += a.short_calls;
	acc->pages += a.pages;
	return r;
}

/* The PTEs of @pid (0: us) for @nr pages from @addr; level FL_PTES_* or -errno. */
static inline int read_ptes(int fd, pid_t pid, const void *addr, unsigned int nr,
			    struct fl_pin_ptes *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->addr = (uintptr_t)addr;
	p->nr = nr;
	return ioctl(fd, FL_PIN_PTES, p) ? -errno : (int)p->level;
}

/*
 * mm/cow's rule for a page pinned across a fork, checked on one page: the
 * caller pinned @page through @pfd (PIN_HOLD, pfn @pinned_pfn) before
 * forking @child, which waits for a byte on @go and then reads the page.
 * After the fork the parent writes @fresh into the page's first word: the
 * pinned page must still be the parent's (the device, PIN_PEEK, sees the
 * write), and the child's PTE must map another page (a copy).  The child
 * checks for itself that it still sees the old value.  Returns NULL or
 * what was wrong.  A child's PTE that is not present (reclaim swapped the
 * child's page out meanwhile) proves nothing either way: *@unseen is set.
 */
static inline const char *pinned_rule(int pfd, volatile uint64_t *page, uint64_t fresh,
				      uint64_t pinned_pfn, pid_t child, int *unseen)
{
	struct fl_pin_word w = { .offset = 0 };
	struct fl_pin_ptes pt;
	int lvl;

	page[0] = fresh;
	if (ioctl(pfd, FL_PIN_PEEK, &w))
		return "PIN_PEEK failed";
	if (w.value != fresh)
		return "the parent's write after fork missed the pinned page: the parent lost it";
	lvl = read_ptes(pfd, child, (const void *)page, 1, &pt);
	if (lvl < 0)
		return "PTES on the child failed";
	if (lvl == FL_PTES_PMD || lvl == FL_PTES_PUD)
		return "the child maps the pinned page's address with a huge entry (collapsed?)";
	if (lvl != FL_PTES_TABLE)
		return "the child's page table has no PTE for the pinned page";
	*unseen = !(pt.flags[0] & FL_PTE_PRESENT);
	if (*unseen)
		return NULL;
	if (pt.pfn[0] == pinned_pfn)
		return "the child maps the pinned page itself: shared, not copied";
	return NULL;
}

/* forklab's books: every redirected call handled by one mode, none failed. */
struct books {
	unsigned long long redirected, calls, errors;
};

static inline struct books books_now(int dev)
{
	struct books b = { 0 };

	for (unsigned int m = 0; m < FORKLAB_MODE_COUNT; m++) {
		struct forklab_stats st = get_stats(dev, m);

		b.redirected = st.redirected;
		b.calls += st.calls;
		b.errors += st.errors;
	}
	return b;
}

/*
 * Checks the books since @b0 once nobody is inside the module; "stock"
 * calls are never counted (nothing is redirected), so redirected calls
 * must equal the calls of the other modes.
 */
static inline void check_books(int dev, const char *what, struct books b0)
{
	struct forklab_stats g = settled_stats(dev, 300);
	struct books b1 = books_now(dev);

	check(g.in_flight == 0 && b1.redirected - b0.redirected == b1.calls - b0.calls &&
	      b1.errors == b0.errors,
	      "%s: books balance: %llu redirected = %llu calls of the modes, %llu errors, %llu in flight",
	      what, b1.redirected - b0.redirected, b1.calls - b0.calls, b1.errors - b0.errors,
	      (unsigned long long)g.in_flight);
}

#endif /* FL_PIN_H */
