// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test of the /dev/forklab ioctl contract (include/uapi/forklab.h):
 * handshake, every documented errno on bad input, privilege checks, mode and
 * scope changes, and counters that move with real forks.  Speaks TAP.
 * usage: fl-ioctl-test   (as root, module loaded in mode stock)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fl-test.h"

/* ioctl returning 0 or the errno */
static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static struct forklab_config get_config(int fd)
{
	struct forklab_config c = { .size = sizeof(c) };

	if (xioctl(fd, FORKLAB_IOC_GET_CONFIG, &c))
		perror("GET_CONFIG");
	return c;
}

static int set_config(int fd, struct forklab_config c)
{
	c.size = sizeof(c);
	return xioctl(fd, FORKLAB_IOC_SET_CONFIG, &c);
}

static int same_config(struct forklab_config a, struct forklab_config b)
{
	return a.mode == b.mode && a.scope == b.scope && a.scope_pid == b.scope_pid &&
	       a.contpte_policy == b.contpte_policy && !strcmp(a.scope_arg, b.scope_arg);
}

/* Forks n children that write to a private mapping, exec /bin/true, and exit. */
static int fork_children(int n, int do_exec)
{
	size_t len = 4 << 20;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i, ok = 1;

	if (buf == MAP_FAILED)
		return 0;
	memset(buf, 0x5a, len);
	for (i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return 0;
		if (pid == 0) {
			size_t off;

			for (off = 0; off < len; off += 4096)
				if (buf[off] != 0x5a)
					_exit(3);
			buf[0] = 1;	/* COW break in the child */
			if (do_exec) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(4);
			}
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			ok = 0;
	}
	if (buf[0] != 0x5a)	/* the child's write must not show here */
		ok = 0;
	munmap(buf, len);
	return ok;
}

static void test_version(int fd)
{
	struct forklab_version v = { .size = sizeof(v) };
	struct utsname u;
	int err;

	uname(&u);
	err = xioctl(fd, FORKLAB_IOC_VERSION, &v);
	check(err == 0, "VERSION succeeds (%s)", strerror(err));
	check(v.api_version == FORKLAB_API_VERSION, "VERSION api_version is %d (got %u)",
	      FORKLAB_API_VERSION, v.api_version);
	check(v.size == sizeof(v), "VERSION reports size %zu (got %u)", sizeof(v), v.size);
	check(!strcmp(v.release, u.release), "VERSION release matches uname -r (%s)", v.release);
	check(!strcmp(v.machine, u.machine), "VERSION machine matches uname -m (%s)", v.machine);
	check(v.modes_supported == (1U << FORKLAB_MODE_COUNT) - 1, "every mode is supported here (mask %#x)",
	      v.modes_supported);
	check(v.mode_count == FORKLAB_MODE_COUNT, "mode_count is %d", FORKLAB_MODE_COUNT);
	check(v.features & FORKLAB_FEAT_REDIRECT, "feature redirect is reported");
	/* contpte policies: arm64 with CONFIG_ARM64_CONTPTE (not its -rt kernels) only */
	if (have_contpte()) {
		check(v.contpte_supported == (1U << FORKLAB_CONTPTE_POLICY_COUNT) - 1 &&
		      (v.features & FORKLAB_FEAT_CONTPTE),
		      "contpte kernel: every contpte policy supported (mask %#x), feature contpte reported",
		      v.contpte_supported);
	} else {
		check(v.contpte_supported == 1U << FORKLAB_CONTPTE_KERNEL &&
		      !(v.features & FORKLAB_FEAT_CONTPTE),
		      "%s without contpte: only contpte policy kernel (mask %#x), no feature contpte",
		      u.machine, v.contpte_supported);
	}
	check(v.module_version[0] != 0, "module_version is set (%s)", v.module_version);
}

