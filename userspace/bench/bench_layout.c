// SPDX-License-Identifier: GPL-2.0
/*
 * The folio layouts a fork benchmark copies: which folios back the memory
 * decides what copy_page_range() does with it (one PTE per small folio,
 * PTE runs of one large folio, one PMD, or nothing at all for shared
 * mappings).  Every layout is checked or forced, never assumed: a kernel
 * that cannot give it makes the benchmark fail with the reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "bench.h"

const char *const bench_layouts[] = { "order0", "thp-pmd", "thp-pte", "mthp-64k", "shmem", "file", NULL };
const char *const bench_layout_help =
	"  order0    anonymous, small folios (MADV_NOHUGEPAGE): one PTE per folio\n"
	"  thp-pmd   anonymous 2 MiB THPs mapped by PMDs: fork copies one entry per\n"
	"            2 MiB\n"
	"  thp-pte   2 MiB THPs mapped by 512 PTEs (PMD split by mprotect): runs of 512\n"
	"  mthp-64k  anonymous 64 KiB mTHPs (Linux 6.8+, root): runs of 16, contpte\n"
	"            blocks on arm64\n"
	"  shmem     MAP_SHARED memfd: fork copies no page table at all (the kernel's\n"
	"            rule for shared mappings): a control, every mode must match stock\n"
	"  file      MAP_PRIVATE file in --dir read in, one page written (so the\n"
	"            mapping has anonymous memory and fork copies its page table):\n"
	"            page-cache PTEs";

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define MTHP_64K THP_DIR "/hugepages-64kB/enabled"

/* The selected word of a THP setting ("always [madvise] never" -> madvise). */
static bool thp_setting(const char *path, char *out, size_t len)
{
	char buf[128], *l, *r;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r || (size_t)(r - l) > len)
		return false;
	*r = 0;
	snprintf(out, len, "%s", l + 1);
	return true;
}

