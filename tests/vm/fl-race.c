// SPDX-License-Identifier: GPL-2.0
/*
 * Fork while the rest of mm works on the parent's memory from outside its
 * mmap_lock, in forklab's current mode, for
 * t-race.sh.  The parent, in a memory cgroup of its own, has:
 *
 *   A  order-0 pages             K  pages of 4 contents, MADV_MERGEABLE (KSM)
 *   T  PTE-mapped 2 MiB THPs     H  small pages under MADV_HUGEPAGE, which
 *   M  64 KiB mTHP (6.12)           khugepaged collapses and a thread splits
 *
 * and forks in a loop while, concurrently:
 *   - a pinner thread pins and unpins random ranges of A, T and M through
 *     GUP-fast (/dev/fl_pinner), large folios included;
 *   - a reclaimer process writes the cgroup's memory.reclaim, pushing the
 *     parent's pages to zram swap (rmap walks under the PTE locks);
 *   - a compactor process writes /proc/sys/vm/compact_memory, migrating
 *     them (rmap again);
 *   - with two NUMA nodes (tools/vm/run --numa 2), a migrator process moves
 *     random pages of A, T and M to the other node with move_pages(2).
 *     The syscall holds the parent's mmap_lock only to look each page up
 *     and isolate it (add_page_for_migration() in 6.1, add_folio_for_
 *     migration() in 6.12 and 7.3); migrate_pages() runs without it, so
 *     try_to_migrate() puts migration entries into the parent's page tables
 *     and remove_migration_ptes() the pages back, under the PTE locks, while
 *     fork copies those tables.  With one node there is no migrator;
 *   - khugepaged collapses H (t-race.sh makes it scan fast) and a splitter
 *     thread breaks H's THPs again (MADV_DONTNEED of one page, rewritten);
 *   - ksmd merges K (t-race.sh starts it); the main thread rewrites a few
 *     K pages between forks so that there is always something to merge.
 * Before each fork one page of A, T or M is held pinned, and mm/cow's rule
 * is checked on it (fl-pin.h).  Every child checks every page it inherited
 * (first and last word), writes a few (COW) and exits; the parent checks
 * its own memory after each child.  Then the books must balance.
 *
 * usage: fl-race SECONDS   (TAP; a "# race" line with the counts)
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/mempolicy.h>
#include "fl-test.h"
#include "fl-pin.h"

#define CG		"/sys/fs/cgroup/fl-race"
#define MB		(1UL << 20)
#define MTHP_64K	"/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled"
#define MTHP_2M		"/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled"

enum { A, T, M, K, H, NAREAS };
static const size_t sizes[NAREAS] = { 4 * MB, 4 * MB, 2 * MB, 2 * MB, 4 * MB };
static char *area[NAREAS];
static unsigned char kclass[2 * MB / PG];	/* K's page contents: the child inherits it */

/* What the helpers count, in a shared page (they are other processes). */
struct shared {
	atomic_int go, stop;
	atomic_ullong reclaims, reclaim_refused, compactions, mp_calls, mp_moved;
	pid_t parent;
	uintptr_t area[NAREAS];		/* the parent's, for the migrator */
};
static struct shared *sh;
static atomic_int stop_threads;
static pthread_mutex_t h_lock = PTHREAD_MUTEX_INITIALIZER;	/* H is stable across a fork */
static struct fl_pin_loop pins;
static atomic_ullong splits;

static inline uint64_t stamp(int a, size_t page)
{
	return ((uint64_t)a << 40 | page) * 0x9E3779B97F4A7C15ULL + 1;
}

static inline uint64_t kvalue(size_t page)
{
	return 0x4B534D0000000000ULL + kclass[page];
}

static void fill_page(int a, size_t k)
{
	uint64_t *w = (uint64_t *)(area[a] + k * PG);

	if (a == K) {
		for (size_t i = 0; i < PG / 8; i++)
			w[i] = kvalue(k);
	} else {
		w[0] = stamp(a, k);
		w[PG / 8 - 1] = ~stamp(a, k);
	}
}

static int page_ok(int a, size_t k)
{
	const uint64_t *w = (const uint64_t *)(area[a] + k * PG);

	if (a == K)
		return w[0] == kvalue(k) && w[PG / 8 - 1] == kvalue(k);
	return w[0] == stamp(a, k) && w[PG / 8 - 1] == ~stamp(a, k);
}

