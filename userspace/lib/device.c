// SPDX-License-Identifier: GPL-2.0
/*
 * The real device layer: ioctls on /dev/forklab, finit_module and
 * delete_module.  Structs are zeroed and sized here, once.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "device.h"

struct fl_dev {
	int fd;
};

int fl_dev_open(struct fl_dev **dev)
{
	int fd = open(FORKLAB_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	*dev = malloc(sizeof(**dev));
	if (!*dev) {
		close(fd);
		return -ENOMEM;
	}
	(*dev)->fd = fd;
	return 0;
}

void fl_dev_close(struct fl_dev *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

static int fl_ioctl(struct fl_dev *dev, unsigned long cmd, void *arg)
{
	return ioctl(dev->fd, cmd, arg) < 0 ? -errno : 0;
}

int fl_dev_version(struct fl_dev *dev, struct forklab_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return fl_ioctl(dev, FORKLAB_IOC_VERSION, v);
}

int fl_dev_get_config(struct fl_dev *dev, struct forklab_config *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	return fl_ioctl(dev, FORKLAB_IOC_GET_CONFIG, c);
}

/* The caller fills flags and fields; the kernel returns the new config. */
int fl_dev_set_config(struct fl_dev *dev, struct forklab_config *c)
{
	c->size = sizeof(*c);
	return fl_ioctl(dev, FORKLAB_IOC_SET_CONFIG, c);
}

int fl_dev_get_stats(struct fl_dev *dev, unsigned int mode, unsigned int contpte_policy,
		     struct forklab_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->mode = mode;
	st->contpte_policy = contpte_policy;
	return fl_ioctl(dev, FORKLAB_IOC_GET_STATS, st);
}

int fl_dev_reset_stats(struct fl_dev *dev)
{
	struct forklab_reset r = { .size = sizeof(r) };

	return fl_ioctl(dev, FORKLAB_IOC_RESET_STATS, &r);
}

int fl_sys_load_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

int fl_sys_unload_module(void)
{
	return syscall(SYS_delete_module, "forklab", O_NONBLOCK) ? -errno : 0;
}

bool fl_sys_module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/forklab", &st) == 0;
}

enum fl_ftrace_conflict fl_sys_ftrace_conflict(char *holder, size_t len)
{
	/* the functions forklab hooks, as enabled_functions lines start */
	static const char *const hooked[] = { "copy_page_range ", "contpte_wrprotect_ptes ",
					      "contpte_get_and_clear_full_ptes ", "contpte_clear_full_ptes " };
	FILE *f = fopen("/proc/sys/kernel/ftrace_enabled", "r");
	enum fl_ftrace_conflict found = FL_FTRACE_UNKNOWN;
	char line[512];
	int enabled = 1;

	if (f) {
		if (fscanf(f, "%d", &enabled) != 1)
			enabled = 1;
		fclose(f);
	}
	if (!enabled)
		return FL_FTRACE_DISABLED;
	f = fopen("/sys/kernel/tracing/enabled_functions", "r");
	if (!f)
		f = fopen("/sys/kernel/debug/tracing/enabled_functions", "r");
	while (f && found == FL_FTRACE_UNKNOWN && fgets(line, sizeof(line), f)) {
		size_t n = 0;

		/* flag I: modifies the ip; not forklab's own ops */
		if (!strstr(line, " I ") || strstr(line, "[forklab]"))
			continue;
		for (size_t i = 0; i < sizeof(hooked) / sizeof(hooked[0]); i++)
			if (!strncmp(line, hooked[i], strlen(hooked[i])))
				found = FL_FTRACE_HELD;
		if (found != FL_FTRACE_HELD)
			continue;
		/* one line, blanks squeezed, none at the end */
		for (char *c = line; *c && *c != '\n' && n + 1 < len; c++)
			if (!isspace((unsigned char)*c) || (n && holder[n - 1] != ' '))
				holder[n++] = isspace((unsigned char)*c) ? ' ' : *c;
		while (n && holder[n - 1] == ' ')
			n--;
		holder[n] = '\0';
	}
	if (f)
		fclose(f);
	return found;
}
