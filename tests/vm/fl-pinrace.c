// SPDX-License-Identifier: GPL-2.0
/*
 * Fork against GUP-fast pins of a fresh PTE-mapped THP,
 * in forklab's current mode, for t-race.sh.
 *
 * Each iteration maps a fresh 2 MiB THP, splits its PMD into 512 PTEs with
 * mprotect() (the folio stays one large folio, every page still exclusive
 * to the parent), and forks while pinner threads of this process pin and
 * unpin parts of it through GUP-fast (/dev/fl_pinner, PIN_LOOP).  That is
 * the moment a batched copy decides whether the folio may be pinned: a pin
 * that lands after the decision must not make the copy fail half way (6.1's
 * batched path once hit a BUG_ON there; the guest would die of it).
 *
 * The window is short: a pin must land after the copy's check of the folio
 * and before the end of its run, from a GUP-fast walk that read
 * write_protect_seq before the copy of this VMA began and that no earlier
 * VMA's copy disturbed (GUP-fast gives up, and waits for the mmap_lock,
 * when it sees the count move).  So the THP lives at the lowest address
 * (below the program), where fork copies it first, and half the pinner's
 * calls start in a shared mapping just below it: fork copies no page table
 * for that, while GUP-fast spends a random time pinning its pages before it
 * reaches the THP, which sweeps the moment of the THP's first pin across
 * the copy.
 *
 * Every HOLD_EVERY-th iteration one page of the THP is also held pinned
 * across the fork, and mm/cow's rule is checked on it: the child gets a
 * copy, the parent keeps the pinned page (fl-pin.h, pinned_rule()).
 * Every child checks what it inherited, writes a few pages (COW), checks
 * again; the parent checks its own memory after each child is gone.
 *
 * usage: fl-pinrace SECONDS [PINNERS]   (default 1 pinner thread)
 *        TAP; a "# pinrace" line with the counts.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include "fl-test.h"
#include "fl-pin.h"

#define PAGES		(THP / PG)
#define HOLD_EVERY	4
#define MAX_PINNERS	4
#define LOW_SHARED	0x10000UL	/* the shared mapping's start when the THP is at 2 MiB */

static _Atomic(char *) area;		/* the THP the pinners work on */
static char *thp_at;			/* where each iteration maps it */
static size_t below;			/* pages of the shared mapping below it */
static atomic_int stop;
static atomic_uint rounds;		/* pinner calls made, for the fork to wait on */
static struct fl_pin_loop pinned[MAX_PINNERS];

static inline uint64_t stamp(unsigned int iter, size_t page)
{
	return ((uint64_t)iter << 32 | page) * 0x9E3779B97F4A7C15ULL;
}

/* Pages of @p (PAGES of them) whose stamps are not those of @iter; @skip is exempt. */
static size_t bad_pages(const char *p, unsigned int iter, size_t skip)
{
	size_t bad = 0;

	for (size_t k = 0; k < PAGES; k++) {
		const uint64_t *w = (const uint64_t *)(p + k * PG);

		if (k != skip && (w[0] != stamp(iter, k) || w[1] != ~stamp(iter, k)))
			bad++;
	}
	return bad;
}

