// SPDX-License-Identifier: GPL-2.0
/*
 * Guest fuzzer of the /dev/forklab ioctls against the contract written in
 * include/uapi/forklab.h.  Several threads, and a forked caller without
 * privileges, send random requests: the five commands and numbers near
 * them, random sizes, flags, reserved bits and field values, wild pointers.
 * Every result must be one the header documents for that call; a request
 * that breaks a rule of the header must be refused, a well-formed read
 * served; the kernel must write nothing outside the caller's .size; the
 * live configuration must stay valid; and forks made under whatever the
 * fuzzer left live must see intact memory.  Speaks TAP.
 * usage: fl-ioctl-fuzz [ITERATIONS] [SEED] [THREADS]
 *        (as root, module loaded; defaults $FL_FUZZ_ITERATIONS or 20000,
 *        0xf1f022, 4)
 * The requests each caller sends depend only on SEED and the caller's index;
 * the interleaving of the callers does not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fl-test.h"

#define DEFAULT_ITERATIONS	20000UL
#define DEFAULT_SEED		0xf1f022ULL
#define DEFAULT_THREADS		4
#define MAX_THREADS		64
/* Calls per thread between two checkpoints (config check, memory-checking fork). */
#define BURST			200
/*
 * One SET_CONFIG in CHANGE_ODDS is allowed to be well-formed; the others
 * break a rule of the header, which the module checks before it changes
 * anything.  A change that succeeds may register or unregister ftrace ops
 * or wait for RCU, slow under TCG: this keeps a run short.
 */
#define CHANGE_ODDS		8
/* Diagnostics printed per caller and problem; the counters keep counting past them. */
#define MAX_DIAG		3
/* The arena: a canary page, the struct (with its tail), canaries, then a hole. */
#define ARENA_PAGES		5
/* The read-only view: enough for the largest struct plus its longest tail. */
#define RO_PAGES		4
#define MEMCHECK_PAGES		64
#define ERRNO_SLOTS		256	/* errnos above land in the last slot */
#define NOBODY			65534

/* What a diagnostic reports: each has its own MAX_DIAG, so one cannot hide another. */
enum problem { UNDOCUMENTED, NO_EPERM, ACCEPTED, REFUSED, BAD_SIZE, BAD_CONFIG, OVERWRITE, PROBLEMS };

enum kind { K_VERSION, K_GET_CONFIG, K_SET_CONFIG, K_GET_STATS, K_RESET_STATS, K_UNKNOWN, K_COUNT };

/* A kind is its command's number, so a number decodes to its kind directly. */
_Static_assert(_IOC_NR(FORKLAB_IOC_VERSION) == K_VERSION &&
	       _IOC_NR(FORKLAB_IOC_GET_CONFIG) == K_GET_CONFIG &&
	       _IOC_NR(FORKLAB_IOC_SET_CONFIG) == K_SET_CONFIG &&
	       _IOC_NR(FORKLAB_IOC_GET_STATS) == K_GET_STATS &&
	       _IOC_NR(FORKLAB_IOC_RESET_STATS) == K_RESET_STATS, "kinds follow the command numbers");

static const struct command {
	const char *name;
	unsigned int cmd;
	size_t size;			/* the struct in this header */
	__u32 sizes[3];			/* every published size; unused slots 0 */
	size_t reserved, reserved_len;	/* its trailing reserved field */
	int weight;			/* how often the fuzzer picks it */
} commands[K_UNKNOWN] = {
	{ "VERSION", FORKLAB_IOC_VERSION, sizeof(struct forklab_version),
	  { FORKLAB_VERSION_SIZE_VER0 }, offsetof(struct forklab_version, reserved),
	  sizeof(((struct forklab_version *)0)->reserved), 15 },
	{ "GET_CONFIG", FORKLAB_IOC_GET_CONFIG, sizeof(struct forklab_config),
	  { FORKLAB_CONFIG_SIZE_VER0 }, offsetof(struct forklab_config, reserved),
	  sizeof(((struct forklab_config *)0)->reserved), 20 },
	{ "SET_CONFIG", FORKLAB_IOC_SET_CONFIG, sizeof(struct forklab_config),
	  { FORKLAB_CONFIG_SIZE_VER0 }, offsetof(struct forklab_config, reserved),
	  sizeof(((struct forklab_config *)0)->reserved), 35 },
	{ "GET_STATS", FORKLAB_IOC_GET_STATS, sizeof(struct forklab_stats),
	  { FORKLAB_STATS_SIZE_VER0, FORKLAB_STATS_SIZE_VER1, FORKLAB_STATS_SIZE_VER2 },
	  offsetof(struct forklab_stats, reserved), sizeof(((struct forklab_stats *)0)->reserved), 20 },
	{ "RESET_STATS", FORKLAB_IOC_RESET_STATS, sizeof(struct forklab_reset),
	  { FORKLAB_RESET_SIZE_VER0 }, offsetof(struct forklab_reset, reserved),
	  sizeof(((struct forklab_reset *)0)->reserved), 10 },
};
#define MAX_STRUCT	sizeof(struct forklab_stats)

/*
 * Magics whose numbers do_vfs_ioctl() answers itself, before the driver:
 * 'T' FIOCLEX/FIONBIO/FIOASYNC (they would change our descriptor), 'X'
 * FIFREEZE and FS_IOC_FSGETXATTR, 'f' FS_IOC_GETFLAGS and FIEMAP, 0x00
 * FIGETBSZ (succeeds on any inode), 0x94 FICLONE, 0x15 FS_IOC_GETFSUUID
 * (succeeds on tmpfs).  Calls there would test the VFS, not forklab.
 */
static const unsigned char vfs_magics[] = { 'T', 'X', 'f', 0x00, 0x94, 0x15 };