static bool thp_set(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

/* kB of anonymous memory this process has mapped by PMDs. */
static unsigned long anon_pmd_kb(void)
{
	char line[256];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void touch_pages(unsigned char *p, size_t len)
{
	for (size_t off = 0; off < len; off += BENCH_PAGE)
		p[off] = (unsigned char)(off >> 12 | 1);
}

/*
 * System settings a layout needs while memory is populated: mthp-64k sets
 * the 64 KiB mTHP size to "always" and every other size to "never" (the
 * kernel tries the largest allowed size first), and puts them back.
 */
static struct { char path[128], was[32]; } thp_saved[16];
static int thp_nsaved;

void bench_layout_end(void)
{
	for (int i = 0; i < thp_nsaved; i++)
		thp_set(thp_saved[i].path, thp_saved[i].was);
	thp_nsaved = 0;
}

static void bench_layout_on_signal(int sig)
{
	bench_layout_end();
	signal(sig, SIG_DFL);
	raise(sig);
}

void bench_layout_begin(const char *layout)
{
	glob_t g;

	if (strcmp(layout, "mthp-64k"))
		return;
	if (access(MTHP_64K, F_OK))
		bench_die(1, "layout mthp-64k needs multi-size THP (Linux 6.8+): no %s", MTHP_64K);
	if (glob(THP_DIR "/hugepages-*kB/enabled", 0, NULL, &g))
		bench_die(1, "cannot list " THP_DIR "/hugepages-*kB");
	atexit(bench_layout_end);
	signal(SIGINT, bench_layout_on_signal);
	signal(SIGTERM, bench_layout_on_signal);
	signal(SIGHUP, bench_layout_on_signal);
	for (size_t i = 0; i < g.gl_pathc && thp_nsaved < 16; i++) {
		const char *want = strcmp(g.gl_pathv[i], MTHP_64K) ? "never" : "always";

		snprintf(thp_saved[thp_nsaved].path, sizeof(thp_saved[0].path), "%s", g.gl_pathv[i]);
		if (!thp_setting(g.gl_pathv[i], thp_saved[thp_nsaved].was, sizeof(thp_saved[0].was)))
			bench_die(1, "cannot read %s", g.gl_pathv[i]);
		thp_nsaved++;
		if (!thp_set(g.gl_pathv[i], want))
			bench_die(1, "layout mthp-64k sets %s: %s (run as root)", g.gl_pathv[i], strerror(errno));
	}
	globfree(&g);
}

/* 64 KiB folios the kernel allocated at faults so far, or -1 where it does not count them. */
static long mthp_64k_faults(void)
{
	char buf[32];
	int fd = open(THP_DIR "/hugepages-64kB/stats/anon_fault_alloc", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static void populate_anon(struct bench_area *a, const char *layout)
{
	char was[32];

	if (!strcmp(layout, "order0")) {
		/* no THP of any size for this range */
		madvise(a->p, a->len, MADV_NOHUGEPAGE);
		touch_pages(a->p, a->len);
		return;
	}
	if (!strcmp(layout, "mthp-64k")) {
		long before = mthp_64k_faults(), want = a->len >> 16, got;

		if (!thp_nsaved)
			bench_die(1, "layout mthp-64k: the mTHP settings were not made (bench_layout_begin)");
		touch_pages(a->p, a->len);
		got = mthp_64k_faults() - before;
		/* a global counter: other processes can only make it look better */
		if (before >= 0 && got < want * 9 / 10)
			bench_die(1, "layout mthp-64k: only %ld of %ld faults got a 64 KiB folio (memory too "
				  "fragmented?); try a smaller --size", got, want);
		/* keep khugepaged from collapsing them into PMDs */
		madvise(a->p, a->len, MADV_NOHUGEPAGE);
		return;
	}
	/* thp-pmd, thp-pte; Debian's PREEMPT_RT kernels have no THP (it depends on !PREEMPT_RT) */
	if (access(THP_DIR, F_OK))
		bench_die(1, "layout %s needs THP, and this kernel has none (no %s: "
			  "CONFIG_TRANSPARENT_HUGEPAGE is off, as in PREEMPT_RT kernels); "
			  "order0, shmem and file need no THP", layout, THP_DIR);
	if (thp_setting(THP_DIR "/enabled", was, sizeof(was)) && !strcmp(was, "never"))
		bench_die(1, "layout %s needs THP: " THP_DIR "/enabled is 'never'", layout);
	if (madvise(a->p, a->len, MADV_HUGEPAGE))
		bench_die(1, "layout %s: MADV_HUGEPAGE failed: %s", layout, strerror(errno));
	touch_pages(a->p, a->len);
	if (anon_pmd_kb() < (a->len >> 10) * 9 / 10)
		bench_die(1, "layout %s: only %lu of %zu MiB came as 2 MiB THPs (memory too fragmented, "
			  "or THP disabled for 2 MiB); try a smaller --size", layout, anon_pmd_kb() >> 10,
			  a->len >> 20);
	if (!strcmp(layout, "thp-pte"))
		/* a protection change on one page splits the PMD mapping, not the folio */
		for (size_t off = 0; off < a->len; off += BENCH_PMD)
			if (mprotect(a->p + off, BENCH_PAGE, PROT_READ) ||
			    mprotect(a->p + off, BENCH_PAGE, PROT_READ | PROT_WRITE))
				bench_die(1, "layout thp-pte: mprotect failed: %s", strerror(errno));
	madvise(a->p, a->len, MADV_NOHUGEPAGE);
}

static int backing_file(const char *layout, const char *dir, size_t len)
{
	int fd;

	if (!strcmp(layout, "shmem")) {
		fd = memfd_create("forklab-bench", MFD_CLOEXEC);
		if (fd < 0)
			bench_die(1, "layout shmem: memfd_create failed: %s", strerror(errno));
	} else {
		char path[4096];

		fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0) {
			/* file systems without O_TMPFILE */
			snprintf(path, sizeof(path), "%s/forklab-bench.XXXXXX", dir);
			fd = mkstemp(path);
			if (fd < 0)
				bench_die(1, "layout file: cannot create a file in %s: %s (give --dir)", dir,
					  strerror(errno));
			unlink(path);
		}
	}
	if (ftruncate(fd, len))
		bench_die(1, "layout %s: cannot size the file to %zu MiB: %s", layout, len >> 20,
			  strerror(errno));
	return fd;
}

void bench_check_layout(const char *layout)
{
	int i;

	for (i = 0; bench_layouts[i] && strcmp(bench_layouts[i], layout); i++)
		;
	if (!bench_layouts[i])
		bench_die(2, "unknown layout '%s'; the layouts are:\n%s", layout, bench_layout_help);
}

void bench_populate(struct bench_area *a, size_t len, const char *layout, const char *dir)
{
	bool shared = !strcmp(layout, "shmem"), file = !strcmp(layout, "file");

	bench_check_layout(layout);
	memset(a, 0, sizeof(*a));
	a->len = len;
	a->fd = -1;
	if (shared || file) {
		a->fd = backing_file(layout, dir, len);
		a->map = mmap(NULL, len, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, a->fd, 0);
		a->maplen = len;
		if (a->map == MAP_FAILED)
			bench_die(1, "cannot map %zu MiB: %s", len >> 20, strerror(errno));
		a->p = a->map;
		if (shared) {
			touch_pages(a->p, len);
		} else {
			/* into the page cache through the file, then mapped by reads */
			volatile unsigned char sum = 0;

			for (size_t off = 0; off < len; off += BENCH_PAGE)
				if (pwrite(a->fd, "x", 1, off) != 1)
					bench_die(1, "layout file: write failed: %s", strerror(errno));
			for (size_t off = 0; off < len; off += BENCH_PAGE)
				sum += a->p[off];
			a->p[0] = 1;
		}
		return;
	}
	/* anonymous: 2 MiB aligned, so THPs can back it */
	a->maplen = len + BENCH_PMD;
	a->map = mmap(NULL, a->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->map == MAP_FAILED)
		bench_die(1, "cannot map %zu MiB: %s", len >> 20, strerror(errno));
	a->p = (unsigned char *)(((uintptr_t)a->map + BENCH_PMD - 1) & ~(BENCH_PMD - 1));
	populate_anon(a, layout);
}

void bench_release(struct bench_area *a)
{
	munmap(a->map, a->maplen);
	if (a->fd >= 0)
		close(a->fd);
}
