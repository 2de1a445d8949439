// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test of the contpte policies (arm64-6.12, CONFIG_ARM64_CONTPTE).
 * A fresh area of 64 KiB mTHP folios (one contiguous block each) is forked
 * twice in every copy mode under every policy; the child checks the memory
 * it sees and exits (teardown), the parent checks its own afterwards.  The
 * module's counters must show exactly what each policy promises for the N
 * whole blocks of the area (write-protect only happens at the first fork:
 * the parent's PTEs stay read-only after it):
 *
 *   write-protect (parent)  unfold: N unfolds + N folds
 *                           block:  N blocks kept, no unfold (stock, batched);
 *                                   per-PTE calls (perpte) unfold and refold
 *   set (child, forklab's walk only)
 *                           block + batched: N blocks written contiguous;
 *                           otherwise one fold per block
 *   clear (child's exit)    unfold: N unfolds; block: N blocks kept
 *
 * Forks are scoped to this program's comm, so nothing else is counted.
 * usage: fl-contpte-test [MiB [MODE POLICY]]   (as root, module loaded in
 *        mode stock); MODE POLICY: only that pair (for the bpftrace tests)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "fl-test.h"

#define PAGE		4096UL
#define BLOCK		(16 * PAGE)	/* CONT_PTES * PAGE_SIZE with 4 KiB pages */
#define FORKS		2
#define MTHP_64K	"/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled"
#define MTHP_2M		"/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled"

static int dev;

/* Maps @len bytes aligned to a block and fills every page with its index. */
static unsigned char *populate(size_t len)
{
	unsigned char *raw = mmap(NULL, len + BLOCK, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *p;

	if (raw == MAP_FAILED)
		return NULL;
	p = (unsigned char *)(((uintptr_t)raw + BLOCK - 1) & ~(BLOCK - 1));
	for (size_t off = 0; off < len; off += PAGE)
		*(uint64_t *)(p + off) = off / PAGE + 1;
	return p;
}

static int stamps_ok(const unsigned char *p, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE)
		if (*(const uint64_t *)(p + off) != off / PAGE + 1)
			return 0;
	return 1;
}

/* Blocks of the area mapped by 16 physically consecutive, aligned pages of large folios. */
static long whole_blocks(const unsigned char *p, size_t len)
{
	int pm = open("/proc/self/pagemap", O_RDONLY), kpf = open("/proc/kpageflags", O_RDONLY);
	long blocks = 0;

	if (pm < 0 || kpf < 0)
		return -1;
	for (size_t off = 0; off < len; off += BLOCK) {
		uint64_t ent[16], flags, pfn0 = 0;
		int ok = pread(pm, ent, sizeof(ent), ((uintptr_t)(p + off) / PAGE) * 8) == sizeof(ent);

		for (int i = 0; ok && i < 16; i++) {
			uint64_t pfn = ent[i] & ((1ULL << 55) - 1);

			if (!(ent[i] >> 63) || pread(kpf, &flags, 8, pfn * 8) != 8 ||
			    !(flags & (3ULL << 15)))	/* KPF_COMPOUND_HEAD / _TAIL */
				ok = 0;
			if (i == 0)
				pfn0 = pfn, ok = ok && !(pfn % 16);
			else if (pfn != pfn0 + i)
				ok = 0;
		}
		blocks += ok;
	}
	close(pm);
	close(kpf);
	return blocks;
}

/*
 * The same over every mapping of this process: besides the area, a block of
 * stack or heap may have been faulted in as a 64 KiB folio too.
 */
static long process_blocks(void)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	unsigned long start, end;
	char line[512];
	long blocks = 0;

	while (maps && fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%lx-%lx", &start, &end) != 2 || strstr(line, "[vsyscall]"))
			continue;
		start = (start + BLOCK - 1) & ~(BLOCK - 1);
		end &= ~(BLOCK - 1);
		if (end > start)
			blocks += whole_blocks((const unsigned char *)start, end - start);
	}
	if (maps)
		fclose(maps);
	return blocks;
}

static int set_config(unsigned int mode, unsigned int policy)
{
	struct forklab_config c = { .size = sizeof(c), .mode = mode, .contpte_policy = policy,
				    .flags = FORKLAB_CONFIG_SET_MODE | FORKLAB_CONFIG_SET_CONTPTE };

	return ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c) ? errno : 0;
}

static struct forklab_stats policy_stats(unsigned int policy)
{
	struct forklab_stats st = { .size = sizeof(st), .contpte_policy = policy };

	if (ioctl(dev, FORKLAB_IOC_GET_STATS, &st))
		perror("GET_STATS");
	return st;
}

/* Forks once: the child checks the area and exits without touching it. */
static int fork_and_check(const unsigned char *p, size_t len)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 0;
	if (pid == 0)
		_exit(stamps_ok(p, len) ? 0 : 3);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status) &&
	       stamps_ok(p, len);
}

