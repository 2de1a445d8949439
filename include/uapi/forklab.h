/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * forklab control interface: ioctls on /dev/forklab, shared by the module and
 * userspace.  Every struct starts with its size so it can grow (clone3 style).
 *
 * Rules every ioctl follows:
 *  - the caller zeroes the struct and sets .size = sizeof(struct); output
 *    fields must be zero on the way in (EINVAL otherwise);
 *    .size below the first published size (FORKLAB_*_SIZE_VER0): EINVAL;
 *    a larger .size whose extra bytes are not zero: E2BIG;
 *  - .flags bits this API does not define: EINVAL; reserved fields: must be 0
 *    (EINVAL otherwise); unknown command: ENOTTY; bad pointer: EFAULT;
 *  - commands that change state (SET_CONFIG, RESET_STATS) need CAP_SYS_ADMIN
 *    (EPERM otherwise); the read commands need only an open descriptor.
 *  - SET_CONFIG also: EINVAL for a mode, scope or policy value this API does
 *    not define, a mode the module cannot run here, or scope fields that do
 *    not fit the scope; EOPNOTSUPP for a contpte policy this kernel lacks;
 *    ENOENT for a cgroup path that names no cgroup v2 directory; EBUSY when
 *    ftrace refuses a hook (another user modifies the instruction pointer of
 *    the function: a livepatch, a kprobe with a post_handler; or
 *    kernel.ftrace_enabled is 0); ENOMEM.  It fails before changing anything:
 *    the configuration after an error is the one before.  It writes the
 *    caller's struct back unchanged before it validates, so a struct it
 *    cannot write gets EFAULT first (unless another thread unmaps it during
 *    the change, which then stands).  RESET_STATS too.
 *  - GET_STATS: EINVAL for a .mode or .contpte_policy this API does not define.
 * On return the kernel sets .size to the number of bytes it filled.
 * The kernel matches commands by type, number and direction, not by the size
 * encoded in them, so a caller built against an older header keeps working.
 */
#ifndef _UAPI_FORKLAB_H
#define _UAPI_FORKLAB_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define FORKLAB_DEVICE		"/dev/forklab"
#define FORKLAB_API_VERSION	1	/* grows compatibly: see the size rules */

/*
 * Copy modes.  X(ID, value, name, description); values are ABI and never
 * reused.  A mode's name is what the CLI and the module parameter accept.
 */
#define FORKLAB_MODE_LIST(X)						\
	X(STOCK,       0, "stock",       "no redirect registered: the kernel's own fork path at zero cost") \
	X(PASSTHROUGH, 1, "passthrough", "redirect live, calls the kernel's own copy_page_range (measures the hook)") \
	X(PERPTE,      2, "perpte",      "forklab's walk, one PTE at a time (the algorithm before 6.9)") \
	X(BATCHED,     3, "batched",     "forklab's walk, runs of PTEs of one large folio at once (6.9's algorithm)")

enum forklab_mode {
#define FORKLAB_MODE_ENUM(id, val, name, desc) FORKLAB_MODE_##id = val,
	FORKLAB_MODE_LIST(FORKLAB_MODE_ENUM)
#undef FORKLAB_MODE_ENUM
	FORKLAB_MODE_COUNT,
};
#define FORKLAB_MODE_MAX	16	/* bound for mode bitmasks; never exceeded */

/* Which forks take the experimental path while a mode is live. */
enum forklab_scope {
	FORKLAB_SCOPE_ALL    = 0,	/* every fork */
	FORKLAB_SCOPE_PID    = 1,	/* forks by thread group .scope_pid */
	FORKLAB_SCOPE_COMM   = 2,	/* forks by tasks whose comm starts with .scope_arg */
	FORKLAB_SCOPE_CGROUP = 3,	/* forks by tasks in cgroup v2 path .scope_arg (or below) */
	FORKLAB_SCOPE_COUNT,
};
#define FORKLAB_SCOPE_ARG_LEN	256

/*
 * Contiguous-PTE (contpte) helper policies: arm64 kernels with
 * CONFIG_ARM64_CONTPTE only.  They choose how the helpers that fork and
 * teardown use treat a 64 KiB block of 16 PTEs mapped with the contiguous
 * bit: write-protect (fork, parent), set (fork, child; forklab's walk only)
 * and get-and-clear / clear-full (teardown).  Every fold or unfold is a
 * break-before-make of the block with one ranged TLB invalidation (in 7.3
 * none on a CPU with BBM level 3, and the counters say so).
 * X(ID, value, name, description); values are ABI and never reused.
 */