/* Where a request's pointer goes. */
enum where {
	W_ARENA,	/* readable and writable, canaries around it */
	W_READONLY,	/* a page the kernel may read but not write */
	W_STRADDLE,	/* the struct's tail runs into an unmapped page */
	W_NULL,
	W_HOLE,		/* an unmapped page */
	W_KERNEL_LINEAR,	/* kernel addresses: access_ok() must refuse them */
	W_KERNEL_TEXT,
	W_COUNT,
};
static const char *const where_names[W_COUNT] = {
	"arena", "read-only page", "straddling an unmapped page", "NULL", "unmapped page",
	"kernel 0xffff800000000000", "kernel 0xffffffff81000000",
};

/* Memory the fuzzer writes requests into: rw is its view, user what the kernel gets. */
struct region {
	unsigned char *rw, *user;
	size_t len;
};

/* What one caller counted; the unprivileged caller sends its own through a pipe. */
struct tally {
	unsigned long calls[K_COUNT];
	unsigned long results[ERRNO_SLOTS];
	unsigned long undocumented;	/* errnos the header does not list for the call */
	unsigned long must_fail, accepted;	/* rule broken or pointer unusable; yet 0 */
	unsigned long must_serve, refused;	/* well-formed reads; yet an error */
	unsigned long writes_checked, overwrites;	/* canaries compared; found changed */
	unsigned long sizes_checked, bad_sizes;	/* .size on return = bytes filled? */
	unsigned long configs_checked, bad_configs;
	unsigned long changes;		/* SET_CONFIG with flags that succeeded */
	unsigned long eperm, no_eperm;	/* unprivileged SET_CONFIG/RESET_STATS */
	unsigned long reads_served;
};

struct caller {
	int id;
	int privileged;
	uint64_t rng;
	unsigned long done, quota, total;	/* calls made, to make by the burst's end, in all */
	struct region arena, ro;
	unsigned char *hole;		/* the unmapped page after the arena */
	unsigned char *snapshot;	/* the request bytes as written, to compare after the call */
	struct tally t;
	int diags[PROBLEMS];
	pthread_t thread;
};

struct request {
	enum kind layout;	/* the struct written */
	enum kind kind;		/* the command the number names: layout, or K_UNKNOWN */
	unsigned int cmd;
	__u32 usize;		/* .size */
	int tail_junk;		/* a non-zero byte among those past the struct */
	int may_change;		/* SET_CONFIG: allowed to be well-formed */
	enum where where;
	unsigned char body[MAX_STRUCT] __attribute__((aligned(8)));	/* read as the structs */
};

/* Where the request ended up. */
struct placed {
	struct region *reg;	/* NULL for a pointer into nothing of ours */
	size_t off;		/* the struct's offset in reg */
	size_t written;		/* request bytes written from off (clipped to reg) */
	size_t window;		/* bytes the kernel may write: .size, at most the struct */
	void *arg;
	int good;		/* the whole request is readable and writable */
};

static int dev;
static size_t page;
static unsigned char *canary;	/* what every region holds outside the request */
static __u32 modes_supported, contpte_supported;
static pid_t self;

/* splitmix64: small, and every caller's stream is fixed by its seed. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n)
{
	return rnd(s) % n;
}

static int one_in(uint64_t *s, uint32_t n)
{
	return below(s, n) == 0;
}

static int nonzero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return 1;
	return 0;
}

static __u32 get32(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put32(unsigned char *p, __u32 v)
{
	memcpy(p, &v, sizeof(v));
}

static int policy_supported(__u32 policy)
{
	return policy < 32 && (contpte_supported & (1U << policy));
}

static const char *errname(int err)
{
	const char *n = err ? strerrorname_np(err) : "success";

	return n ? n : "unknown errno";
}

static enum kind weighted_kind(uint64_t *s)
{
	int total = 0, pick, k;

	for (k = 0; k < K_UNKNOWN; k++)
		total += commands[k].weight;
	pick = below(s, total);
	for (k = 0; pick >= commands[k].weight; k++)
		pick -= commands[k].weight;
	return k;
}

/* A random published size of the command's struct. */
static __u32 published_size(uint64_t *s, const struct command *cm)
{
	unsigned int n = 0;

	while (n < sizeof(cm->sizes) / sizeof(cm->sizes[0]) && cm->sizes[n])
		n++;
	return cm->sizes[below(s, n)];
}

/* Values near every boundary a 32-bit enum or pid field has. */
static __u32 edgy(uint64_t *s)
{
	static const __u32 v[] = { 0, 1, 2, 3, 4, 5, 15, 16, 31, 32, 255, 4194304, 4194305,
				   0x7fffffff, 0x80000000, 0xffffffff };

	return one_in(s, 4) ? (__u32)rnd(s) : v[below(s, sizeof(v) / sizeof(v[0]))];
}

/* The command number: mostly the real one, else a neighbour of it. */
static void pick_number(uint64_t *s, struct request *r)
{
	unsigned int dir = _IOC_READ | _IOC_WRITE, type = FORKLAB_IOC_MAGIC, nr = r->layout;
	unsigned int size = commands[r->layout].size, p = below(s, 100);

	if (p < 60) {
		r->cmd = commands[r->layout].cmd;
		r->kind = r->layout;
		return;
	}
	if (p < 72) {
		/* another size in the number: still the command (an older or newer header) */
		size = one_in(s, 3) ? 0 : one_in(s, 2) ? published_size(s, &commands[r->layout]) :
		       below(s, 1U << _IOC_SIZEBITS);
	} else if (p < 82) {
		static const unsigned int wrong[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE };

		dir = wrong[below(s, 3)];
	} else if (p < 94) {
		/* numbers after the last command, near it or anywhere */
		nr = one_in(s, 2) ? K_UNKNOWN + below(s, 4) : K_UNKNOWN + below(s, 256 - K_UNKNOWN);
		if (one_in(s, 2))
			dir = below(s, 4);
	} else {
		unsigned int i;

		do {
			type = one_in(s, 3) ? FORKLAB_IOC_MAGIC - 1 + 2 * below(s, 2) : below(s, 256);
			for (i = 0; i < sizeof(vfs_magics) && vfs_magics[i] != type; i++)
				;
		} while (type == FORKLAB_IOC_MAGIC || i < sizeof(vfs_magics));
		nr = below(s, 256);
		dir = below(s, 4);
		size = below(s, 1U << _IOC_SIZEBITS);
	}
	r->cmd = _IOC(dir, type, nr, size);
	/* the header: commands match by type, number and direction, not size */
	r->kind = type == FORKLAB_IOC_MAGIC && nr < K_UNKNOWN && dir == (_IOC_READ | _IOC_WRITE) ?
		  (enum kind)nr : K_UNKNOWN;
}