static const char *const mode_names[] = {
#define T_NAME(id, val, name, desc) [val] = name,
	FORKLAB_MODE_LIST(T_NAME)
#undef T_NAME
};
static const char *const policy_names[] = {
#define T_NAME(id, val, name, desc) [val] = name,
	FORKLAB_CONTPTE_POLICY_LIST(T_NAME)
#undef T_NAME
};

static void run(unsigned int mode, unsigned int policy, size_t len)
{
	const char *m = mode_names[mode], *pol = policy_names[policy];
	struct forklab_reset r = { .size = sizeof(r) };
	const struct forklab_contpte_counters *wp, *set, *clr;
	struct forklab_stats st;
	unsigned char *p = populate(len);
	long n = p ? whole_blocks(p, len) : -1, total = process_blocks(), f;
	int ok = 1;

	check(n > 0 && total >= n, "%s/%s: fresh area of %zu KiB has %ld whole 64 KiB blocks "
	      "(%ld in the process)", m, pol, len >> 10, n, total);
	if (n <= 0 || total < n)
		return;
	check(set_config(mode, policy) == 0, "%s/%s: mode and policy set", m, pol);
	ioctl(dev, FORKLAB_IOC_RESET_STATS, &r);
	for (f = 0; f < FORKS; f++)
		ok &= fork_and_check(p, len);
	check(ok, "%s/%s: %d forks, child and parent see their memory intact", m, pol, FORKS);
	st = policy_stats(policy);
	set_config(FORKLAB_MODE_STOCK, FORKLAB_CONTPTE_KERNEL);
	munmap(p, len);
	wp = &st.contpte[FORKLAB_CONTPTE_WRPROTECT];
	set = &st.contpte[FORKLAB_CONTPTE_SET];
	clr = &st.contpte[FORKLAB_CONTPTE_CLEAR];
	printf("# %s/%s: N=%ld/%ld wrprotect %llu/%llu/%llu/%llu set %llu/%llu/%llu clear %llu/%llu/%llu"
	       " (calls/unfolds/folds/kept)\n", m, pol, n, total,
	       (unsigned long long)wp->calls, (unsigned long long)wp->unfolds,
	       (unsigned long long)wp->folds, (unsigned long long)wp->blocks_kept,
	       (unsigned long long)set->unfolds, (unsigned long long)set->folds,
	       (unsigned long long)set->blocks_kept, (unsigned long long)clr->unfolds,
	       (unsigned long long)clr->folds, (unsigned long long)clr->blocks_kept);

	printf("# %s/%s: module invalidations: fork %llu teardown %llu; unfolds %llu\n", m, pol,
	       (unsigned long long)(wp->invalidations + set->invalidations),
	       (unsigned long long)clr->invalidations,
	       (unsigned long long)(wp->unfolds + set->unfolds + clr->unfolds));
	if (policy == FORKLAB_CONTPTE_KERNEL) {
		check(!wp->calls && !set->calls && !clr->calls,
		      "%s/kernel: forklab's helpers never ran", m);
		return;
	}
	/*
	 * The parent's write-protect: the first fork's, of the area's blocks
	 * and of those blocks elsewhere that were writable then.
	 */
	if (policy == FORKLAB_CONTPTE_BLOCK && mode != FORKLAB_MODE_PERPTE)
		check(wp->blocks_kept >= (__u64)n && wp->blocks_kept <= (__u64)total &&
		      !wp->unfolds && !wp->folds,
		      "%s/block: write-protect kept all %ld blocks, no fold or unfold", m, n);
	else
		check(wp->unfolds >= (__u64)n && wp->unfolds <= (__u64)total &&
		      wp->folds == wp->unfolds && !wp->blocks_kept,
		      "%s/%s: write-protect unfolded and refolded each of the %ld blocks", m, pol, n);
	n = total * FORKS;	/* from here on: every block of every fork's child */
	/* the child's set: only forklab's walk calls it */
	if (mode == FORKLAB_MODE_STOCK)
		check(!set->calls, "stock/%s: the kernel's copy set the child's PTEs itself", pol);
	else if (mode == FORKLAB_MODE_BATCHED && policy == FORKLAB_CONTPTE_BLOCK)
		check(set->blocks_kept == (__u64)n && !set->folds,
		      "batched/block: the child got %ld blocks written contiguous, no fold", n);
	else
		check(set->folds == (__u64)n && !set->blocks_kept,
		      "%s/%s: the child's %ld blocks were folded one by one", m, pol, n);
	check(!set->unfolds, "%s/%s: setting the child's PTEs never unfolds", m, pol);
	/* the child's teardown: the kernel's zap hands each folio over whole */
	if (policy == FORKLAB_CONTPTE_BLOCK)
		check(clr->blocks_kept == (__u64)n && !clr->unfolds,
		      "%s/block: teardown cleared %ld whole blocks without unfolding", m, n);
	else
		check(clr->unfolds == (__u64)n,
		      "%s/unfold: teardown unfolded each of the %ld blocks first", m, n);
	check(!clr->folds, "%s/%s: teardown never folds", m, pol);
	check(wp->invalidations == wp->unfolds + wp->folds &&
	      clr->invalidations == clr->unfolds + clr->folds,
	      "%s/%s: one ranged invalidation per fold and unfold", m, pol);
}

