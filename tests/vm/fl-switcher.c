// SPDX-License-Identifier: GPL-2.0
/*
 * Switches forklab's configuration every few milliseconds for a while, for
 * the storm tests: a random scope (all, the pid of one of the given
 * processes, comm prefix "fl-fork" or one nobody has, the root cgroup) every time, a random
 * redirected mode and, where the module has them, a random contpte policy.
 * One change in 32 also registers or unregisters a hook (stock <-> a
 * redirected mode, kernel <-> another policy): that costs the kernel's text
 * patching and RCU-tasks grace periods, tens of milliseconds, so the others
 * keep the rate up.  Every change must succeed.  At the end it puts back stock/all/kernel, waits for the tasks
 * still inside the module to leave, and checks the books: every fork the
 * redirect sent in was counted out by one mode (redirected = sum of calls),
 * none failed, nobody is left in flight.  Speaks TAP.
 * usage: fl-switcher SECONDS INTERVAL_US [PID...]
 */
#include <stdlib.h>
#include "fl-test.h"

#define MAX_PIDS	16

/* A random member of a bit set (bits below 32); the set is never empty. */
static unsigned int pick_bit(unsigned int set, unsigned int *seed)
{
	unsigned int n = __builtin_popcount(set), k = rand_r(seed) % n, bit;

	for (bit = 0; ; bit++)
		if ((set & (1U << bit)) && k-- == 0)
			return bit;
}

/*
 * The next value of a knob whose value 0 (stock, kernel) means "no hook":
 * one time in 32 it crosses between 0 and the hooked values, otherwise it
 * stays on its side.  *hooks counts the crossings.
 */
static unsigned int next_value(unsigned int cur, unsigned int supported, unsigned int *seed,
			       unsigned long *hooks)
{
	unsigned int hooked = supported & ~1U;	/* the values that register a hook */
	int on = cur != 0;

	if (hooked && rand_r(seed) % 32 == 0) {
		on = !on;
		++*hooks;
	}
	return on ? pick_bit(hooked, seed) : 0;
}

static void random_scope(struct forklab_config *c, const pid_t *pids, int npids, unsigned int *seed)
{
	c->scope = rand_r(seed) % FORKLAB_SCOPE_COUNT;
	c->scope_pid = 0;
	c->scope_arg[0] = '\0';
	switch (c->scope) {
	case FORKLAB_SCOPE_PID:
		c->scope_pid = npids ? pids[rand_r(seed) % npids] : (pid_t)getpid();
		break;
	case FORKLAB_SCOPE_COMM:	/* the storm's forkers, or nobody */
		strcpy(c->scope_arg, rand_r(seed) % 2 ? "fl-fork" : "no-such-task");
		break;
	case FORKLAB_SCOPE_CGROUP:
		strcpy(c->scope_arg, "/");
		break;
	}
}

int main(int argc, char **argv)
{
	struct forklab_version v = { .size = sizeof(v) };
	struct forklab_reset r = { .size = sizeof(r) };
	unsigned long switches = 0, failed = 0, hooks = 0;
	unsigned int mode = FORKLAB_MODE_STOCK, policy = FORKLAB_CONTPTE_KERNEL;
	unsigned int seed = 1, interval_us;
	double seconds, end, start;
	pid_t pids[MAX_PIDS];
	int dev, npids = 0;
	char *e;

	if (argc < 3 || argc - 3 > MAX_PIDS) {
		fprintf(stderr, "usage: fl-switcher SECONDS INTERVAL_US [PID...] (at most %d pids)\n", MAX_PIDS);
		return 2;
	}
	seconds = strtod(argv[1], &e);
	if (*e || seconds <= 0)
		return fprintf(stderr, "fl-switcher: SECONDS must be positive\n"), 2;
	interval_us = strtoul(argv[2], &e, 10);
	if (*e)
		return fprintf(stderr, "fl-switcher: INTERVAL_US must be a number\n"), 2;
	for (int i = 3; i < argc; i++)
		pids[npids++] = atoi(argv[i]);

	dev = open(FORKLAB_DEVICE, O_RDWR);
	if (dev < 0 || ioctl(dev, FORKLAB_IOC_VERSION, &v)) {
		perror("fl-switcher: " FORKLAB_DEVICE " (is forklab loaded?)");
		return 1;
	}
	/* the books start now; the storm may already be running in stock */
	if (ioctl(dev, FORKLAB_IOC_RESET_STATS, &r)) {
		perror("fl-switcher: RESET_STATS");
		return 1;
	}

	start = now_seconds();
	end = start + seconds;
	while (now_seconds() < end) {
		struct forklab_config c = { .size = sizeof(c), .flags = FORKLAB_CONFIG_FLAGS };

		c.mode = next_value(mode, v.modes_supported, &seed, &hooks);
		c.contpte_policy = next_value(policy, v.contpte_supported, &seed, &hooks);
		random_scope(&c, pids, npids, &seed);
		if (ioctl(dev, FORKLAB_IOC_SET_CONFIG, &c) == 0) {
			mode = c.mode;
			policy = c.contpte_policy;
		} else {
			if (failed++ < 5)
				fprintf(stderr, "fl-switcher: SET_CONFIG mode %u scope %u policy %u: %s\n",
					c.mode, c.scope, c.contpte_policy, strerror(errno));
		}
		switches++;
		usleep(interval_us);
	}
	seconds = now_seconds() - start;

	check(set_defaults(dev) == 0, "back to stock, scope all, contpte kernel");

	struct forklab_stats st = settled_stats(dev, 500);
	unsigned long long calls = 0, errors = 0;

	for (unsigned int m = 0; m < FORKLAB_MODE_COUNT; m++) {
		struct forklab_stats ms = get_stats(dev, m);

		calls += ms.calls;
		errors += ms.errors;
	}
	check(failed == 0, "%lu configuration changes in %.1f s (one every %.1f ms; %lu registered or "
	      "unregistered a hook), %lu refused", switches, seconds, seconds * 1000 / switches, hooks, failed);
	check(st.in_flight == 0, "no task left inside the module (in_flight %llu)",
	      (unsigned long long)st.in_flight);
	check(st.redirected == calls, "calls in = calls out: %llu redirected, %llu handled by a mode",
	      (unsigned long long)st.redirected, calls);
	check(st.redirected > 0, "the storm went through the module (%llu calls redirected, %llu let through by the scope)",
	      (unsigned long long)st.redirected, (unsigned long long)st.out_of_scope);
	check(errors == 0, "no copy failed (%llu errors)", errors);
	close(dev);
	return done("fl-switcher");
}