/*
 * A scope the header calls well-formed.  Most let our own forks through;
 * some name a process or a cgroup that does not exist.
 */
static void well_formed_scope(uint64_t *s, struct forklab_config *c)
{
	static const char comm[] = "fl-ioctl-fuzz";

	switch (below(s, 5)) {
	case 0:
		c->scope = FORKLAB_SCOPE_PID;
		c->scope_pid = one_in(s, 2) ? (__u32)self : 1 + below(s, 32768);
		break;
	case 1:
		c->scope = FORKLAB_SCOPE_COMM;
		memcpy(c->scope_arg, comm, 1 + below(s, sizeof(comm) - 1));
		break;
	case 2:
		c->scope = FORKLAB_SCOPE_CGROUP;
		strcpy(c->scope_arg, one_in(s, 2) ? "/" : "/no-such-cgroup");
		break;
	default:
		c->scope = FORKLAB_SCOPE_ALL;
		break;
	}
}

/* scope_arg contents SET_CONFIG must cope with. */
static void garbage_scope_arg(uint64_t *s, struct forklab_config *c)
{
	size_t i, len;

	memset(c->scope_arg, 0, sizeof(c->scope_arg));
	switch (below(s, 6)) {
	case 0:		/* no NUL anywhere */
		for (i = 0; i < sizeof(c->scope_arg); i++)
			c->scope_arg[i] = 1 + below(s, 255);
		break;
	case 1:		/* random bytes, then a NUL */
		len = below(s, sizeof(c->scope_arg));
		for (i = 0; i < len; i++)
			c->scope_arg[i] = 1 + below(s, 255);
		break;
	case 2:		/* a path with an empty component */
		strcpy(c->scope_arg, "//.");
		break;
	case 3:		/* a comm of 15 or 16 characters: the first fits TASK_COMM_LEN */
		memset(c->scope_arg, 'a', 15 + below(s, 2));
		break;
	case 4:		/* the longest string that still ends in a NUL */
		memset(c->scope_arg, '/', sizeof(c->scope_arg) - 1);
		break;
	default:	/* garbage after the NUL */
		c->scope_arg[0] = '/';
		for (i = 2; i < sizeof(c->scope_arg); i++)
			c->scope_arg[i] = below(s, 256);
		break;
	}
}

/* The size classes of the brief: 0, below VER0, published, between, past the struct, huge. */
static void mutate_size(uint64_t *s, struct request *r)
{
	const struct command *cm = &commands[r->layout];
	__u32 ver0 = cm->sizes[0];

	switch (below(s, 7)) {
	case 0:
		r->usize = 0;
		break;
	case 1:
		r->usize = below(s, ver0);
		break;
	case 2:
		r->usize = published_size(s, cm);
		break;
	case 3:		/* between published sizes, or a little past the struct (zero tail) */
		r->usize = ver0 + below(s, cm->size + 64 - ver0);
		break;
	case 4:		/* a newer header's struct: the tail must be zero */
		r->usize = cm->size + 1 + below(s, 2 * page);
		break;
	case 5:
		r->usize = cm->size + 1 + below(s, 2 * page);
		r->tail_junk = 1;
		break;
	default: {
		/* beyond what the caller's buffer holds: the canaries are its tail */
		static const __u32 huge[] = { 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff };

		r->usize = one_in(s, 2) ? 0x10000 + below(s, 1U << 24) : huge[below(s, 4)];
		r->tail_junk = 1;
		break;
	}
	}
}

/* Any byte after .size: flags, an output field, reserved, a value. */
static void poke(uint64_t *s, struct request *r)
{
	r->body[4 + below(s, commands[r->layout].size - 4)] = 1 + below(s, 255);
}

static void mutate(uint64_t *s, struct request *r)
{
	const struct command *cm = &commands[r->layout];
	struct forklab_config *c = (struct forklab_config *)r->body;
	struct forklab_stats *st = (struct forklab_stats *)r->body;

	switch (below(s, 6)) {
	case 0:
		mutate_size(s, r);
		break;
	case 1:		/* flags: any bit, any word, or (when allowed) a valid set */
		if (r->layout == K_SET_CONFIG && r->may_change && one_in(s, 2))
			put32(r->body + 4, below(s, FORKLAB_CONFIG_FLAGS + 1));
		else
			put32(r->body + 4, one_in(s, 2) ? 1U << below(s, 32) : (__u32)rnd(s));
		break;
	case 2:		/* a byte of the reserved field */
		r->body[cm->reserved + below(s, cm->reserved_len)] = 1 + below(s, 255);
		break;
	case 3:		/* a field's value */
		if (r->layout == K_SET_CONFIG) {
			__u32 *fields[] = { &c->mode, &c->scope, &c->scope_pid, &c->contpte_policy };

			*fields[below(s, 4)] = edgy(s);
		} else if (r->layout == K_GET_STATS) {
			*(one_in(s, 2) ? &st->mode : &st->contpte_policy) = edgy(s);
		} else {
			poke(s, r);
		}
		break;
	case 4:
		if (r->layout == K_SET_CONFIG)
			garbage_scope_arg(s, c);
		else
			poke(s, r);
		break;
	default:
		poke(s, r);
		break;
	}
}