/* The size/flags/reserved/pointer rules, for every command. */
static void test_struct_rules(int fd)
{
	static const struct {
		const char *name;
		unsigned long cmd;
		size_t size, ver0;
	} cmds[] = {
		{ "VERSION", FORKLAB_IOC_VERSION, sizeof(struct forklab_version), FORKLAB_VERSION_SIZE_VER0 },
		{ "GET_CONFIG", FORKLAB_IOC_GET_CONFIG, sizeof(struct forklab_config), FORKLAB_CONFIG_SIZE_VER0 },
		{ "SET_CONFIG", FORKLAB_IOC_SET_CONFIG, sizeof(struct forklab_config), FORKLAB_CONFIG_SIZE_VER0 },
		{ "GET_STATS", FORKLAB_IOC_GET_STATS, sizeof(struct forklab_stats), FORKLAB_STATS_SIZE_VER0 },
		{ "RESET_STATS", FORKLAB_IOC_RESET_STATS, sizeof(struct forklab_reset), FORKLAB_RESET_SIZE_VER0 },
	};
	unsigned char buf[1024];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		unsigned char *bad_page;

		memset(buf, 0, sizeof(buf));
		*(__u32 *)buf = 0;
		check(xioctl(fd, cmds[i].cmd, buf) == EINVAL, "%s size 0: EINVAL", cmds[i].name);
		*(__u32 *)buf = cmds[i].ver0 - 8;
		check(xioctl(fd, cmds[i].cmd, buf) == EINVAL, "%s size below VER0: EINVAL", cmds[i].name);
		*(__u32 *)buf = cmds[i].size;
		((__u32 *)buf)[1] = 0x80000000u;
		check(xioctl(fd, cmds[i].cmd, buf) == EINVAL, "%s unknown flag: EINVAL", cmds[i].name);
		memset(buf, 0, sizeof(buf));
		*(__u32 *)buf = cmds[i].size;
		buf[cmds[i].size - 1] = 1;	/* last reserved byte */
		check(xioctl(fd, cmds[i].cmd, buf) == EINVAL, "%s reserved field set: EINVAL", cmds[i].name);
		memset(buf, 0, sizeof(buf));
		*(__u32 *)buf = cmds[i].size + 64;
		buf[cmds[i].size + 10] = 1;
		check(xioctl(fd, cmds[i].cmd, buf) == E2BIG, "%s larger struct, non-zero tail: E2BIG",
		      cmds[i].name);
		check(xioctl(fd, cmds[i].cmd, NULL) == EFAULT, "%s NULL pointer: EFAULT", cmds[i].name);
		check(xioctl(fd, cmds[i].cmd, (void *)16) == EFAULT, "%s bad pointer: EFAULT",
		      cmds[i].name);
		/* a struct whose tail crosses into an unmapped page */
		bad_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(bad_page + 4096, 4096);
		*(__u32 *)(bad_page + 4096 - 8) = cmds[i].size;
		check(xioctl(fd, cmds[i].cmd, bad_page + 4096 - 8) == EFAULT,
		      "%s struct running into an unmapped page: EFAULT", cmds[i].name);
		munmap(bad_page, 4096);
	}

	/* output fields must come in zeroed */
	{
		struct forklab_version v = { .size = sizeof(v), .api_version = 1 };

		check(xioctl(fd, FORKLAB_IOC_VERSION, &v) == EINVAL, "VERSION with an output field set: EINVAL");
	}
	/* a change whose result cannot be written back is not made */
	{
		struct forklab_config before = get_config(fd), after;
		struct forklab_config *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		memset(ro, 0, sizeof(*ro));
		ro->size = sizeof(*ro);
		ro->flags = FORKLAB_CONFIG_SET_MODE;
		ro->mode = before.mode == FORKLAB_MODE_PERPTE ? FORKLAB_MODE_BATCHED : FORKLAB_MODE_PERPTE;
		mprotect(ro, 4096, PROT_READ);
		check(xioctl(fd, FORKLAB_IOC_SET_CONFIG, ro) == EFAULT, "SET_CONFIG from a read-only page: EFAULT");
		after = get_config(fd);
		check(same_config(before, after), "  ... and the mode stays %u (got %u)", before.mode, after.mode);
		munmap(ro, 4096);
	}
	/* a larger struct with a zero tail is accepted; size says what was filled */
	{
		struct { struct forklab_version v; unsigned char tail[64]; } big;

		memset(&big, 0, sizeof(big));
		big.v.size = sizeof(big);
		check(xioctl(fd, FORKLAB_IOC_VERSION, &big) == 0 && big.v.size == sizeof(big.v),
		      "VERSION larger struct, zero tail: accepted, size %u", big.v.size);
	}
	/* a caller built against the first stats layout still gets its part */
	{
		unsigned char old[FORKLAB_STATS_SIZE_VER0 + 8];

		memset(old, 0xee, sizeof(old));
		memset(old, 0, FORKLAB_STATS_SIZE_VER0);
		*(__u32 *)old = FORKLAB_STATS_SIZE_VER0;
		check(xioctl(fd, FORKLAB_IOC_GET_STATS, old) == 0 && *(__u32 *)old == FORKLAB_STATS_SIZE_VER0 &&
		      old[FORKLAB_STATS_SIZE_VER0] == 0xee,
		      "GET_STATS with the VER0 size: filled up to VER0, nothing written past it");
	}
	/* a caller built against the VER1 header used another command number */
	{
		unsigned char old[FORKLAB_STATS_SIZE_VER1 + 8];

		memset(old, 0xee, sizeof(old));
		memset(old, 0, FORKLAB_STATS_SIZE_VER1);
		*(__u32 *)old = FORKLAB_STATS_SIZE_VER1;
		check(xioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, FORKLAB_IOC_MAGIC, 0x03,
				      FORKLAB_STATS_SIZE_VER1), old) == 0 &&
		      *(__u32 *)old == FORKLAB_STATS_SIZE_VER1 && old[FORKLAB_STATS_SIZE_VER1] == 0xee,
		      "GET_STATS under the VER1 command number: filled up to VER1");
	}
	check(xioctl(fd, _IOWR(FORKLAB_IOC_MAGIC, 0x7f, struct forklab_version), buf) == ENOTTY,
	      "unknown command number: ENOTTY");
	check(xioctl(fd, _IOWR('x', 0x00, struct forklab_version), buf) == ENOTTY,
	      "foreign ioctl magic: ENOTTY");
	check(xioctl(fd, _IOR(FORKLAB_IOC_MAGIC, 0x00, struct forklab_version), buf) == ENOTTY,
	      "VERSION number with the wrong direction: ENOTTY");
}

