// SPDX-License-Identifier: GPL-2.0
/*
 * No PTE_CONT without PTE_VALID in a child, for
 * t-contpte-prot.sh.  arm64 only: elsewhere there are no contiguous PTEs.
 *
 * The kernel's contpte_set_ptes() never makes a non-valid entry contiguous,
 * and the rest of arm64's contpte code relies on it.  forklab's walk
 * batches present but non-valid PTEs too (PROT_NONE, NUMA hinting) and
 * hands them to its set helper, whose block policy once wrote them with
 * PTE_CONT.  So: 64 KiB mTHP memory, the first half mprotect(PROT_NONE),
 * forked in every mode under every policy; the child's PTEs, read from its
 * page table (/dev/fl_pinner, PTES), must have no PTE_CONT without
 * PTE_VALID.  Note that arm64's pte_mkcont() also sets the PTE type bits,
 * PTE_VALID among them: a PROT_NONE (or NUMA-hinting) entry made contiguous
 * comes out valid and contiguous, so what the check looks for is a child
 * PTE of the PROT_NONE half that is valid or contiguous at all.
 *
 * Debian's 6.12.95 does this itself: its contpte_set_ptes() lacks the
 * pte_valid() test of later 6.12.y (6.12.117 has it), so where the
 * kernel's helper sets the child's PTEs (stock, passthrough, and forklab's
 * batched walk under policy kernel) the count is only reported.  It is
 * checked where forklab's own helpers set them (perpte, and batched under
 * unfold and block).  Positive controls, so that the checks can fail at
 * all: the parent's PROT_NONE PTEs are present and not valid, and under
 * batched/block the child's valid second half does come out contiguous.
 *
 * usage: fl-contpte-prot   (TAP)
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include "fl-test.h"
#include "fl-pin.h"

#define LEN		(1UL << 20)	/* 16 blocks of 64 KiB */
#define BLOCK		(64UL << 10)
#define NPAGES		(LEN / PG)
#define MTHP_DIR	"/sys/kernel/mm/transparent_hugepage/"
#define MTHP_64K	MTHP_DIR "hugepages-64kB/enabled"
#define MTHP_2M		MTHP_DIR "hugepages-2048kB/enabled"

static int dev, pfd;
static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(fault_jmp, 1);
}

/* 1 if reading @p faults, as PROT_NONE memory must. */
static int read_faults(volatile const uint64_t *p)
{
	signal(SIGSEGV, on_fault);
	if (sigsetjmp(fault_jmp, 1))
		return 1;
	(void)*p;
	return 0;
}

static int set_config(unsigned int mode, unsigned int policy)
{
	struct forklab_config c = { .size = sizeof(c), .mode = mode, .contpte_policy = policy,
				    .flags = FORKLAB_CONFIG_SET_MODE | FORKLAB_CONFIG_SET_CONTPTE };

	return ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c) ? errno : 0;
}

struct census {
	unsigned int present_invalid, cont_invalid, valid_cont, valid, none, valid_or_cont;
	unsigned long long first;	/* the first PTE's raw value, for the messages */
};

/* Counts the PTEs of @pid over [p, p + len) by kind; 0 if a table is missing. */
static int census(pid_t pid, const char *p, size_t len, struct census *c)
{
	struct fl_pin_ptes pt;

	memset(c, 0, sizeof(*c));
	for (size_t off = 0; off < len; off += FL_PTES_MAX * PG) {
		if (read_ptes(pfd, pid, p + off, FL_PTES_MAX, &pt) != FL_PTES_TABLE)
			return 0;
		for (int i = 0; i < FL_PTES_MAX; i++) {
			unsigned int f = pt.flags[i];

			if (!off && !i)
				c->first = pt.raw[0];
			if (!pt.raw[i])
				c->none++;
			if ((f & FL_PTE_PRESENT) && !(f & FL_PTE_VALID))
				c->present_invalid++;
			if ((f & FL_PTE_CONT) && !(f & FL_PTE_VALID))
				c->cont_invalid++;
			if (f & FL_PTE_VALID)
				c->valid++;
			if (f & (FL_PTE_VALID | FL_PTE_CONT))
				c->valid_or_cont++;
			if ((f & FL_PTE_VALID) && (f & FL_PTE_CONT))
				c->valid_cont++;
		}
	}
	return 1;
}