/* Breaks one rule of the header, of those the module checks before changing anything. */
static void break_rule(uint64_t *s, struct request *r)
{
	struct forklab_config *c = (struct forklab_config *)r->body;

	switch (below(s, 5)) {
	case 0:
		c->flags |= 1U << (3 + below(s, 29));
		break;
	case 1:
		((unsigned char *)c->reserved)[below(s, sizeof(c->reserved))] = 1 + below(s, 255);
		break;
	case 2:
		r->usize = below(s, FORKLAB_CONFIG_SIZE_VER0);
		r->tail_junk = 0;
		break;
	case 3:
		r->usize = sizeof(*c) + 1 + below(s, 64);
		r->tail_junk = 1;
		break;
	default:
		c->flags |= FORKLAB_CONFIG_SET_MODE;
		c->mode = FORKLAB_MODE_COUNT + below(s, 1000);
		break;
	}
}

/* The struct as the kernel reads it: the caller's .size bytes, zeros after. */
static void seen_struct(const struct request *r, unsigned char *seen)
{
	size_t n = commands[r->layout].size;

	if (r->usize < n)
		n = r->usize;
	memset(seen, 0, MAX_STRUCT);
	memcpy(seen, r->body, n);
}

/*
 * The rule of the header a request breaks, or NULL.  Only what the header
 * says counts here; the module's own rules (which scope takes a pid, how
 * long a comm may be) leave a request well-formed but allowed to fail.
 */
static const char *broken_rule(const struct request *r)
{
	const struct command *cm = &commands[r->layout];
	unsigned char seen[MAX_STRUCT];
	struct forklab_config c;

	if (r->usize < cm->sizes[0])
		return ".size below VER0";
	if (r->usize > cm->size && r->tail_junk)
		return "larger .size, non-zero bytes past the struct";
	seen_struct(r, seen);
	switch (r->layout) {
	case K_SET_CONFIG:
		memcpy(&c, seen, sizeof(c));
		if (c.flags & ~FORKLAB_CONFIG_FLAGS)
			return "undefined flag";
		if (nonzero(c.reserved, sizeof(c.reserved)))
			return "reserved field set";
		if ((c.flags & FORKLAB_CONFIG_SET_MODE) && c.mode >= FORKLAB_MODE_COUNT)
			return "mode out of range";
		if ((c.flags & FORKLAB_CONFIG_SET_CONTPTE) && !policy_supported(c.contpte_policy))
			return "contpte policy not supported";
		if ((c.flags & FORKLAB_CONFIG_SET_SCOPE) &&
		    (c.scope >= FORKLAB_SCOPE_COUNT || !memchr(c.scope_arg, 0, sizeof(c.scope_arg))))
			return "scope out of range or scope_arg not NUL-terminated";
		return NULL;
	case K_GET_STATS:
		/* .mode and .contpte_policy are its only inputs besides .size */
		if (nonzero(seen + 4, 4) ||
		    nonzero(seen + offsetof(struct forklab_stats, redirected),
			    cm->size - offsetof(struct forklab_stats, redirected)))
			return "flags, output or reserved field set";
		return NULL;
	default:
		/* after .size come flags (0 here), then output and reserved fields */
		if (nonzero(seen + 4, 4))
			return "flags set";
		return nonzero(seen + 8, cm->size - 8) ? "output or reserved field set" : NULL;
	}
}

/* Builds a random request: a well-formed one of a random command, then mutated. */
static void generate(struct caller *cl, struct request *r)
{
	uint64_t *s = &cl->rng;
	const struct command *cm;
	int n;

	memset(r, 0, sizeof(*r));
	r->layout = weighted_kind(s);
	cm = &commands[r->layout];
	r->usize = cm->size;
	if (r->layout == K_SET_CONFIG) {
		struct forklab_config *c = (struct forklab_config *)r->body;

		/* a caller without the capability gets EPERM whatever it asks: let it ask for changes */
		r->may_change = !cl->privileged || one_in(s, CHANGE_ODDS);
		c->flags = 1 + below(s, FORKLAB_CONFIG_FLAGS);
		c->mode = below(s, FORKLAB_MODE_COUNT);
		do
			c->contpte_policy = below(s, FORKLAB_CONTPTE_POLICY_COUNT);
		while (!policy_supported(c->contpte_policy));
		well_formed_scope(s, c);
	} else if (r->layout == K_GET_STATS) {
		struct forklab_stats *st = (struct forklab_stats *)r->body;

		st->mode = below(s, FORKLAB_MODE_COUNT);
		st->contpte_policy = below(s, FORKLAB_CONTPTE_POLICY_COUNT);
	}
	for (n = below(s, 4); n > 0; n--)
		mutate(s, r);
	/* the other SET_CONFIGs are refused before they can change anything (CHANGE_ODDS) */
	if (r->layout == K_SET_CONFIG && !r->may_change && !broken_rule(r))
		break_rule(s, r);
	put32(r->body, r->usize);
	pick_number(s, r);
	/* most pointers good, so that the requests' contents get judged too */
	r->where = below(s, 100) < 70 ? W_ARENA :
		   (enum where)(W_READONLY + below(s, W_COUNT - W_READONLY));
}

/* Writes n bytes of src (zeros if NULL) at off, cut at the region's end as a straddling struct is. */
static void put(struct region *reg, size_t off, const void *src, size_t n)
{
	if (off >= reg->len)
		return;
	if (n > reg->len - off)
		n = reg->len - off;
	if (src)
		memcpy(reg->rw + off, src, n);
	else
		memset(reg->rw + off, 0, n);
}