static void test_config_errors(int fd)
{
	struct forklab_config before = get_config(fd), c;
	struct forklab_stats st = { .size = sizeof(st), .mode = FORKLAB_MODE_COUNT };

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mode = 1;
	check(xioctl(fd, FORKLAB_IOC_GET_CONFIG, &c) == EINVAL, "GET_CONFIG with input fields set: EINVAL");

#define BAD_SET(expect, desc, ...) do {						\
		struct forklab_config bad = { __VA_ARGS__ };			\
		int e = set_config(fd, bad);					\
		check(e == (expect), "SET_CONFIG %s: %s (got %s)", desc,	\
		      strerror(expect), strerror(e));				\
		check(same_config(get_config(fd), before), "  ... configuration unchanged"); \
	} while (0)

	BAD_SET(EINVAL, "unknown mode", .flags = FORKLAB_CONFIG_SET_MODE, .mode = FORKLAB_MODE_COUNT);
	BAD_SET(EINVAL, "mode 0xffffffff", .flags = FORKLAB_CONFIG_SET_MODE, .mode = 0xffffffffu);
	BAD_SET(EINVAL, "unknown scope", .flags = FORKLAB_CONFIG_SET_SCOPE, .scope = 99);
	BAD_SET(EINVAL, "scope pid 0", .flags = FORKLAB_CONFIG_SET_SCOPE, .scope = FORKLAB_SCOPE_PID);
	BAD_SET(EINVAL, "scope pid with an argument", .flags = FORKLAB_CONFIG_SET_SCOPE,
		.scope = FORKLAB_SCOPE_PID, .scope_pid = 1, .scope_arg = "x");
	BAD_SET(EINVAL, "scope comm empty", .flags = FORKLAB_CONFIG_SET_SCOPE, .scope = FORKLAB_SCOPE_COMM);
	BAD_SET(EINVAL, "scope comm of 16 chars", .flags = FORKLAB_CONFIG_SET_SCOPE,
		.scope = FORKLAB_SCOPE_COMM, .scope_arg = "0123456789abcdef");
	BAD_SET(EINVAL, "scope all with a pid", .flags = FORKLAB_CONFIG_SET_SCOPE,
		.scope = FORKLAB_SCOPE_ALL, .scope_pid = 5);
	BAD_SET(EINVAL, "scope cgroup relative path", .flags = FORKLAB_CONFIG_SET_SCOPE,
		.scope = FORKLAB_SCOPE_CGROUP, .scope_arg = "relative");
	BAD_SET(ENOENT, "scope cgroup that does not exist", .flags = FORKLAB_CONFIG_SET_SCOPE,
		.scope = FORKLAB_SCOPE_CGROUP, .scope_arg = "/no-such-cgroup");
	BAD_SET(EINVAL, "scope good, mode bad (nothing applied)",
		.flags = FORKLAB_CONFIG_SET_SCOPE | FORKLAB_CONFIG_SET_MODE,
		.scope = FORKLAB_SCOPE_PID, .scope_pid = 1, .mode = 77);
	BAD_SET(EINVAL, "reserved[0] set", .flags = FORKLAB_CONFIG_SET_MODE, .reserved = { 1 });
	BAD_SET(EINVAL, "unknown contpte policy", .flags = FORKLAB_CONFIG_SET_CONTPTE,
		.contpte_policy = FORKLAB_CONTPTE_POLICY_COUNT);
	BAD_SET(EINVAL, "contpte good, mode bad (nothing applied)",
		.flags = FORKLAB_CONFIG_SET_CONTPTE | FORKLAB_CONFIG_SET_MODE,
		.contpte_policy = FORKLAB_CONTPTE_KERNEL, .mode = 77);
	if (!have_contpte()) {
		BAD_SET(EOPNOTSUPP, "contpte unfold where there is no contpte",
			.flags = FORKLAB_CONFIG_SET_CONTPTE,
			.contpte_policy = FORKLAB_CONTPTE_UNFOLD);
		BAD_SET(EOPNOTSUPP, "contpte block where there is no contpte",
			.flags = FORKLAB_CONFIG_SET_CONTPTE | FORKLAB_CONFIG_SET_MODE,
			.contpte_policy = FORKLAB_CONTPTE_BLOCK, .mode = FORKLAB_MODE_BATCHED);
		check(set_config(fd, (struct forklab_config){ .flags = FORKLAB_CONFIG_SET_CONTPTE,
			.contpte_policy = FORKLAB_CONTPTE_KERNEL }) == 0,
		      "SET_CONFIG contpte kernel: accepted everywhere");
	}
	c = (struct forklab_config){ .size = sizeof(c), .contpte_policy = 1 };
	check(xioctl(fd, FORKLAB_IOC_GET_CONFIG, &c) == EINVAL,
	      "GET_CONFIG with contpte_policy set on input: EINVAL");
	{
		struct forklab_config bad = { .flags = FORKLAB_CONFIG_SET_SCOPE, .scope = FORKLAB_SCOPE_COMM };

		memset(bad.scope_arg, 'a', sizeof(bad.scope_arg));	/* no NUL */
		check(set_config(fd, bad) == EINVAL, "SET_CONFIG scope_arg without NUL: EINVAL");
		check(same_config(get_config(fd), before), "  ... configuration unchanged");
	}
	check(xioctl(fd, FORKLAB_IOC_GET_STATS, &st) == EINVAL, "GET_STATS unknown mode: EINVAL");
	st = (struct forklab_stats){ .size = sizeof(st), .contpte_policy = FORKLAB_CONTPTE_POLICY_COUNT };
	check(xioctl(fd, FORKLAB_IOC_GET_STATS, &st) == EINVAL, "GET_STATS unknown contpte policy: EINVAL");
}