/* Pins and unpins the whole THP or a random part of it, until told to stop. */
static void *pinner(void *arg)
{
	struct fl_pin_loop *acc = arg;
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	int fd = pin_open();

	on_cpu(1);

	while (fd >= 0 && !atomic_load(&stop)) {
		char *p = atomic_load(&area);
		size_t first = 0, n = PAGES;

		if (!p) {
			sched_yield();
			continue;
		}
		switch (rand_r(&seed) % 4) {
		case 0:		/* all of it */
			break;
		case 1:		/* a part of it */
			first = rand_r(&seed) % PAGES;
			n = 1 + rand_r(&seed) % (PAGES - first);
			break;
		default:	/* from the shared mapping below: late on the THP */
			n = 1 + rand_r(&seed) % below;
			p -= n * PG;
			n += 1 + rand_r(&seed) % 4;
		}
		/* an unmapped area (between iterations) is a short call, not an error */
		pin_loop(fd, p + first * PG, n * PG, 1, acc);
		atomic_fetch_add(&rounds, 1);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The child: waits for the parent's write, checks, writes, checks again. */
static void child(char *p, unsigned int iter, int go)
{
	char c;
	int bad;

	if (read(go, &c, 1) != 1)
		_exit(2);
	bad = bad_pages(p, iter, (size_t)-1) != 0;	/* the held page too: the old value */
	for (int i = 0; i < 4; i++) {
		size_t k = (iter * 7 + i * 131) % PAGES;

		((uint64_t *)(p + k * PG))[2] = 1;	/* a COW fault; the stamps stay */
	}
	bad |= bad_pages(p, iter, (size_t)-1) != 0;
	_exit(bad ? 3 : 0);
}

struct tally {
	unsigned int iters, thp, not_split, holds, unseen, bad_children, bad_parent, fork_failed;
	const char *rule_broken;
};

/* A fresh 2 MiB THP at @p's place, stamped and split into PTEs; 1 if it is one. */
static int fresh_thp(int pfd, char **pp, unsigned int iter, struct tally *t)
{
	struct fl_pin_ptes pt;
	char *p = mmap(thp_at, THP, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	int thp;

	*pp = p == MAP_FAILED ? NULL : p;
	if (p == MAP_FAILED)
		return 0;
	madvise(p, THP, MADV_HUGEPAGE);
	for (size_t k = 0; k < PAGES; k++) {
		((uint64_t *)(p + k * PG))[0] = stamp(iter, k);
		((uint64_t *)(p + k * PG))[1] = ~stamp(iter, k);
	}
	thp = read_ptes(pfd, 0, p, 1, &pt) == FL_PTES_PMD;
	/*
	 * khugepaged keeps off it from now on, in the child too: it would
	 * collapse the split THP again, or in a child hide the copy.
	 */
	madvise(p, THP, MADV_NOHUGEPAGE);
	/* one page read-only and back: the PMD is split, the folio is not */
	mprotect(p + THP - PG, PG, PROT_READ);
	mprotect(p + THP - PG, PG, PROT_READ | PROT_WRITE);
	if (thp && read_ptes(pfd, 0, p, FL_PTES_MAX, &pt) == FL_PTES_TABLE) {
		for (int i = 1; i < FL_PTES_MAX; i++)
			thp &= pt.pfn[i] == pt.pfn[0] + i;
		return thp;
	}
	t->not_split += thp;
	return 0;
}

static void iteration(int pfd, unsigned int iter, struct tally *t)
{
	int hold = iter % HOLD_EVERY == 0, go[2], status = 0, unseen = 0;
	struct fl_pin_hold h = { 0 };
	size_t held = (size_t)-1;
	const char *why = NULL;
	pid_t pid;
	char *p;

	t->thp += fresh_thp(pfd, &p, iter, t);
	if (!p || pipe(go)) {
		t->fork_failed++;
		return;
	}
	atomic_store(&area, p);
	/*
	 * Fork only once the pinners are in full swing on this THP: a pinner
	 * still waking up would start its GUP-fast after the copy began, see
	 * write_protect_seq odd and wait for the mmap_lock, racing nothing.
	 */
	for (unsigned int r0 = atomic_load(&rounds), spins = 0;
	     atomic_load(&rounds) - r0 < 2 && spins < 100000; spins++)
		sched_yield();
	if (hold) {
		held = (iter / HOLD_EVERY * 37) % PAGES;
		h.addr = (uintptr_t)(p + held * PG);
		if (ioctl(pfd, FL_PIN_HOLD, &h))
			why = "PIN_HOLD failed";
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		child(p, iter, go[0]);
	}
	close(go[0]);
	if (pid < 0) {
		t->fork_failed++;
	} else {
		if (hold && !why) {
			why = pinned_rule(pfd, (uint64_t *)(p + held * PG), ~0ULL - iter, h.pfn,
					  pid, &unseen);
			t->holds++;
			t->unseen += unseen;
		}
		if (write(go[1], "g", 1) != 1)
			why = why ?: "cannot wake the child";
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			t->bad_children++;
		if (bad_pages(p, iter, held) ||
		    (hold && ((uint64_t *)(p + held * PG))[0] != ~0ULL - iter))
			t->bad_parent++;
	}
	close(go[1]);
	if (hold)
		ioctl(pfd, FL_PIN_RELEASE);
	if (why && !t->rule_broken)
		t->rule_broken = why;
	atomic_store(&area, NULL);
	/* PROT_NONE in its place: the next THP comes with a fresh page table */
	mmap(p, THP, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	t->iters++;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5, end;
	int npin = argc > 2 ? atoi(argv[2]) : 1;
	int pfd = pin_open(), dev = open("/dev/forklab", O_RDWR);
	struct forklab_config cfg = { .size = sizeof(cfg) };
	struct forklab_stats s0, s1;
	struct fl_pin_loop all = { 0 };
	pthread_t th[MAX_PINNERS];
	struct tally t = { 0 };
	const char *mode;
	struct books b0;

	if (pfd < 0 || dev < 0 || seconds <= 0 || npin < 1 || npin > MAX_PINNERS) {
		fprintf(stderr, "usage: fl-pinrace SECONDS [PINNERS 1..%d]; needs /dev/fl_pinner "
			"(insmod fl_pinner.ko) and /dev/forklab\n", MAX_PINNERS);
		return 2;
	}
	ioctl(dev, FORKLAB_IOC_GET_CONFIG, &cfg);
	mode = (const char *[]){ "stock", "passthrough", "perpte", "batched" }[cfg.mode % 4];
	/*
	 * A THP slot with a shared, populated mapping just below it: at 2 MiB,
	 * below the program (static, at 4 MiB), if that is free; else anywhere.
	 */
	below = (THP - LOW_SHARED) / PG;
	thp_at = mmap((void *)LOW_SHARED, 2 * THP - LOW_SHARED, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (thp_at != (void *)LOW_SHARED) {
		if (thp_at != MAP_FAILED)
			munmap(thp_at, 2 * THP - LOW_SHARED);
		below = PAGES;
		thp_at = map_aligned(2 * THP, THP);
		thp_at = thp_at ? thp_at + THP - below * PG : NULL;
	}
	if (!thp_at || mmap(thp_at, below * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS |
			    MAP_FIXED, -1, 0) == MAP_FAILED) {
		perror("fl-pinrace: mmap");
		return 1;
	}
	memset(thp_at, 1, below * PG);
	thp_at += below * PG;
	printf("# THP slot at %p, %zu shared pages below it\n", thp_at, below);
	s0 = get_stats(dev, cfg.mode);
	b0 = books_now(dev);
	on_cpu(0);
	for (int i = 0; i < npin; i++)
		pthread_create(&th[i], NULL, pinner, &pinned[i]);
	end = now_seconds() + seconds;
	while (now_seconds() < end)
		iteration(pfd, t.iters, &t);
	atomic_store(&stop, 1);
	for (int i = 0; i < npin; i++) {
		pthread_join(th[i], NULL);
		all.calls += pinned[i].calls;
		all.short_calls += pinned[i].short_calls;
		all.pages += pinned[i].pages;
	}
	s1 = get_stats(dev, cfg.mode);

	check(t.fork_failed == 0 && t.iters > 0, "%s: %u forks of a fresh THP, none failed (%u)",
	      mode, t.iters, t.fork_failed);
	check(t.thp * 2 >= t.iters && t.not_split == 0,
	      "%s: %u of them a PTE-mapped THP (one large folio, 512 PTEs; %u PMDs not split)",
	      mode, t.thp, t.not_split);
	check(all.pages > 0, "%s: %d pinner threads pinned %llu pages in %llu GUP-fast calls meanwhile",
	      mode, npin, (unsigned long long)all.pages, (unsigned long long)all.calls);
	check(t.bad_children == 0, "%s: every child saw the parent's memory before and after its own writes "
	      "(%u did not)", mode, t.bad_children);
	check(t.bad_parent == 0, "%s: the parent's memory intact after every fork (%u not)",
	      mode, t.bad_parent);
	check(!t.rule_broken && t.holds > t.unseen,
	      "%s: a page pinned across the fork stays the parent's, the child gets a copy (%u forks, "
	      "%u child PTEs swapped out)%s%s", mode, t.holds, t.unseen,
	      t.rule_broken ? ": " : "", t.rule_broken ?: "");
	if (cfg.mode == FORKLAB_MODE_PERPTE || cfg.mode == FORKLAB_MODE_BATCHED)
		check(s1.pinned_copies - s0.pinned_copies >= t.holds,
		      "%s: the walk copied pinned pages (%llu) in each of the %u forks with a held pin",
		      mode, (unsigned long long)(s1.pinned_copies - s0.pinned_copies), t.holds);
	check_books(dev, mode, b0);
	printf("# pinrace %s: forks=%u thp=%u held_pins=%u pin_calls=%llu pin_pages=%llu "
	       "short_pin_calls=%llu pinned_copies=%llu runs=%llu runs_of_256_up=%llu\n", mode, t.iters,
	       t.thp, t.holds, (unsigned long long)all.calls, (unsigned long long)all.pages,
	       (unsigned long long)all.short_calls,
	       (unsigned long long)(s1.pinned_copies - s0.pinned_copies),
	       (unsigned long long)(s1.runs - s0.runs),
	       (unsigned long long)(s1.run_hist[8] + s1.run_hist[9] - s0.run_hist[8] - s0.run_hist[9]));
	return done("fl-pinrace");
}