/* Pages of every area that are not what they should be; @skip (a page address) exempt. */
static size_t bad_pages(const char *skip)
{
	size_t bad = 0;

	for (int a = 0; a < NAREAS; a++)
		for (size_t k = 0; k < sizes[a] / PG; k++)
			if (area[a] + k * PG != skip)
				bad += !page_ok(a, k);
	return bad;
}

/* ---- the areas --------------------------------------------------------- */

static int setup_areas(int pfd)
{
	char old64[32], old2m[32];
	int mthp = thp_setting(MTHP_64K, old64, sizeof(old64)) &&
		   thp_setting(MTHP_2M, old2m, sizeof(old2m));
	struct fl_pin_ptes pt;

	for (int a = 0; a < NAREAS; a++) {
		area[a] = map_aligned(sizes[a], THP);
		if (!area[a])
			return 0;
	}
	madvise(area[A], sizes[A], MADV_NOHUGEPAGE);
	madvise(area[K], sizes[K], MADV_NOHUGEPAGE);
	madvise(area[H], sizes[H], MADV_NOHUGEPAGE);	/* small pages first ... */
	madvise(area[T], sizes[T], MADV_HUGEPAGE);
	for (size_t k = 0; k < sizes[K] / PG; k++)
		kclass[k] = k % 4;
	for (int a = 0; a < NAREAS; a++) {
		if (a == M && mthp) {
			/* only 64 KiB folios here: 2 MiB off while M faults in */
			write_file(MTHP_2M, "never");
			write_file(MTHP_64K, "always");
		}
		for (size_t k = 0; k < sizes[a] / PG; k++)
			fill_page(a, k);
		if (a == M && mthp) {
			write_file(MTHP_64K, old64);
			write_file(MTHP_2M, old2m);
		}
	}
	madvise(area[H], sizes[H], MADV_HUGEPAGE);	/* ... for khugepaged to collapse */
	madvise(area[K], sizes[K], MADV_MERGEABLE);
	/* T and M stay as they are: khugepaged works on H (and in a child it would hide the copy) */
	madvise(area[T], sizes[T], MADV_NOHUGEPAGE);
	madvise(area[M], sizes[M], MADV_NOHUGEPAGE);
	/* T's THPs split into PTEs: one page read-only and back, per THP */
	for (size_t off = 0; off < sizes[T]; off += THP) {
		mprotect(area[T] + off, PG, PROT_READ);
		mprotect(area[T] + off, PG, PROT_READ | PROT_WRITE);
	}
	/* how many of T's THPs came out as PTE-mapped large folios (64 PTEs, consecutive) */
	int large = 0;

	for (size_t off = 0; off < sizes[T]; off += THP) {
		int ok = read_ptes(pfd, 0, area[T] + off, FL_PTES_MAX, &pt) == FL_PTES_TABLE;

		for (int i = 1; ok && i < FL_PTES_MAX; i++)
			ok = pt.pfn[i] == pt.pfn[0] + i;
		large += ok;
	}
	return large;
}

/* ---- threads of the parent ---------------------------------------------- */