static void test_modes_and_counters(int fd)
{
	struct forklab_config c;
	struct forklab_stats g0, g1, p0, p1;
	struct forklab_reset r = { .size = sizeof(r) };
	char comm[16];
	int b;
	__u64 sum = 0;

	check(xioctl(fd, FORKLAB_IOC_RESET_STATS, &r) == 0, "RESET_STATS succeeds");
	g0 = get_stats(fd, FORKLAB_MODE_STOCK);
	check(g0.redirected == 0 && g0.calls == 0, "counters are zero after reset");

	check(fork_children(20, 1), "stock: 20 forks with exec, memory checked");
	g1 = get_stats(fd, FORKLAB_MODE_STOCK);
	check(g1.redirected == 0, "stock: no fork redirected (got %llu)", (unsigned long long)g1.redirected);

	c = (struct forklab_config){ .flags = FORKLAB_CONFIG_SET_MODE, .mode = FORKLAB_MODE_PASSTHROUGH };
	c.size = sizeof(c);
	check(xioctl(fd, FORKLAB_IOC_SET_CONFIG, &c) == 0 && c.mode == FORKLAB_MODE_PASSTHROUGH,
	      "SET_CONFIG passthrough succeeds and returns the new config");
	check(get_config(fd).mode == FORKLAB_MODE_PASSTHROUGH, "GET_CONFIG shows passthrough");
	p0 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(fork_children(20, 1), "passthrough: 20 forks with exec, memory checked");
	check(fork_children(20, 0), "passthrough: 20 forks without exec, memory checked");
	p1 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	/* each fork copies every VMA: at least one call per fork */
	check(p1.redirected - p0.redirected >= 40, "passthrough: >= 40 redirected (got %llu)",
	      (unsigned long long)(p1.redirected - p0.redirected));
	check(p1.calls - p0.calls == p1.redirected - p0.redirected,
	      "passthrough: calls in = calls out (%llu)", (unsigned long long)(p1.calls - p0.calls));
	check(p1.errors == 0, "passthrough: no copy errors");
	check(p1.in_flight == 0, "in_flight back to 0");
	for (b = 0; b < FORKLAB_HIST_BUCKETS; b++)
		sum += p1.time_hist[b];
	check(sum == p1.calls, "latency histogram holds every call (%llu)", (unsigned long long)sum);
	check(p1.time_ns > 0, "time spent is counted (%llu ns)", (unsigned long long)p1.time_ns);
	check(p1.registrations >= 1, "the redirect was registered (%llu)", (unsigned long long)p1.registrations);

	/* scope: a pid that is not ours sends our forks down the kernel's path */
	c = (struct forklab_config){ .flags = FORKLAB_CONFIG_SET_SCOPE, .scope = FORKLAB_SCOPE_PID,
				     .scope_pid = 1 };
	check(set_config(fd, c) == 0, "scope pid 1 accepted");
	p0 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(fork_children(10, 0), "scope pid 1: 10 forks");
	p1 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(p1.redirected == p0.redirected && p1.out_of_scope - p0.out_of_scope >= 10,
	      "scope pid 1: our forks stay out of scope (+%llu out of scope, +%llu redirected)",
	      (unsigned long long)(p1.out_of_scope - p0.out_of_scope),
	      (unsigned long long)(p1.redirected - p0.redirected));

	c.scope_pid = getpid();
	check(set_config(fd, c) == 0, "scope pid self accepted");
	p0 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(fork_children(10, 0), "scope pid self: 10 forks");
	p1 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(p1.redirected - p0.redirected >= 10, "scope pid self: our forks redirected (+%llu)",
	      (unsigned long long)(p1.redirected - p0.redirected));

	prctl(PR_GET_NAME, comm);
	c = (struct forklab_config){ .flags = FORKLAB_CONFIG_SET_SCOPE, .scope = FORKLAB_SCOPE_COMM };
	memcpy(c.scope_arg, comm, 3);	/* a 3-character prefix of our comm */
	check(set_config(fd, c) == 0, "scope comm '%s' accepted", c.scope_arg);
	p0 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(fork_children(10, 0), "scope comm: 10 forks");
	p1 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(p1.redirected - p0.redirected >= 10, "scope comm prefix: our forks redirected (+%llu)",
	      (unsigned long long)(p1.redirected - p0.redirected));
	strcpy(c.scope_arg, "zz-not-us");
	check(set_config(fd, c) == 0, "scope comm 'zz-not-us' accepted");
	p0 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(fork_children(10, 0), "scope other comm: 10 forks");
	p1 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(p1.redirected == p0.redirected, "scope other comm: nothing redirected");

	c = (struct forklab_config){ .flags = FORKLAB_CONFIG_SET_SCOPE, .scope = FORKLAB_SCOPE_CGROUP,
				     .scope_arg = "/" };
	check(set_config(fd, c) == 0, "scope cgroup / accepted");
	p0 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(fork_children(10, 0), "scope cgroup /: 10 forks");
	p1 = get_stats(fd, FORKLAB_MODE_PASSTHROUGH);
	check(p1.redirected - p0.redirected >= 10, "scope cgroup /: our forks redirected (+%llu)",
	      (unsigned long long)(p1.redirected - p0.redirected));
	c = get_config(fd);
	check(c.scope == FORKLAB_SCOPE_CGROUP && !strcmp(c.scope_arg, "/"), "GET_CONFIG shows cgroup /");

	c = (struct forklab_config){ .flags = FORKLAB_CONFIG_SET_SCOPE | FORKLAB_CONFIG_SET_MODE,
				     .scope = FORKLAB_SCOPE_ALL, .mode = FORKLAB_MODE_STOCK };
	check(set_config(fd, c) == 0, "scope all + mode stock in one call");
	c = get_config(fd);
	check(c.mode == FORKLAB_MODE_STOCK && c.scope == FORKLAB_SCOPE_ALL, "back to stock, scope all");
	g0 = get_stats(fd, FORKLAB_MODE_STOCK);
	check(fork_children(10, 1), "stock again: 10 forks");
	g1 = get_stats(fd, FORKLAB_MODE_STOCK);
	check(g1.redirected == g0.redirected, "stock again: nothing redirected");
}