#define FORKLAB_CONTPTE_POLICY_LIST(X)					\
	X(KERNEL, 0, "kernel", "the kernel's own contpte helpers (no redirect)") \
	X(UNFOLD, 1, "unfold", "unfold every block touched, work per PTE, try to fold again (before 6.9)") \
	X(BLOCK,  2, "block",  "whole blocks changed in place; only partly covered blocks unfold (6.9)")

enum forklab_contpte_policy {
#define FORKLAB_CONTPTE_ENUM(id, val, name, desc) FORKLAB_CONTPTE_##id = val,
	FORKLAB_CONTPTE_POLICY_LIST(FORKLAB_CONTPTE_ENUM)
#undef FORKLAB_CONTPTE_ENUM
	FORKLAB_CONTPTE_POLICY_COUNT,
};

/* The helpers whose work forklab counts per policy (forklab_stats.contpte[]). */
enum forklab_contpte_helper {
	FORKLAB_CONTPTE_WRPROTECT = 0,	/* fork: write-protect the parent's PTEs */
	FORKLAB_CONTPTE_SET       = 1,	/* fork: set the child's PTEs (forklab's walk) */
	FORKLAB_CONTPTE_CLEAR     = 2,	/* teardown: get-and-clear / clear-full */
	FORKLAB_CONTPTE_HELPER_COUNT,
};

/* Features a build supports (forklab_version.features). */
#define FORKLAB_FEAT_REDIRECT	(1U << 0)	/* ftrace redirect of copy_page_range */
#define FORKLAB_FEAT_SCOPE	(1U << 1)	/* scopes other than ALL */
#define FORKLAB_FEAT_CONTPTE	(1U << 2)	/* contpte policies other than KERNEL */
/*
 * forklab's own walk for this release (perpte, batched, and on arm64 the
 * contpte policies).  Without it (a release forklab has no walk for) only
 * stock and passthrough are supported.  Set by every module that has the
 * walk since it was added; an older module has the walk but not this bit.
 */
#define FORKLAB_FEAT_WALK	(1U << 3)

struct forklab_version {
	__u32 size;
	__u32 flags;			/* in: 0 */
	__u32 api_version;		/* out: FORKLAB_API_VERSION */
	__u32 features;			/* out: FORKLAB_FEAT_* */
	__u32 modes_supported;		/* out: bit n set = mode n usable here */
	__u32 mode_count;		/* out: modes this build knows */
	char  release[65];		/* out: kernel release (uname -r) */
	char  machine[65];		/* out: kernel arch (uname -m) */
	char  module_version[32];	/* out: forklab module version */
	__u8  reserved0[6];		/* must be 0 */
	__u32 contpte_supported;	/* out: bit n set = contpte policy n usable here */
	__u32 reserved1;		/* must be 0 */
	__u64 reserved[3];		/* must be 0 */
};
#define FORKLAB_VERSION_SIZE_VER0	224

#define FORKLAB_CONFIG_SET_MODE		(1U << 0)	/* SET_CONFIG: apply .mode */
#define FORKLAB_CONFIG_SET_SCOPE	(1U << 1)	/* SET_CONFIG: apply .scope* */
#define FORKLAB_CONFIG_SET_CONTPTE	(1U << 2)	/* SET_CONFIG: apply .contpte_policy */
#define FORKLAB_CONFIG_FLAGS		(FORKLAB_CONFIG_SET_MODE | FORKLAB_CONFIG_SET_SCOPE | \
					 FORKLAB_CONFIG_SET_CONTPTE)

struct forklab_config {
	__u32 size;
	__u32 flags;			/* SET: FORKLAB_CONFIG_SET_*; GET: 0 */
	__u32 mode;			/* enum forklab_mode */
	__u32 scope;			/* enum forklab_scope */
	__u32 scope_pid;		/* FORKLAB_SCOPE_PID */
	__u32 contpte_policy;		/* enum forklab_contpte_policy; EOPNOTSUPP where
					 * the version's contpte_supported lacks it */
	char  scope_arg[FORKLAB_SCOPE_ARG_LEN];	/* NUL-terminated; COMM, CGROUP */
	__u64 reserved[4];		/* must be 0 */
};
#define FORKLAB_CONFIG_SIZE_VER0	312

