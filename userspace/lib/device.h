/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's only door to the kernel: /dev/forklab ioctls and module
 * (un)loading.  Every call returns 0 or a negative errno; tests link a fake.
 */
#ifndef FL_DEVICE_H
#define FL_DEVICE_H

#include <stdbool.h>
#include "uapi/forklab.h"

struct fl_dev;

int fl_dev_open(struct fl_dev **dev);
void fl_dev_close(struct fl_dev *dev);
int fl_dev_version(struct fl_dev *dev, struct forklab_version *v);
int fl_dev_get_config(struct fl_dev *dev, struct forklab_config *c);
int fl_dev_set_config(struct fl_dev *dev, struct forklab_config *c);
/* The counters of @mode and of @contpte_policy (see struct forklab_stats). */
int fl_dev_get_stats(struct fl_dev *dev, unsigned int mode, unsigned int contpte_policy,
		     struct forklab_stats *st);
int fl_dev_reset_stats(struct fl_dev *dev);

/* Loads the module file at @path with module parameters @params. */
int fl_sys_load_module(const char *path, const char *params);
/* Unloads the forklab module (never forced). */
int fl_sys_unload_module(void);
/* Whether the forklab module is loaded (from /sys/module). */
bool fl_sys_module_loaded(void);

/* Why ftrace refused one of forklab's hooks (EBUSY), as far as we can see. */
enum fl_ftrace_conflict {
	FL_FTRACE_UNKNOWN,	/* tracefs unreadable, or no other holder listed */
	FL_FTRACE_DISABLED,	/* kernel.ftrace_enabled is 0 */
	FL_FTRACE_HELD,		/* @holder: the other user's enabled_functions line */
};
enum fl_ftrace_conflict fl_sys_ftrace_conflict(char *holder, size_t len);

#endif
