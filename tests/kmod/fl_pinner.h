/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctls of tests/kmod/fl_pinner.c (/dev/fl_pinner), shared with the
 * guest programs of tests/vm that include it.  Test-only: not part of
 * forklab's interface.
 */
#ifndef FL_PINNER_H
#define FL_PINNER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * PIN_LOOP: @iterations times, pin_user_pages_fast(FOLL_WRITE |
 * FOLL_LONGTERM) of the caller's [addr, addr + len) and unpin at once.
 * len is at most FL_PIN_MAX_PAGES pages.  The counts are added to.
 */
#define FL_PIN_MAX_PAGES	1024
struct fl_pin_loop {
	__u64 addr, len;
	__u32 iterations, pad;
	__u64 calls;		/* pin_user_pages_fast() calls made */
	__u64 short_calls;	/* ... that pinned fewer pages than asked (or failed) */
	__u64 pages;		/* pages pinned (and unpinned) in all */
};

/*
 * PIN_HOLD: pins the one page at @addr (FOLL_WRITE | FOLL_LONGTERM) and
 * keeps it pinned, one per open file, until PIN_RELEASE or close; @pfn is
 * what it pinned.  PIN_PEEK / PIN_POKE read / write the 64-bit word at
 * @offset of the held page through the kernel's mapping of it, as a device
 * would by DMA: they see the page that is pinned, whatever maps it.
 */
struct fl_pin_hold {
	__u64 addr;
	__u64 pfn;		/* out */
};
struct fl_pin_word {
	__u64 offset;		/* a multiple of 8 below the page size */
	__u64 value;		/* out for PEEK, in for POKE */
};

/*
 * PTES: the PTEs of task @pid (0: the caller) for @nr (at most
 * FL_PTES_MAX) pages from @addr, which must not cross a page table.
 * @level says what maps @addr: FL_PTES_NONE (no page table), FL_PTES_PMD /
 * FL_PTES_PUD (a huge entry: no PTEs), or FL_PTES_TABLE (raw[], pfn[],
 * flags[] filled).  flags[] are the architecture's answers, so that tests
 * need not know its bit layout.
 */
#define FL_PTES_MAX	64
enum { FL_PTES_NONE, FL_PTES_TABLE, FL_PTES_PMD, FL_PTES_PUD };
#define FL_PTE_PRESENT	0x1	/* pte_present(): includes PROT_NONE and NUMA hinting */
#define FL_PTE_VALID	0x2	/* the hardware would walk it (arm64 PTE_VALID; x86: present and not PROT_NONE) */
#define FL_PTE_CONT	0x4	/* arm64 PTE_CONT (never on x86) */
#define FL_PTE_WRITE	0x8	/* pte_write() */
struct fl_pin_ptes {
	__s32 pid;
	__u32 nr;
	__u64 addr;
	__u32 level;		/* out */
	__u32 pad;
	__u64 raw[FL_PTES_MAX];	/* out: pte_val() */
	__u64 pfn[FL_PTES_MAX];	/* out: pte_pfn() of present PTEs, else ~0 */
	__u32 flags[FL_PTES_MAX];	/* out: FL_PTE_* */
};

#define FL_PIN_IOC		'p'
#define FL_PIN_LOOP		_IOWR(FL_PIN_IOC, 1, struct fl_pin_loop)
#define FL_PIN_HOLD		_IOWR(FL_PIN_IOC, 2, struct fl_pin_hold)
#define FL_PIN_RELEASE		_IO(FL_PIN_IOC, 3)
#define FL_PIN_PEEK		_IOWR(FL_PIN_IOC, 4, struct fl_pin_word)
#define FL_PIN_POKE		_IOW(FL_PIN_IOC, 5, struct fl_pin_word)
#define FL_PIN_PTES		_IOWR(FL_PIN_IOC, 6, struct fl_pin_ptes)

#endif /* FL_PINNER_H */