/* Latency histogram: bucket i counts calls that took [2^i, 2^(i+1)) ns. */
#define FORKLAB_HIST_BUCKETS	32
/* Run-length histogram: bucket i counts runs of [2^i, 2^(i+1)) PTEs (1..512). */
#define FORKLAB_RUN_BUCKETS	10

/* What one contpte helper did under one policy (forklab_stats VER2). */
struct forklab_contpte_counters {
	__u64 calls;		/* helper calls handled under the policy */
	__u64 ptes;		/* PTEs those calls covered */
	__u64 unfolds;		/* contiguous blocks unfolded */
	__u64 folds;		/* blocks folded into contiguous ones */
	__u64 invalidations;	/* ranged TLB invalidations issued (one per fold/unfold; none on 7.3 with BBML3) */
	__u64 blocks_kept;	/* whole contiguous blocks changed without unfolding */
	__u64 reserved[2];	/* 0 */
};

struct forklab_stats {
	__u32 size;
	__u32 flags;			/* in: 0 */
	__u32 mode;			/* in: whose per-mode counters to return */
	__u32 contpte_policy;		/* in: whose contpte counters to return (VER2) */
	/* global */
	__u64 redirected;		/* forks the redirect sent to the module */
	__u64 out_of_scope;		/* forks the redirect let through (scope) */
	__u64 in_flight;		/* tasks inside the module's replacements now */
	__u64 registrations;		/* times the copy_page_range redirect was registered */
	/* per mode (.mode) */
	__u64 calls;			/* copy_page_range calls handled in .mode */
	__u64 errors;			/* of those, how many returned an error */
	__u64 time_ns;			/* total time spent in the copy path */
	__u64 time_hist[FORKLAB_HIST_BUCKETS];
	__u64 reserved[4];		/* must be 0 */
	/* VER1: what forklab's own walk did (modes perpte and batched) */
	__u64 vmas;			/* VMAs whose page tables were copied */
	__u64 ptes_present;		/* present PTEs copied */
	__u64 ptes_nonpresent;		/* swap, migration, device, marker entries */
	__u64 runs;			/* present PTEs copied in runs: runs */
	__u64 run_hist[FORKLAB_RUN_BUCKETS];
	__u64 large_folio_ptes;		/* present PTEs mapping part of a large folio */
	__u64 pinned_copies;		/* possibly pinned anon pages copied for the child */
	__u64 alloc_retries;		/* locks dropped to allocate (copy page, swap count) */
	__u64 alloc_failures;		/* of those, failed: the fork failed with ENOMEM */
	/* VER2: the contpte helpers under .contpte_policy (arm64), per helper */
	struct forklab_contpte_counters contpte[FORKLAB_CONTPTE_HELPER_COUNT];
};
#define FORKLAB_STATS_SIZE_VER0	360
#define FORKLAB_STATS_SIZE_VER1	504
#define FORKLAB_STATS_SIZE_VER2	696

struct forklab_reset {
	__u32 size;
	__u32 flags;			/* 0 */
	__u64 reserved[2];		/* must be 0 */
};
#define FORKLAB_RESET_SIZE_VER0	24

#define FORKLAB_IOC_MAGIC	0xF1
#define FORKLAB_IOC_VERSION	_IOWR(FORKLAB_IOC_MAGIC, 0x00, struct forklab_version)
#define FORKLAB_IOC_GET_CONFIG	_IOWR(FORKLAB_IOC_MAGIC, 0x01, struct forklab_config)
#define FORKLAB_IOC_SET_CONFIG	_IOWR(FORKLAB_IOC_MAGIC, 0x02, struct forklab_config)
#define FORKLAB_IOC_GET_STATS	_IOWR(FORKLAB_IOC_MAGIC, 0x03, struct forklab_stats)
#define FORKLAB_IOC_RESET_STATS	_IOWR(FORKLAB_IOC_MAGIC, 0x04, struct forklab_reset)

#endif /* _UAPI_FORKLAB_H */
