// SPDX-License-Identifier: GPL-2.0
/*
 * A SET_CONFIG that fails leaves the configuration as it was, for
 * t-config-fail.sh, which loads tests/kmod/fl_ipmodify_user first with kind=ftrace
 * (it holds copy_page_range, so every mode with a redirect fails with EBUSY)
 * and lurk=contpte_wrprotect_ptes (a thread that takes that contpte helper
 * the moment nobody holds it).  arm64 with CONFIG_ARM64_CONTPTE only:
 * contpte policies exist nowhere else.
 *
 * The case that broke: policy unfold (forklab holds the contpte helpers),
 * then one request for policy kernel and mode passthrough.  Tearing the
 * hooks down for "kernel" first and, when the mode failed, registering them
 * again lost them to the lurker, and the policy ended as kernel.  A correct
 * change never lets go of the old state before the new one is in place, so
 * the lurker never gets anything.  Also: a failed request for another
 * policy of the same hooks, and one from kernel that had to register them
 * (with the lurker: it fails there; "undo", with fl_ipmodify_user loaded
 * without lurk=: the hooks register, the mode fails, and they must go again).
 *
 * usage: fl-config-fail lurk [ATTEMPTS] | undo   (default 20 attempts; TAP)
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "fl-test.h"

#define LURK_GOT	"/sys/module/fl_ipmodify_user/parameters/lurk_got"

static int dev;
static const char *modes[] = { "stock", "passthrough", "perpte", "batched" };
static const char *policies[] = { "kernel", "unfold", "block" };

static int lurk_got(void)
{
	char c = '?';
	int fd = open(LURK_GOT, O_RDONLY);

	if (fd >= 0 && read(fd, &c, 1) != 1)
		c = '?';
	if (fd >= 0)
		close(fd);
	return c == '1' ? 1 : c == '0' ? 0 : -1;
}

/* One request for mode and policy at once; 0 or the errno. */
static int set_both(unsigned int mode, unsigned int policy)
{
	struct forklab_config c = { .size = sizeof(c), .mode = mode, .contpte_policy = policy,
				    .flags = FORKLAB_CONFIG_SET_MODE | FORKLAB_CONFIG_SET_CONTPTE };

	return ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c) ? errno : 0;
}

static struct forklab_config get(void)
{
	struct forklab_config c = { .size = sizeof(c) };

	if (ioctl(dev, FORKLAB_IOC_GET_CONFIG, &c))
		perror("GET_CONFIG");
	return c;
}

/*
 * From (@mode0, @pol0), @attempts requests for (@mode, @pol) that must fail
 * with EBUSY and leave (@mode0, @pol0); the first deviation is reported.
 */
static void refused(unsigned int mode0, unsigned int pol0, unsigned int mode, unsigned int pol,
		    int attempts)
{
	int i, err = 0;
	struct forklab_config c = get();

	for (i = 0; i < attempts; i++) {
		err = set_both(mode, pol);
		c = get();
		if (err != EBUSY || c.mode != mode0 || c.contpte_policy != pol0)
			break;
		usleep(2000);
	}
	check(i == attempts,
	      "from %s/%s, %d requests for %s/%s fail with EBUSY and leave %s/%s (attempt %d: %s, "
	      "then %s/%s)", modes[mode0], policies[pol0], attempts, modes[mode], policies[pol],
	      modes[mode0], policies[pol0], i + 1, err ? strerror(err) : "no error",
	      modes[c.mode % 4], policies[c.contpte_policy % 3]);
}

/* Forklab's contpte hooks in enabled_functions (the lurker's would count too). */
static int contpte_hooks(void)
{
	FILE *f = fopen("/sys/kernel/tracing/enabled_functions", "r");
	char line[512];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += !strncmp(line, "contpte_", 8);
	if (f)
		fclose(f);
	return f ? n : -1;
}

/* From stock/kernel: the hooks register, the mode fails, the hooks must go. */
static int undo_case(void)
{
	refused(FORKLAB_MODE_STOCK, FORKLAB_CONTPTE_KERNEL,
		FORKLAB_MODE_PASSTHROUGH, FORKLAB_CONTPTE_UNFOLD, 5);
	check(contpte_hooks() == 0, "no contpte hook left behind by the failed requests (%d)",
	      contpte_hooks());
	set_defaults(dev);
	return done("fl-config-fail");
}

int main(int argc, char **argv)
{
	int attempts = argc > 2 ? atoi(argv[2]) : 20, r;

	if (!have_contpte()) {
		check(1, "# SKIP no contpte helpers in this kernel: contpte policies need arm64 "
		      "with CONFIG_ARM64_CONTPTE");
		return done("fl-config-fail");
	}
	dev = open("/dev/forklab", O_RDWR);
	if (argc > 1 && !strcmp(argv[1], "undo") && dev >= 0)
		return undo_case();
	if (argc < 2 || strcmp(argv[1], "lurk") || dev < 0 || lurk_got() < 0) {
		check(0, "needs /dev/forklab and fl_ipmodify_user with lurk= (%s)", LURK_GOT);
		return done("fl-config-fail");
	}
	r = set_both(FORKLAB_MODE_STOCK, FORKLAB_CONTPTE_UNFOLD);
	usleep(20000);
	check(r == 0 && lurk_got() == 0,
	      "stock/unfold set (%s); the lurker cannot take the helper forklab holds",
	      r ? strerror(r) : "ok");

	/* the case that broke: the hooks must never be let go */
	refused(FORKLAB_MODE_STOCK, FORKLAB_CONTPTE_UNFOLD,
		FORKLAB_MODE_PASSTHROUGH, FORKLAB_CONTPTE_KERNEL, attempts);
	check(lurk_got() == 0, "the lurker never got the contpte helper: forklab never let go of it");
	/* same hooks, another policy: the policy variable comes back */
	refused(FORKLAB_MODE_STOCK, FORKLAB_CONTPTE_UNFOLD,
		FORKLAB_MODE_BATCHED, FORKLAB_CONTPTE_BLOCK, attempts);
	r = set_both(FORKLAB_MODE_STOCK, FORKLAB_CONTPTE_BLOCK);
	check(r == 0 && get().contpte_policy == FORKLAB_CONTPTE_BLOCK, "stock/block set (%s)",
	      r ? strerror(r) : "ok");
	refused(FORKLAB_MODE_STOCK, FORKLAB_CONTPTE_BLOCK,
		FORKLAB_MODE_PERPTE, FORKLAB_CONTPTE_UNFOLD, attempts);

	/* from kernel: the hooks this request registered go again */
	r = set_both(FORKLAB_MODE_STOCK, FORKLAB_CONTPTE_KERNEL);
	usleep(20000);
	check(r == 0 && lurk_got() == 1,
	      "stock/kernel set (%s): the hooks are gone, the lurker took the helper (%d)",
	      r ? strerror(r) : "ok", lurk_got());
	refused(FORKLAB_MODE_STOCK, FORKLAB_CONTPTE_KERNEL,
		FORKLAB_MODE_PASSTHROUGH, FORKLAB_CONTPTE_UNFOLD, 1);
	set_defaults(dev);
	return done("fl-config-fail");
}
