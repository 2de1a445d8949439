// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test of forklab's own walk: what the perpte and batched modes copy
 * and how (run lengths on PTE-mapped THP, order-0 memory), with the child's
 * view of memory checked against the parent's.  Speaks TAP.
 * usage: fl-walk-test   (as root, module loaded)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fl-test.h"

#define PMD_SIZE	(2UL << 20)
#define PAGE		4096UL

static int dev;

static unsigned char pattern(size_t off)
{
	return (unsigned char)(off / PAGE * 7 + off % 251);
}

/* A 2 MiB-aligned anonymous area of @len bytes. */
static unsigned char *aligned_area(size_t len)
{
	unsigned char *raw = mmap(NULL, len + PMD_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (raw == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)raw + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	return (unsigned char *)a;
}

/* kB of AnonHugePages in the mapping that contains @addr, from smaps. */
static long anon_huge_kb(void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	unsigned long lo, hi;
	int inside = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			inside = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (inside && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * A PTE-mapped 2 MiB THP: fault in a THP, then make one page read-only and
 * writable again, which splits the PMD mapping but not the folio (the way
 * the kernel's mm/cow selftest does it).
 */
static unsigned char *pte_mapped_thp(void)
{
	unsigned char *p = aligned_area(PMD_SIZE);
	size_t off;

	if (!p || madvise(p, PMD_SIZE, MADV_HUGEPAGE))
		return NULL;
	for (off = 0; off < PMD_SIZE; off++)
		p[off] = pattern(off);
	if (anon_huge_kb(p) < 2048) {
		printf("# no THP formed (AnonHugePages %ld kB)\n", anon_huge_kb(p));
		return NULL;
	}
	if (mprotect(p, PAGE, PROT_READ) || mprotect(p, PAGE, PROT_READ | PROT_WRITE))
		return NULL;
	return p;
}

#define MTHP_64K "/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled"
#define THP_2M "/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled"

/* An area of 64 KiB folios: mTHP 64K on and PMD THP off while it faults in. */
static unsigned char *mthp_64k_area(size_t len)
{
	unsigned char *p = aligned_area(len);
	size_t off;

	int ok;

	if (!p || !write_file(MTHP_64K, "always") || !write_file(THP_2M, "never"))
		return NULL;
	for (off = 0; off < len; off++)
		p[off] = pattern(off);
	/* no khugepaged collapse before the fork: off before 2M THPs may be again */
	ok = !madvise(p, len, MADV_NOHUGEPAGE);
	write_file(MTHP_64K, "never");
	write_file(THP_2M, "inherit");
	/* PTE-mapped, as 64 KiB folios */
	return ok && anon_huge_kb(p) == 0 ? p : NULL;
}

/* Forks a child that checks @len bytes of @p against pattern() and writes to
 * every page; the parent then checks its own copy is untouched. */
static int fork_and_check(unsigned char *p, size_t len)
{
	int status;
	size_t off;
	pid_t pid = fork();

	if (pid < 0)
		return 0;
	if (pid == 0) {
		for (off = 0; off < len; off++)
			if (p[off] != pattern(off))
				_exit(3);
		for (off = 0; off < len; off += PAGE)
			p[off] ^= 0xff;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 0;
	for (off = 0; off < len; off++)
		if (p[off] != pattern(off))
			return 0;
	return 1;
}

static void test_runs(unsigned int mode, const char *name)
{
	struct forklab_stats s0, s1;
	unsigned char *thp = NULL, *small;
	size_t off;

	check(set_mode(dev, mode) == 0, "%s: mode set", name);

	if (have_thp()) {	/* without THP only the order-0 runs can be checked */
		thp = pte_mapped_thp();
		check(thp != NULL, "%s: a PTE-mapped 2 MiB THP was made", name);
	} else {
		printf("ok %d - %s: PTE-mapped THP runs # SKIP no THP on this kernel (no %s)\n",
		       ++tests, name, THP_SYSFS);
	}
	if (thp) {
		s0 = get_stats(dev, mode);
		check(fork_and_check(thp, PMD_SIZE), "%s: child sees the THP's content, COW both ways", name);
		s1 = get_stats(dev, mode);
		check(s1.large_folio_ptes - s0.large_folio_ptes >= 512,
		      "%s: >= 512 PTEs of a large folio copied (%llu)", name,
		      (unsigned long long)(s1.large_folio_ptes - s0.large_folio_ptes));
		if (mode == FORKLAB_MODE_BATCHED) {
			unsigned long long longest = s1.run_hist[8] - s0.run_hist[8] +
						     s1.run_hist[9] - s0.run_hist[9];
			unsigned long long multi = 0;

			for (int b = 1; b < FORKLAB_RUN_BUCKETS; b++)
				multi += s1.run_hist[b] - s0.run_hist[b];
#ifdef __aarch64__
			/*
			 * contpte: a run ends where a folded 64 KiB block meets
			 * unfolded PTEs (PTE_CONT differs), as with 6.12's own
			 * folio_pte_batch(); the split folds all but a block or two.
			 */
			check(longest >= 1 && multi <= 3,
			      "batched: the THP went in at most 3 runs, one of >= 256 (multi-PTE runs: %llu)",
			      multi);
#else
			check(s1.run_hist[9] - s0.run_hist[9] >= 1 && multi == 1,
			      "batched: the THP went as one run of 512 (runs of 512: +%llu, multi-PTE runs: %llu)",
			      (unsigned long long)(s1.run_hist[9] - s0.run_hist[9]), multi);
			(void)longest;
#endif
		}
		else
			check(s1.run_hist[9] == s0.run_hist[9] && s1.run_hist[0] - s0.run_hist[0] >= 512,
			      "perpte: runs of 1 only (runs of 1: +%llu, of 512: +%llu)",
			      (unsigned long long)(s1.run_hist[0] - s0.run_hist[0]),
			      (unsigned long long)(s1.run_hist[9] - s0.run_hist[9]));
		printf("#   %s run lengths (log2 buckets 1..512):", name);
		for (int b = 0; b < FORKLAB_RUN_BUCKETS; b++)
			printf(" %llu", (unsigned long long)(s1.run_hist[b] - s0.run_hist[b]));
		printf("\n");
		munmap(thp, PMD_SIZE);
	}

	/* mTHP (6.8+): 64 KiB folios go in runs of 16 when batched */
	if (!access(MTHP_64K, F_OK)) {
		unsigned char *m = mthp_64k_area(PMD_SIZE);

		check(m != NULL, "%s: a 2 MiB area of 64 KiB folios was made", name);
		if (m) {
			s0 = get_stats(dev, mode);
			check(fork_and_check(m, PMD_SIZE), "%s: mTHP content, COW both ways", name);
			s1 = get_stats(dev, mode);
			if (mode == FORKLAB_MODE_BATCHED)
				check(s1.run_hist[4] - s0.run_hist[4] >= 32,
				      "batched: 64 KiB folios went in runs of 16 (+%llu runs of 16-31)",
				      (unsigned long long)(s1.run_hist[4] - s0.run_hist[4]));
			else
				check(s1.run_hist[4] == s0.run_hist[4] && s1.large_folio_ptes - s0.large_folio_ptes >= 512,
				      "perpte: 64 KiB folios went PTE by PTE (%llu PTEs of large folios)",
				      (unsigned long long)(s1.large_folio_ptes - s0.large_folio_ptes));
			munmap(m, PMD_SIZE);
		}
	}

	/* order-0 memory: runs of 1 in both modes */
	small = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(small, 64 * PAGE, MADV_NOHUGEPAGE);	/* EINVAL without THP: nothing to keep out */
	for (off = 0; off < 64 * PAGE; off++)
		small[off] = pattern(off);
	s0 = get_stats(dev, mode);
	check(fork_and_check(small, 64 * PAGE), "%s: order-0 pages, COW both ways", name);
	s1 = get_stats(dev, mode);
	/* nothing else in this process maps large folios now */
	check(s1.ptes_present - s0.ptes_present >= 64 &&
	      s1.runs - s0.runs == s1.run_hist[0] - s0.run_hist[0],
	      "%s: order-0 PTEs go one by one (%llu present PTEs, %llu runs, %llu of length 1)", name,
	      (unsigned long long)(s1.ptes_present - s0.ptes_present),
	      (unsigned long long)(s1.runs - s0.runs),
	      (unsigned long long)(s1.run_hist[0] - s0.run_hist[0]));
	check(s1.vmas > s0.vmas && s1.alloc_failures == s0.alloc_failures,
	      "%s: VMAs counted (+%llu), no allocation failure", name,
	      (unsigned long long)(s1.vmas - s0.vmas));
	munmap(small, 64 * PAGE);
}

int main(void)
{
	dev = open(FORKLAB_DEVICE, O_RDWR);
	if (dev < 0) {
		printf("not ok 1 - open %s: %s\n1..1\n", FORKLAB_DEVICE, strerror(errno));
		return 1;
	}
	test_runs(FORKLAB_MODE_PERPTE, "perpte");
	test_runs(FORKLAB_MODE_BATCHED, "batched");
	set_mode(dev, FORKLAB_MODE_STOCK);
	return done("fl-walk-test");
}
