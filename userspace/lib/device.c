// SPDX-License-Identifier: GPL-2.0
/*
 * The real device layer: ioctls on /dev/forklab, finit_module and
 * delete_module.  Structs are zeroed and sized here, once.
 */
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
#include "ftrace.h"

struct fl_dev {
	int fd;
};

int fl_dev_open(struct fl_dev **dev)
{
	/* read-only is enough: the module checks CAP_SYS_ADMIN for changes */
	int fd = open(FORKLAB_DEVICE, O_RDONLY | O_CLOEXEC);

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

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4	/* Linux 5.17, with CONFIG_MODULE_DECOMPRESS */
#endif

int fl_sys_load_module(const char *path, const char *params)
{
	const char *dot = strrchr(path, '.');
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int flags = 0, ret;

	if (fd < 0)
		return -errno;
	/* forklab.ko.xz as 'make install' leaves it where the kernel compresses modules */
	if (dot && (!strcmp(dot, ".xz") || !strcmp(dot, ".zst") || !strcmp(dot, ".gz")))
		flags |= MODULE_INIT_COMPRESSED_FILE;
	ret = syscall(SYS_finit_module, fd, params, flags) ? -errno : 0;
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
	struct fl_ftrace_user users[FL_FTRACE_HOOKED_COUNT];
	int n;

	if (fl_ftrace_enabled("") == 0)
		return FL_FTRACE_DISABLED;
	n = fl_ftrace_ipmodify_users("", users, NULL, 0);
	for (int i = 0; i < n; i++) {
		if (users[i].forklab)
			continue;
		snprintf(holder, len, "%s", users[i].line);
		return FL_FTRACE_HELD;
	}
	return FL_FTRACE_UNKNOWN;
}