/* GUP-fast pins of random ranges of A, T and M, large folios included. */
static void *pinner(void *arg)
{
	unsigned int seed = 1234;
	int fd = pin_open();

	(void)arg;
	on_cpu(1);
	while (fd >= 0 && !atomic_load(&stop_threads)) {
		int a = (int[]){ A, T, T, M }[rand_r(&seed) % 4];
		size_t pages = sizes[a] / PG, first = rand_r(&seed) % pages;
		size_t n = 1 + rand_r(&seed) % (pages - first < 512 ? pages - first : 512);

		pin_loop(fd, area[a] + first * PG, n * PG, 2, &pins);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Breaks H's THPs (khugepaged collapses them again): one page dropped and rewritten. */
static void *splitter(void *arg)
{
	unsigned int seed = 99;

	(void)arg;
	while (!atomic_load(&stop_threads)) {
		size_t k = rand_r(&seed) % (sizes[H] / PG);

		pthread_mutex_lock(&h_lock);
		madvise(area[H] + k * PG, PG, MADV_DONTNEED);
		fill_page(H, k);
		pthread_mutex_unlock(&h_lock);
		atomic_fetch_add(&splits, 1);
		usleep(20000);
	}
	return NULL;
}

/* ---- helper processes (outside the cgroup and the parent's mm) ----------- */

#define MP_BATCH	64

/*
 * One move_pages(2) round of the migrator: MP_BATCH random pages of the
 * parent's A, T and M, those not on @node yet (asked first: a page already
 * there would be reported as if moved) moved there.  MPOL_MF_MOVE_ALL: the
 * pages a child still shares too.  Counts the pages the kernel reports on
 * @node afterwards; a batch that migrate_pages() failed leaves its status
 * unwritten (-ESRCH here), a page it could not isolate gets an errno.
 */
static void migrate_round(unsigned int *seed, int node)
{
	void *pages[MP_BATCH];
	int nodes[MP_BATCH], status[MP_BATCH], n = 0;

	for (int i = 0; i < MP_BATCH; i++) {
		int a = (int[]){ A, T, M }[rand_r(seed) % 3];

		pages[i] = (char *)sh->area[a] + rand_r(seed) % (sizes[a] / PG) * PG;
	}
	if (syscall(SYS_move_pages, sh->parent, MP_BATCH, pages, NULL, status, 0))
		return;
	for (int i = 0; i < MP_BATCH; i++)
		if (status[i] >= 0 && status[i] != node) {
			pages[n] = pages[i];
			nodes[n] = node;
			status[n++] = -ESRCH;
		}
	if (!n)
		return;
	syscall(SYS_move_pages, sh->parent, n, pages, nodes, status, MPOL_MF_MOVE_ALL);
	atomic_fetch_add(&sh->mp_calls, 1);
	for (int i = 0; i < n; i++)
		if (status[i] == node)
			atomic_fetch_add(&sh->mp_moved, 1);
}

/* 0: the reclaimer, 1: the compactor, 2: the migrator */
static void helper(int which)
{
	unsigned int seed = 4321;
	int node = 1;

	/* not before the areas are set up and checked: reclaim splits T's THPs */
	while (!atomic_load(&sh->go) && !atomic_load(&sh->stop))
		usleep(1000);
	while (!atomic_load(&sh->stop)) {
		if (which == 2) {
			migrate_round(&seed, node);
			node = !node;
			usleep(1000);
		} else if (which == 0) {
			if (write_file(CG "/memory.reclaim", "2M"))
				atomic_fetch_add(&sh->reclaims, 1);
			else
				atomic_fetch_add(&sh->reclaim_refused, 1);	/* EAGAIN: nothing reclaimable */
			usleep(5000);
		} else {
			if (write_file("/proc/sys/vm/compact_memory", "1"))
				atomic_fetch_add(&sh->compactions, 1);
			usleep(20000);
		}
	}
	_exit(0);
}

static long long vmstat(const char *key)
{
	char line[128];
	size_t len = strlen(key);
	long long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ' ')
			v = atoll(line + len + 1);
	if (f)
		fclose(f);
	return v;
}

static long long sysfs_ll(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 ? atoll(buf) : -1;
}

/*
 * Whether the fork loop ends: at END once khugepaged collapsed, reclaim
 * swapped out, compaction and the splitter ran since the start (counters
 * COL0 and SW0 then), at END + 3 * SECONDS in any case (the checks then say
 * which agent did not act).
 */
static bool race_over(double end, double seconds, long long col0, long long sw0, int numa,
		      int thp)
{
	double t = now_seconds();

	if (t < end)
		return false;
	if (t >= end + 3 * seconds)
		return true;
	return (!thp ||
		sysfs_ll("/sys/kernel/mm/transparent_hugepage/khugepaged/pages_collapsed") > col0) &&
	       vmstat("pswpout") > sw0 && atomic_load(&sh->compactions) > 0 && atomic_load(&splits) > 0 &&
	       (!numa || atomic_load(&sh->mp_moved) > 0);
}

/* ---- forks --------------------------------------------------------------- */

struct tally {
	unsigned int forks, fork_failed, bad_children, bad_parent, holds, unseen;
	unsigned long long max_sharing;
	const char *rule_broken;
};

static void one_fork(int pfd, unsigned int i, struct tally *t)
{
	int a = (int[]){ A, T, M }[i % 3], go[2], status = 0, unseen = 0;
	char *held = area[a] + ((i * 97) % (sizes[a] / PG)) * PG;
	struct fl_pin_hold h = { .addr = (uintptr_t)held };
	const char *why = NULL;
	pid_t pid;

	/* K: a few pages change their content, for ksmd to merge again */
	for (int j = 0; j < 4; j++) {
		size_t k = (i * 13 + j * 101) % (sizes[K] / PG);

		kclass[k] = (kclass[k] + 1) % 4;
		fill_page(K, k);
	}
	/* the held page's old content: reclaim may have it in swap */
	fill_page(a, (held - area[a]) / PG);
	if (ioctl(pfd, FL_PIN_HOLD, &h)) {
		why = "PIN_HOLD failed";
		held = NULL;
	}
	if (pipe(go)) {
		t->fork_failed++;
		return;
	}
	pthread_mutex_lock(&h_lock);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		if (bad_pages(NULL))
			_exit(3);
		for (int j = 0; j < 8; j++)
			((uint64_t *)(area[j % NAREAS] + j * 3 * PG))[1] = 1;	/* COW */
		_exit(bad_pages(NULL) ? 4 : 0);
	}
	pthread_mutex_unlock(&h_lock);
	close(go[0]);
	if (pid < 0) {
		t->fork_failed++;
	} else {
		if (held) {
			why = pinned_rule(pfd, (uint64_t *)held, 0xF00DULL << 32 | i, h.pfn, pid, &unseen);
			t->holds++;
			t->unseen += unseen;
		}
		if (write(go[1], "g", 1) != 1)
			why = why ?: "cannot wake the child";
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			t->bad_children++;
		pthread_mutex_lock(&h_lock);
		if (bad_pages(held) || (held && *(uint64_t *)held != (0xF00DULL << 32 | i)))
			t->bad_parent++;
		pthread_mutex_unlock(&h_lock);
		t->forks++;
	}
	close(go[1]);
	if (held) {
		ioctl(pfd, FL_PIN_RELEASE);
		fill_page(a, (held - area[a]) / PG);
	}
	if (why && !t->rule_broken)
		t->rule_broken = why;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5, end;
	int pfd = pin_open(), dev = open("/dev/forklab", O_RDWR), thp_pte;
	/* a second node to migrate to (tools/vm/run --numa 2): the migrator then runs */
	int numa = access("/sys/devices/system/node/node1", F_OK) == 0, nhelpers = 2 + numa;
	/* no THP (Debian's PREEMPT_RT kernels): T and M are small pages, no khugepaged */
	int thp = have_thp();
	struct forklab_config cfg = { .size = sizeof(cfg) };
	long long sw0, mg0, sp0, col0, ksm0, sw1, mg1, sp1, col1, ksm1;
	pthread_t th[2];
	pid_t helpers[3];
	struct tally t = { 0 };
	const char *mode;
	char line[512];
	struct books b0;

	if (pfd < 0 || dev < 0 || seconds <= 0) {
		fprintf(stderr, "usage: fl-race SECONDS; needs /dev/fl_pinner and /dev/forklab\n");
		return 2;
	}
	ioctl(dev, FORKLAB_IOC_GET_CONFIG, &cfg);
	mode = (const char *[]){ "stock", "passthrough", "perpte", "batched" }[cfg.mode % 4];
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mkdir(CG, 0755);
	if (sh == MAP_FAILED || !write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory") ||
	    !write_file(CG "/memory.swap.max", "max")) {
		check(0, "%s: a memory cgroup %s with swap", mode, CG);
		return done("fl-race");
	}
	/* the helpers first, small, outside the cgroup; then we go in */
	sh->parent = getpid();
	for (int i = 0; i < nhelpers; i++)
		if ((helpers[i] = fork()) == 0)
			helper(i);
	check(write_file(CG "/cgroup.procs", "0"), "%s: the parent runs in %s", mode, CG);
	thp_pte = setup_areas(pfd);
	check(thp_pte > 0 || !thp, "%s: areas A T M K H mapped and filled (%d of T's %lu THPs PTE-mapped "
	      "large folios%s)", mode, thp_pte, sizes[T] / THP, thp ? "" : "; no THP in this kernel");
	for (int a = 0; a < NAREAS; a++)
		sh->area[a] = (uintptr_t)area[a];

	sw0 = vmstat("pswpout"), mg0 = vmstat("pgmigrate_success"), sp0 = vmstat("thp_split_pmd");
	col0 = sysfs_ll("/sys/kernel/mm/transparent_hugepage/khugepaged/pages_collapsed");
	ksm0 = sysfs_ll("/sys/kernel/mm/ksm/full_scans");
	b0 = books_now(dev);
	atomic_store(&sh->go, 1);
	on_cpu(0);
	pthread_create(&th[0], NULL, pinner, NULL);
	pthread_create(&th[1], NULL, splitter, NULL);
	end = now_seconds() + seconds;
	/*
	 * Past the time, on until each agent has acted at least once: on a
	 * busy host khugepaged collapsed nothing in a 6 s window once, and a
	 * race it missed is a race not tested.  Three times as long at most.
	 */
	for (unsigned int i = 0; !race_over(end, seconds, col0, sw0, numa, thp); i++) {
		long long sharing = sysfs_ll("/sys/kernel/mm/ksm/pages_sharing");

		one_fork(pfd, i, &t);
		if (sharing > (long long)t.max_sharing)
			t.max_sharing = sharing;
	}
	atomic_store(&stop_threads, 1);
	atomic_store(&sh->stop, 1);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	for (int i = 0; i < nhelpers; i++)
		waitpid(helpers[i], NULL, 0);
	sw1 = vmstat("pswpout"), mg1 = vmstat("pgmigrate_success"), sp1 = vmstat("thp_split_pmd");
	col1 = sysfs_ll("/sys/kernel/mm/transparent_hugepage/khugepaged/pages_collapsed");
	ksm1 = sysfs_ll("/sys/kernel/mm/ksm/full_scans");

	check(t.forks > 0 && t.fork_failed == 0, "%s: %u forks, none failed (%u)", mode, t.forks,
	      t.fork_failed);
	check(t.bad_children == 0, "%s: every child saw all it inherited, before and after its "
	      "own writes (%u did not)", mode, t.bad_children);
	check(t.bad_parent == 0, "%s: the parent's memory intact after every fork (%u not)",
	      mode, t.bad_parent);
	check(!t.rule_broken && t.holds > t.unseen,
	      "%s: a page pinned across the fork stays the parent's, the child gets a copy "
	      "(%u forks, %u child PTEs swapped out)%s%s", mode, t.holds, t.unseen,
	      t.rule_broken ? ": " : "", t.rule_broken ?: "");
	check(pins.pages > 0, "%s: GUP-fast pins meanwhile: %llu pages in %llu calls", mode,
	      (unsigned long long)pins.pages, (unsigned long long)pins.calls);
	check(sh->reclaims > 0 && sw1 > sw0, "%s: reclaim meanwhile: %llu memory.reclaim writes "
	      "(%llu refused), %lld pages swapped out", mode, (unsigned long long)sh->reclaims,
	      (unsigned long long)sh->reclaim_refused, sw1 - sw0);
	check(sh->compactions > 0, "%s: compaction meanwhile: %llu compact_memory writes, "
	      "%lld pages migrated", mode, (unsigned long long)sh->compactions, mg1 - mg0);
	if (!thp)
		check(1, "%s: # SKIP no THP in this kernel: no khugepaged", mode);
	else
		check(col1 > col0 && atomic_load(&splits) > 0,
		      "%s: khugepaged collapsed %lld pages of H meanwhile, %llu splits of it "
		      "(%lld PMD splits)", mode, col1 - col0, (unsigned long long)atomic_load(&splits),
		      sp1 - sp0);
	if (!numa)
		check(1, "%s: # SKIP one NUMA node: no move_pages(2) migrator (tools/vm/run --numa 2 "
		      "gives two)", mode);
	else
		check(sh->mp_moved > 0, "%s: move_pages(2) to the other node meanwhile: %llu calls, "
		      "%llu pages moved", mode, (unsigned long long)sh->mp_calls,
		      (unsigned long long)sh->mp_moved);
	if (ksm0 < 0)
		check(1, "%s: # SKIP no KSM in this kernel", mode);
	else
		check(ksm1 > ksm0 && t.max_sharing > 0, "%s: ksmd meanwhile: %lld full scans, up to "
		      "%llu pages sharing", mode, ksm1 - ksm0, t.max_sharing);
	check_books(dev, mode, b0);
	snprintf(line, sizeof(line), "# race %s: forks=%u held_pins=%u pin_calls=%llu "
		 "pin_pages=%llu reclaim_writes=%llu pswpout=%lld compact_writes=%llu "
		 "pgmigrate_success=%lld khugepaged_collapsed=%lld h_splits=%llu thp_split_pmd=%lld "
		 "ksm_full_scans=%lld ksm_max_sharing=%llu numa_nodes=%d move_pages_calls=%llu "
		 "move_pages_moved=%llu", mode, t.forks, t.holds,
		 (unsigned long long)pins.calls, (unsigned long long)pins.pages,
		 (unsigned long long)sh->reclaims, sw1 - sw0,
		 (unsigned long long)sh->compactions, mg1 - mg0, col1 - col0,
		 (unsigned long long)atomic_load(&splits), sp1 - sp0, ksm1 - ksm0, t.max_sharing,
		 1 + numa, (unsigned long long)sh->mp_calls, (unsigned long long)sh->mp_moved);
	puts(line);
	/* out of the cgroup again, so that t-race.sh can remove it */
	write_file("/sys/fs/cgroup/cgroup.procs", "0");
	return done("fl-race");
}