/*
 * Writes the request where its pointer goes: the struct's first .size bytes
 * (at least the .size field itself), then the tail of a larger .size.  A
 * huge .size gets no tail written: the canaries after the struct are its
 * tail, non-zero, as tail_junk says.
 */
static void place(struct caller *cl, const struct request *r, struct placed *p)
{
	size_t size = commands[r->layout].size, head = r->usize < size ? r->usize : size;
	size_t need = head < 4 ? 4 : head;
	uint64_t *s = &cl->rng;

	memset(p, 0, sizeof(*p));
	p->window = head;
	switch (r->where) {
	case W_ARENA:
	case W_READONLY:
		p->reg = r->where == W_ARENA ? &cl->arena : &cl->ro;
		/* the ABI asks for no alignment: sometimes give none */
		p->off = page + (one_in(s, 4) ? below(s, 64) : 8 * below(s, 8));
		p->good = r->where == W_ARENA;
		break;
	case W_STRADDLE:
		/* the mapping ends inside the bytes the kernel must read (.size first) */
		p->reg = &cl->arena;
		p->off = cl->arena.len - (1 + below(s, need - 1));
		break;
	case W_NULL:
		p->arg = NULL;
		return;
	case W_HOLE:
		p->arg = cl->hole + below(s, page);
		return;
	case W_KERNEL_LINEAR:
		p->arg = (void *)0xffff800000000000UL;
		return;
	default:
		p->arg = (void *)0xffffffff81000000UL;
		return;
	}
	p->arg = p->reg->user + p->off;
	put(p->reg, p->off, r->body, need);
	p->written = need;
	if (r->usize > size && r->usize - size <= 2 * page) {
		size_t tail = r->usize - size;

		put(p->reg, p->off + size, NULL, tail);
		if (r->tail_junk) {
			unsigned char junk = 1 + below(s, 255);

			put(p->reg, p->off + size + below(s, tail), &junk, 1);
		}
		p->written = size + tail;
	}
	if (p->written > p->reg->len - p->off)
		p->written = p->reg->len - p->off;
	memcpy(cl->snapshot, p->reg->rw + p->off, p->written);
}

/*
 * After the call: outside [off, off + window) the region must hold what we
 * wrote, the canaries and the request's own bytes.  Puts the canaries back.
 */
static int untouched(struct caller *cl, const struct placed *p)
{
	struct region *reg = p->reg;
	size_t win = p->window < reg->len - p->off ? p->window : reg->len - p->off;
	size_t end = p->off + (p->written > win ? p->written : win);
	int ok = !memcmp(reg->rw, canary, p->off) &&
		 (p->written <= win ||
		  !memcmp(reg->rw + p->off + win, cl->snapshot + win, p->written - win)) &&
		 !memcmp(reg->rw + end, canary + end, reg->len - end);

	if (ok)
		memcpy(reg->rw + p->off, canary + p->off, end - p->off);
	else
		memcpy(reg->rw, canary, reg->len);
	return ok;
}

/* Why a configuration read back is not valid, or NULL. */
static const char *config_invalid(const struct forklab_config *c)
{
	if (c->mode >= FORKLAB_MODE_COUNT || !(modes_supported & (1U << c->mode)))
		return "mode not supported";
	if (c->scope >= FORKLAB_SCOPE_COUNT)
		return "scope out of range";
	if (!policy_supported(c->contpte_policy))
		return "contpte policy not supported";
	if (!memchr(c->scope_arg, 0, sizeof(c->scope_arg)))
		return "scope_arg not NUL-terminated";
	if (nonzero(c->reserved, sizeof(c->reserved)))
		return "reserved field set";
	return NULL;
}

/* A short NUL-terminated string of printable characters: fit for a diagnostic. */
static int printable(const char *str, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 32 && str[i]; i++)
		if (str[i] < ' ' || str[i] > '~')
			return 0;
	return i < n && i < 32 && !str[i];
}

static void __attribute__((format(printf, 6, 7)))
diag(struct caller *cl, enum problem pb, const struct request *r, const struct placed *p, int err,
     const char *fmt, ...)
{
	const struct forklab_config *c = (const struct forklab_config *)r->body;
	char what[160], detail[128] = "";
	va_list ap;

	if (cl->diags[pb]++ >= MAX_DIAG)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (r->kind == K_SET_CONFIG) {
		snprintf(detail, sizeof(detail), ", mode %u, scope %u '%.32s', pid %u, contpte %u",
			 c->mode, c->scope, printable(c->scope_arg, sizeof(c->scope_arg)) ?
			 c->scope_arg : "<not text>", c->scope_pid, c->contpte_policy);
	} else if (r->kind != K_UNKNOWN) {
		/* which field was set, by offset: 8 on are output and reserved fields */
		unsigned char seen[MAX_STRUCT];
		size_t i;

		seen_struct(r, seen);
		for (i = 8; i < commands[r->kind].size && !seen[i]; i++)
			;
		if (i < commands[r->kind].size)
			snprintf(detail, sizeof(detail), ", byte %zu set", i);
	}
	printf("# caller %d call %lu: %s: %s -> %s (cmd %#x, size %u, flags %#x%s, pointer %s%s)\n",
	       cl->id, cl->done, what, r->kind == K_UNKNOWN ? "unknown number" : commands[r->kind].name,
	       errname(err), r->cmd, r->usize, get32(r->body + 4), detail, where_names[r->where],
	       p->reg && p->off % 8 ? ", misaligned" : "");
	fflush(stdout);
}