/* A caller without CAP_SYS_ADMIN: may open read-only and read, may not change. */
static void test_unprivileged(void)
{
	struct stat st;
	int status, pipefd[2];
	pid_t pid;
	char res[8] = "";
	int stat_ok;

	memset(&st, 0, sizeof(st));
	stat_ok = stat(FORKLAB_DEVICE, &st) == 0;
	check(stat_ok && S_ISCHR(st.st_mode) && (st.st_mode & 0777) == 0644 &&
	      st.st_uid == 0, "%s is a root-owned character device, mode 0644 (%o)",
	      FORKLAB_DEVICE, st.st_mode & 0777);
	if (pipe(pipefd))
		return;
	pid = fork();
	if (pid == 0) {
		int fd;
		struct forklab_config c = { .size = sizeof(c), .flags = FORKLAB_CONFIG_SET_MODE,
					    .mode = FORKLAB_MODE_PASSTHROUGH };
		struct forklab_reset r = { .size = sizeof(r) };
		struct forklab_version v = { .size = sizeof(v) };
		struct forklab_config g = { .size = sizeof(g) };

		if (setgid(65534) || setuid(65534))
			_exit(9);
		fd = open(FORKLAB_DEVICE, O_RDWR);
		res[0] = fd < 0 && errno == EACCES ? 'W' : 'w';
		fd = open(FORKLAB_DEVICE, O_RDONLY);
		if (fd < 0)
			_exit(8);
		res[1] = xioctl(fd, FORKLAB_IOC_VERSION, &v) == 0 ? 'V' : 'v';
		res[2] = xioctl(fd, FORKLAB_IOC_GET_CONFIG, &g) == 0 ? 'G' : 'g';
		res[3] = xioctl(fd, FORKLAB_IOC_SET_CONFIG, &c) == EPERM ? 'S' : 's';
		res[4] = xioctl(fd, FORKLAB_IOC_RESET_STATS, &r) == EPERM ? 'R' : 'r';
		_exit(0 * write(pipefd[1], res, 5));
	}
	waitpid(pid, &status, 0);
	memset(res, 0, sizeof(res));
	if (read(pipefd[0], res, 5) != 5)
		strcpy(res, "?????");
	check(res[0] == 'W', "an unprivileged open for writing fails with EACCES");
	check(res[1] == 'V', "unprivileged VERSION allowed (read-only open)");
	check(res[2] == 'G', "unprivileged GET_CONFIG allowed");
	check(res[3] == 'S', "unprivileged SET_CONFIG: EPERM");
	check(res[4] == 'R', "unprivileged RESET_STATS: EPERM");
	close(pipefd[0]);
	close(pipefd[1]);
}

int main(void)
{
	int fd = open(FORKLAB_DEVICE, O_RDWR);

	if (fd < 0) {
		printf("1..0 # SKIP cannot open %s: %s\n", FORKLAB_DEVICE, strerror(errno));
		return 1;
	}
	test_version(fd);
	test_struct_rules(fd);
	test_config_errors(fd);
	test_modes_and_counters(fd);
	test_unprivileged();
	check(get_config(fd).mode == FORKLAB_MODE_STOCK, "unprivileged attempts changed nothing");
	close(fd);
	return done("fl-ioctl-test");
}
