/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel says about ftrace for the functions forklab hooks:
 * kernel.ftrace_enabled and the IPMODIFY users listed in enabled_functions.
 * Files are read under a root ("" for this machine; tests pass a fake tree).
 */
#ifndef FL_FTRACE_H
#define FL_FTRACE_H

#include <stdbool.h>
#include <stddef.h>

/* copy_page_range, and arm64's contpte helpers (module/contpte_hook.c) */
#define FL_FTRACE_HOOKED_COUNT	4
extern const char *const fl_ftrace_hooked[FL_FTRACE_HOOKED_COUNT];

/* kernel.ftrace_enabled: 1 or 0, or a negative errno when unreadable. */
int fl_ftrace_enabled(const char *root);

/* One function forklab hooks that an IPMODIFY ftrace user holds. */
struct fl_ftrace_user {
	const char *func;	/* one of fl_ftrace_hooked */
	char line[200];		/* its enabled_functions line, blanks squeezed */
	char holder[120];	/* the holder's handler as the line names it, or "" */
	bool forklab;		/* the line names forklab's own ops */
};

/*
 * Reads enabled_functions (tracefs at /sys/kernel/tracing, else under
 * debugfs) into @users, at most one per hooked function.  Returns how many
 * it found, or a negative errno when neither file can be read; @path gets
 * the file read (or the first tried) unless it is NULL.
 */
int fl_ftrace_ipmodify_users(const char *root, struct fl_ftrace_user *users, char *path, size_t path_len);

#endif