/* The errnos the header lists for a call. */
static int documented(const struct caller *cl, const struct request *r, int err)
{
	unsigned char seen[MAX_STRUCT];
	struct forklab_config c;

	if (r->kind == K_UNKNOWN)
		return err == ENOTTY;
	switch (err) {
	case 0:
	case EINVAL:
	case E2BIG:
	case EFAULT:
		return 1;
	case EPERM:
		return !cl->privileged && (r->kind == K_SET_CONFIG || r->kind == K_RESET_STATS);
	case EOPNOTSUPP:
		/* "EOPNOTSUPP for a contpte policy this kernel lacks" */
		if (r->kind != K_SET_CONFIG)
			return 0;
		seen_struct(r, seen);
		memcpy(&c, seen, sizeof(c));
		return (c.flags & FORKLAB_CONFIG_SET_CONTPTE) && !policy_supported(c.contpte_policy);
	case ENOENT:
		/* "ENOENT for a cgroup path that names no cgroup v2 directory" */
		if (r->kind != K_SET_CONFIG)
			return 0;
		seen_struct(r, seen);
		memcpy(&c, seen, sizeof(c));
		return (c.flags & FORKLAB_CONFIG_SET_SCOPE) && c.scope == FORKLAB_SCOPE_CGROUP;
	case EBUSY:
	case ENOMEM:
		/* a hook ftrace refuses, no memory: SET_CONFIG only */
		return r->kind == K_SET_CONFIG;
	default:
		return 0;
	}
}

/* Holds the result of one call against everything the header promises. */
static void judge(struct caller *cl, const struct request *r, const struct placed *p, int err)
{
	struct tally *t = &cl->t;
	int changes_state = r->kind == K_SET_CONFIG || r->kind == K_RESET_STATS;
	int read = r->kind == K_VERSION || r->kind == K_GET_CONFIG || r->kind == K_GET_STATS;

	t->calls[r->kind]++;
	t->results[err < ERRNO_SLOTS ? err : ERRNO_SLOTS - 1]++;
	if (!documented(cl, r, err)) {
		t->undocumented++;
		diag(cl, UNDOCUMENTED, r, p, err, "undocumented result");
	}
	if (r->kind != K_UNKNOWN && !cl->privileged && changes_state) {
		/* the privilege comes first: no other answer may tell anything about the request */
		if (err == EPERM) {
			t->eperm++;
		} else {
			t->no_eperm++;
			diag(cl, NO_EPERM, r, p, err, "change by an unprivileged caller not refused with EPERM");
		}
	} else if (r->kind != K_UNKNOWN) {
		const char *rule = broken_rule(r);
		const struct forklab_stats *st = (const struct forklab_stats *)r->body;

		if (rule || !p->good) {
			t->must_fail++;
			if (!err) {
				t->accepted++;
				diag(cl, ACCEPTED, r, p, err, "accepted although %s", rule ? rule : "the pointer is bad");
			}
		} else if (read && (r->kind != K_GET_STATS || (st->mode < FORKLAB_MODE_COUNT &&
				    st->contpte_policy < FORKLAB_CONTPTE_POLICY_COUNT))) {
			/* a read of a well-formed struct into good memory: nothing may fail it */
			t->must_serve++;
			if (err) {
				t->refused++;
				diag(cl, REFUSED, r, p, err, "well-formed read refused");
			}
		}
	}
	if (read && !err)
		t->reads_served++;
	if (r->kind == K_SET_CONFIG && !err && get32(r->body + 4))
		t->changes++;
	if (!err && p->good && r->kind != K_UNKNOWN) {
		/* "On return the kernel sets .size to the number of bytes it filled." */
		__u32 got = get32(p->reg->rw + p->off);

		t->sizes_checked++;
		if (got != p->window) {
			t->bad_sizes++;
			diag(cl, BAD_SIZE, r, p, err, ".size on return is %u, expected %zu", got, p->window);
		}
		if (r->kind == K_GET_CONFIG || r->kind == K_SET_CONFIG) {
			struct forklab_config c;
			const char *why;

			memcpy(&c, p->reg->rw + p->off, sizeof(c));
			t->configs_checked++;
			why = config_invalid(&c);
			if (why) {
				t->bad_configs++;
				diag(cl, BAD_CONFIG, r, p, err, "returned configuration invalid: %s", why);
			}
		}
	}
	if (p->reg) {
		t->writes_checked++;
		if (!untouched(cl, p)) {
			t->overwrites++;
			diag(cl, OVERWRITE, r, p, err, "bytes outside the caller's .size changed");
		}
	}
}

static void *run_caller(void *arg)
{
	struct caller *cl = arg;

	while (cl->done < cl->quota) {
		struct request r;
		struct placed p;
		int err;

		generate(cl, &r);
		place(cl, &r, &p);
		err = ioctl(dev, r.cmd, p.arg) ? errno : 0;
		judge(cl, &r, &p, err);
		cl->done++;
	}
	return NULL;
}

static void *map_or_die(void *addr, size_t len, int prot, int flags, int fd)
{
	void *m = mmap(addr, len, prot, flags, fd, 0);

	if (m == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return m;
}

/*
 * A caller's memory: the arena (ARENA_PAGES read-write), the hole after it
 * (unmapped, so a straddling struct faults), a PROT_NONE fence that keeps
 * the hole between two mappings of ours; and a memfd mapped twice, read-write
 * for us and read-only for the kernel.
 */
static void map_caller(struct caller *cl)
{
	size_t len = ARENA_PAGES * page;
	unsigned char *m = map_or_die(NULL, len + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	int fd = memfd_create("fl-ioctl-fuzz", MFD_CLOEXEC);

	if (mprotect(m, len, PROT_READ | PROT_WRITE) || munmap(m + len, page) || fd < 0 ||
	    ftruncate(fd, RO_PAGES * page)) {
		perror("setting up the arena");
		exit(2);
	}
	cl->arena = (struct region){ m, m, len };
	cl->hole = m + len;
	cl->ro.len = RO_PAGES * page;
	cl->ro.rw = map_or_die(NULL, cl->ro.len, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	cl->ro.user = map_or_die(NULL, cl->ro.len, PROT_READ, MAP_SHARED, fd);
	close(fd);
	memcpy(cl->arena.rw, canary, cl->arena.len);
	memcpy(cl->ro.rw, canary, cl->ro.len);
	cl->snapshot = malloc(len);
	if (!cl->snapshot)
		exit(2);
}

/* Becomes nobody, with no capability left; 0 on success. */
static int drop_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	/* leaving uid 0 emptied the sets already; empty them explicitly, then make sure */
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) || syscall(SYS_capget, &h, d))
		return -1;
	return d[0].effective | d[1].effective | d[0].permitted | d[1].permitted ? -1 : 0;
}