static void one(unsigned int mode, unsigned int policy, const char *name)
{
	char *p = map_aligned(LEN, THP);	/* in one page table: PTES reads whole tables */
	struct census parent, half1, half2, pnone;
	int go[2], status = -1, bad = 0;
	/* forklab's own helpers set the child's PTEs (not the kernel's contpte_set_ptes()) */
	int ours = mode == FORKLAB_MODE_PERPTE ||
		   (mode == FORKLAB_MODE_BATCHED && policy != FORKLAB_CONTPTE_KERNEL);
	pid_t pid;

	if (set_config(mode, policy) || !p || pipe(go)) {
		check(0, "%s: set up (config %d, mmap %p)", name, set_config(mode, policy), p);
		return;
	}
	for (size_t k = 0; k < NPAGES; k++)
		*(uint64_t *)(p + k * PG) = k + 1;
	census(0, p, LEN, &parent);
	bad = mprotect(p, LEN / 2, PROT_NONE) != 0;
	census(0, p, LEN / 2, &pnone);
	pid = fork();
	if (pid == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		if (!read_faults((const uint64_t *)p))
			_exit(5);	/* PROT_NONE memory readable in the child */
		mprotect(p, LEN / 2, PROT_READ | PROT_WRITE);
		for (size_t k = 0; k < NPAGES; k++)
			bad += *(uint64_t *)(p + k * PG) != k + 1;
		_exit(bad ? 3 : 0);
	}
	close(go[0]);
	if (pid > 0) {
		bad |= !census(pid, p, LEN / 2, &half1) || !census(pid, p + LEN / 2, LEN / 2, &half2);
		if (write(go[1], "g", 1) != 1)
			bad = 1;
		waitpid(pid, &status, 0);
	}
	close(go[1]);
	check(pid > 0 && !bad && parent.valid_cont >= NPAGES / 2 && pnone.present_invalid == NPAGES / 2,
	      "%s: fork of 16 mTHP blocks (%u of the parent's PTEs contiguous), half PROT_NONE "
	      "(%u of the parent's PTEs not valid, first %#llx); the child's page table read",
	      name, parent.valid_cont, pnone.present_invalid, pnone.first);
	check(!bad && half1.cont_invalid == 0 && half2.cont_invalid == 0,
	      "%s: no PTE_CONT without PTE_VALID in the child (%u in the PROT_NONE half, %u in the rest)",
	      name, half1.cont_invalid, half2.cont_invalid);
	if (ours)
		check(!bad && half1.valid_or_cont == 0 && half1.present_invalid == NPAGES / 2 &&
		      half2.valid == NPAGES / 2,
		      "%s: the child's %zu PROT_NONE PTEs are present, not valid, not contiguous "
		      "(%u valid or contiguous, first %#llx) and the %zu others valid (%u)", name,
		      NPAGES / 2, half1.valid_or_cont, half1.first, NPAGES / 2, half2.valid);
	else
		printf("# %s: the kernel's contpte_set_ptes() set the child's PROT_NONE PTEs: "
		       "%u of %zu valid or contiguous (first %#llx)\n", name, half1.valid_or_cont,
		       NPAGES / 2, half1.first);
	if (mode == FORKLAB_MODE_BATCHED && policy == FORKLAB_CONTPTE_BLOCK)
		check(half2.valid_cont >= NPAGES / 4,
		      "%s: control: the child's valid blocks were written contiguous (%u PTEs)",
		      name, half2.valid_cont);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "%s: the PROT_NONE half faults in the child; it reads every page back after "
	      "mprotect(READ|WRITE) (status %#x; exit 5: no fault)",
	      name, status);
	munmap(p, LEN);
}

int main(void)
{
	static const char *modes[] = { "stock", "passthrough", "perpte", "batched" };
	static const char *policies[] = { "kernel", "unfold", "block" };
	char old64[32] = "never", old2m[32] = "never";

#ifndef __aarch64__
	check(1, "# SKIP no contiguous PTEs on this architecture");
	return done("fl-contpte-prot");
#endif
	/* no THP, so no mTHP and no CONFIG_ARM64_CONTPTE: PREEMPT_RT */
	if (!have_thp()) {
		check(1, "# SKIP no THP on this kernel, so no contiguous PTEs");
		return done("fl-contpte-prot");
	}
	dev = open("/dev/forklab", O_RDWR);
	pfd = pin_open();
	if (dev < 0 || pfd < 0 || !thp_setting(MTHP_64K, old64, sizeof(old64)) ||
	    !thp_setting(MTHP_2M, old2m, sizeof(old2m))) {
		check(0, "needs /dev/forklab, /dev/fl_pinner and 64 KiB mTHP (%s)", MTHP_64K);
		return done("fl-contpte-prot");
	}
	/* only 64 KiB folios while we map: every block one folio */
	check(write_file(MTHP_64K, "always") && write_file(MTHP_2M, "never"),
	      "64 KiB mTHP always, 2 MiB never (were %s, %s)", old64, old2m);
	for (unsigned int m = 0; m < FORKLAB_MODE_COUNT; m++)
		for (unsigned int c = 0; c < 3; c++) {
			char name[64];

			snprintf(name, sizeof(name), "%s/%s", modes[m], policies[c]);
			one(m, c, name);
		}
	set_defaults(dev);
	write_file(MTHP_64K, old64);
	write_file(MTHP_2M, old2m);
	return done("fl-contpte-prot");
}