int main(int argc, char **argv)
{
	size_t len = (argc > 1 ? strtoul(argv[1], NULL, 10) : 4) << 20;
	struct forklab_config c = { .size = sizeof(c), .flags = FORKLAB_CONFIG_SET_SCOPE,
				    .scope = FORKLAB_SCOPE_COMM };
	static const unsigned int modes[] = { FORKLAB_MODE_STOCK, FORKLAB_MODE_PERPTE,
					      FORKLAB_MODE_BATCHED };

	dev = open(FORKLAB_DEVICE, O_RDWR);
	if (dev < 0) {
		perror(FORKLAB_DEVICE);
		return 2;
	}
	/* stdio's buffer and the stack's depth before mTHP: fewer blocks outside the area */
	printf("# fl-contpte-test: 64 KiB blocks under each contpte policy\n");
	check(write_file(MTHP_64K, "always") && write_file(MTHP_2M, "never"),
	      "64 KiB anonymous mTHP on, PMD THP off");
	prctl(PR_GET_NAME, c.scope_arg);
	check(ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c) == 0, "scope comm %s", c.scope_arg);

	for (unsigned int i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		for (unsigned int pol = 0; pol < FORKLAB_CONTPTE_POLICY_COUNT; pol++)
			if (argc < 4 || (!strcmp(argv[2], mode_names[modes[i]]) &&
					 !strcmp(argv[3], policy_names[pol])))
				run(modes[i], pol, len);

	c.scope = FORKLAB_SCOPE_ALL;
	c.scope_arg[0] = 0;
	ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c);
	write_file(MTHP_64K, "never");
	write_file(MTHP_2M, "inherit");
	return done("fl-contpte-test");
}