static unsigned char pattern(unsigned int round, size_t pg)
{
	return (round * 37 + pg * 11) % 255 + 1;
}

static int page_is(const unsigned char *p, unsigned char v, unsigned char *ref)
{
	memset(ref, v, page);
	return !memcmp(p, ref, page);
}

/*
 * Forks a child under whatever configuration the fuzzer left live.  It must
 * see the parent's memory as it was at the fork, although the parent writes
 * half of it meanwhile; its own writes must not reach the parent.
 */
static int memcheck(unsigned char *mem, unsigned char *ref, unsigned int round)
{
	size_t i;
	int status, ok = 1;
	pid_t pid;

	for (i = 0; i < MEMCHECK_PAGES; i++)
		memset(mem + i * page, pattern(round, i), page);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		for (i = 0; i < MEMCHECK_PAGES; i++)
			if (!page_is(mem + i * page, pattern(round, i), ref))
				_exit(1);
		for (i = 0; i < MEMCHECK_PAGES; i++)
			mem[i * page] = 0;	/* copy on write, from this side */
		_exit(0);
	}
	for (i = 1; i < MEMCHECK_PAGES; i += 2)	/* and from ours, while the child reads */
		memset(mem + i * page, pattern(round + 1, i), page);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		ok = 0;
	for (i = 0; i < MEMCHECK_PAGES; i++)
		if (!page_is(mem + i * page, pattern(round + (i & 1), i), ref))
			ok = 0;
	return ok;
}

struct checkpoints {
	unsigned long configs, bad_configs;
	unsigned long forks, bad_forks;
	/* good forks by the configuration live at the time */
	unsigned long by_mode[FORKLAB_MODE_COUNT], by_policy[FORKLAB_CONTPTE_POLICY_COUNT];
	unsigned char *mem, *ref;
};

/* Between bursts and at the end: the live configuration, then a fork under it. */
static void checkpoint(struct checkpoints *cp, unsigned int round)
{
	struct forklab_config c = { .size = sizeof(c) };
	int err = ioctl(dev, FORKLAB_IOC_GET_CONFIG, &c) ? errno : 0;
	const char *why = err ? errname(err) : config_invalid(&c);

	cp->configs++;
	if (why) {
		cp->bad_configs++;
		printf("# checkpoint %u: configuration invalid: %s\n", round, why);
	}
	cp->forks++;
	if (!memcheck(cp->mem, cp->ref, round)) {
		cp->bad_forks++;
		printf("# checkpoint %u: the child under mode %u, scope %u, contpte %u saw wrong memory\n",
		       round, c.mode, c.scope, c.contpte_policy);
	} else if (!why) {
		cp->by_mode[c.mode]++;
		cp->by_policy[c.contpte_policy]++;
	}
}

/* Every field of a tally is a counter: sums them one by one. */
static void add_tally(struct tally *sum, const struct tally *t)
{
	unsigned long *a = (unsigned long *)sum;
	const unsigned long *b = (const unsigned long *)t;
	size_t i;

	for (i = 0; i < sizeof(*t) / sizeof(*a); i++)
		a[i] += b[i];
}

/*
 * Runs the unprivileged caller in a child; returns its pid, its tally arrives
 * on *rfd.  It exits 3 if it cannot drop its privileges.
 */
static pid_t start_unprivileged(struct caller *cl, int *rfd)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (drop_privileges())
			_exit(3);
		run_caller(cl);
		fflush(stdout);
		_exit(write(pfd[1], &cl->t, sizeof(cl->t)) == sizeof(cl->t) ? 0 : 4);
	}
	close(pfd[1]);
	*rfd = pfd[0];
	return pid;
}

static int restore_defaults(void)
{
	struct forklab_config g = { .size = sizeof(g) };

	return !set_defaults(dev) && !ioctl(dev, FORKLAB_IOC_GET_CONFIG, &g) &&
	       g.mode == FORKLAB_MODE_STOCK && g.scope == FORKLAB_SCOPE_ALL && !g.scope_pid &&
	       !g.scope_arg[0] && g.contpte_policy == FORKLAB_CONTPTE_KERNEL;
}


static void print_summary(const struct tally *all, unsigned long total, double secs)
{
	int k, e;

	printf("# %lu calls in %.1f s (%.0f calls/s), %lu configuration changes applied\n",
	       total, secs, total / secs, all->changes);
	printf("# calls:");
	for (k = 0; k < K_COUNT; k++)
		printf(" %s %lu", k == K_UNKNOWN ? "unknown-number" : commands[k].name, all->calls[k]);
	printf("\n# results:");
	for (e = 0; e < ERRNO_SLOTS; e++)
		if (all->results[e])
			printf(" %s %lu", e == ERRNO_SLOTS - 1 ? "errno>=255" : errname(e), all->results[e]);
	printf("\n");
}

