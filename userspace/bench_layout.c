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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "bench.h"

const char *const bench_layouts[] = { "order0", "thp-pmd", "thp-pte", "mthp-64k", "shmem", "file", NULL };
const char *const bench_layout_help =
	"  order0    anonymous, small folios (MADV_NOHUGEPAGE): one PTE per folio\n"
	"  thp-pmd   anonymous 2 MiB THPs mapped by PMDs: fork copies one entry per 2 MiB\n"
	"  thp-pte   2 MiB THPs mapped by 512 PTEs (PMD split by mprotect): runs of 512\n"
	"  mthp-64k  anonymous 64 KiB mTHPs (Linux 6.8+, root): runs of 16, contpte blocks on arm64\n"
	"  shmem     MAP_SHARED memfd: fork copies no page table at all (the kernel's rule\n"
	"            for shared mappings): a control, every mode must match stock\n"
	"  file      MAP_PRIVATE file in --dir read in, one page written (so the mapping\n"
	"            has anonymous memory and fork copies its page table): page-cache PTEs";

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

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

static void populate_anon(struct bench_area *a, const char *layout)
{
	char pmd_was[32], mthp_was[32];
	const char *mthp = THP_DIR "/hugepages-64kB/enabled";
	const char *pmd = THP_DIR "/hugepages-2048kB/enabled";

	if (!strcmp(layout, "order0")) {
		/* no THP of any size for this range */
		madvise(a->p, a->len, MADV_NOHUGEPAGE);
		touch_pages(a->p, a->len);
		return;
	}
	if (!strcmp(layout, "mthp-64k")) {
		if (access(mthp, F_OK))
			bench_die(1, "layout mthp-64k needs multi-size THP (Linux 6.8+): no %s", mthp);
		if (!thp_setting(mthp, mthp_was, sizeof(mthp_was)) ||
		    !thp_setting(pmd, pmd_was, sizeof(pmd_was)))
			bench_die(1, "cannot read the THP settings under " THP_DIR);
		/* 64 KiB folios for every fault meanwhile, no PMD THP */
		if (!thp_set(mthp, "always") || !thp_set(pmd, "never"))
			bench_die(1, "layout mthp-64k sets %s: %s (run as root)", mthp, strerror(errno));
		touch_pages(a->p, a->len);
		thp_set(mthp, mthp_was);
		thp_set(pmd, pmd_was);
		/* keep khugepaged from collapsing them into PMDs */
		madvise(a->p, a->len, MADV_NOHUGEPAGE);
		return;
	}
	/* thp-pmd, thp-pte */
	if (thp_setting(THP_DIR "/enabled", pmd_was, sizeof(pmd_was)) && !strcmp(pmd_was, "never"))
		bench_die(1, "layout %s needs THP: " THP_DIR "/enabled is 'never'", layout);
	if (madvise(a->p, a->len, MADV_HUGEPAGE))
		bench_die(1, "layout %s: MADV_HUGEPAGE failed: %s (kernel without THP?)", layout,
			  strerror(errno));
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

void bench_populate(struct bench_area *a, size_t len, const char *layout, const char *dir)
{
	bool shared = !strcmp(layout, "shmem"), file = !strcmp(layout, "file");
	int i;

	for (i = 0; bench_layouts[i] && strcmp(bench_layouts[i], layout); i++)
		;
	if (!bench_layouts[i])
		bench_die(2, "unknown layout '%s'; the layouts are:\n%s", layout, bench_layout_help);
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