int main(int argc, char **argv)
{
	/* FL_FUZZ_ITERATIONS: the soak's longer run, through run-all.sh */
	const char *env_iterations = getenv("FL_FUZZ_ITERATIONS");
	unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) :
				   env_iterations ? strtoul(env_iterations, NULL, 0) : DEFAULT_ITERATIONS;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : DEFAULT_SEED;
	int threads = argc > 3 ? atoi(argv[3]) : DEFAULT_THREADS;
	struct forklab_version v = { .size = sizeof(v) };
	struct checkpoints cp = { 0 };
	struct tally unpriv = { 0 }, all = { 0 };
	struct caller *callers, *nobody;
	unsigned long share, left;
	unsigned int round = 0;
	int i, rfd, status = 0, unpriv_ok;
	__u64 in_flight;
	double start;
	pid_t pid;
	size_t j;

	if (argc > 4 || threads < 1 || threads > MAX_THREADS || !iterations) {
		fprintf(stderr, "usage: fl-ioctl-fuzz [ITERATIONS] [SEED] [THREADS 1..%d]\n", MAX_THREADS);
		return 2;
	}
	dev = open(FORKLAB_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0 || ioctl(dev, FORKLAB_IOC_VERSION, &v)) {
		printf("1..0 # SKIP cannot use %s: %s\n", FORKLAB_DEVICE, strerror(errno));
		return 1;
	}
	modes_supported = v.modes_supported;
	contpte_supported = v.contpte_supported;
	self = getpid();
	page = sysconf(_SC_PAGESIZE);
	canary = malloc(ARENA_PAGES * page);
	cp.ref = malloc(page);
	callers = calloc(threads + 1, sizeof(*callers));
	if (!canary || !cp.ref || !callers)
		return 2;
	/* never zero, so that a canary byte also counts as junk in a struct's tail */
	for (j = 0; j < ARENA_PAGES * page; j++)
		canary[j] = 0x80 | ((j * 13) & 0x7f);
	cp.mem = map_or_die(NULL, MEMCHECK_PAGES * page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1);
	/* callers[threads] is the unprivileged one; it makes a share like each thread */
	share = iterations / (threads + 1);
	for (i = 0; i <= threads; i++) {
		struct caller *cl = &callers[i];

		cl->id = i;
		cl->privileged = i < threads;
		cl->rng = seed ^ (0x9e3779b97f4a7c15ULL * (i + 1));
		cl->total = share + (i < (int)(iterations % (threads + 1)));
		map_caller(cl);
	}
	printf("# fl-ioctl-fuzz: %lu calls, seed %#llx, %d threads and 1 unprivileged caller, on %s %s\n",
	       iterations, (unsigned long long)seed, threads, v.machine, v.release);

	start = now_seconds();
	nobody = &callers[threads];
	nobody->quota = nobody->total;
	pid = start_unprivileged(nobody, &rfd);
	do {
		left = 0;
		for (i = 0; i < threads; i++) {
			struct caller *cl = &callers[i];

			cl->quota = cl->done + BURST < cl->total ? cl->done + BURST : cl->total;
			if (pthread_create(&cl->thread, NULL, run_caller, cl))
				return 2;
		}
		for (i = 0; i < threads; i++) {
			pthread_join(callers[i].thread, NULL);
			left += callers[i].total - callers[i].done;
		}
		checkpoint(&cp, round++);
	} while (left);
	unpriv_ok = pid > 0 && read(rfd, &unpriv, sizeof(unpriv)) == sizeof(unpriv);
	unpriv_ok &= pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		     !WEXITSTATUS(status);
	if (!unpriv_ok)
		printf("# the unprivileged caller failed (wait status %#x)\n", status);
	for (i = 0; i < threads; i++)
		add_tally(&all, &callers[i].t);
	add_tally(&all, &unpriv);
	print_summary(&all, iterations, now_seconds() - start);

	check(!all.undocumented, "%lu calls, every result documented (%lu not)", iterations,
	      all.undocumented);
	check(!all.accepted && !all.refused,
	      "rule broken or pointer bad: refused (%lu of %lu); well-formed reads served (%lu of %lu)",
	      all.must_fail - all.accepted, all.must_fail, all.must_serve - all.refused, all.must_serve);
	check(!all.overwrites && !all.bad_sizes,
	      "no write beyond the caller's size (%lu calls checked), .size = bytes filled (%lu of %lu)",
	      all.writes_checked, all.sizes_checked - all.bad_sizes, all.sizes_checked);
	check(!all.bad_configs && !cp.bad_configs, "config always valid (%lu checks)",
	      all.configs_checked + cp.configs);
	check(unpriv_ok && !unpriv.no_eperm && unpriv.eperm && unpriv.reads_served,
	      "unprivileged caller: %lu changes refused with EPERM (%lu not), %lu reads served",
	      unpriv.eperm, unpriv.no_eperm, unpriv.reads_served);
	check(!cp.bad_forks, "children saw intact memory (%lu forks: mode stock %lu, passthrough %lu, "
	      "perpte %lu, batched %lu; contpte kernel %lu, unfold %lu, block %lu)", cp.forks,
	      cp.by_mode[FORKLAB_MODE_STOCK], cp.by_mode[FORKLAB_MODE_PASSTHROUGH],
	      cp.by_mode[FORKLAB_MODE_PERPTE], cp.by_mode[FORKLAB_MODE_BATCHED],
	      cp.by_policy[FORKLAB_CONTPTE_KERNEL], cp.by_policy[FORKLAB_CONTPTE_UNFOLD],
	      cp.by_policy[FORKLAB_CONTPTE_BLOCK]);
	check(restore_defaults(), "restored mode stock, scope all, contpte kernel");
	/* once our forks are reaped; other tasks of the guest may fork, so wait a little */
	in_flight = settled_stats(dev, 100).in_flight;
	check(!in_flight, "in_flight is 0 once no fork runs (%llu)", (unsigned long long)in_flight);
	return done("fl-ioctl-fuzz");
}
