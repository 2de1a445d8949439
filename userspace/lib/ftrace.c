// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel says about ftrace for the functions forklab hooks, for
 * the busy error (device.c) and 'forklab check': one reader of both files.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ftrace.h"

const char *const fl_ftrace_hooked[FL_FTRACE_HOOKED_COUNT] = {
	"copy_page_range", "contpte_wrprotect_ptes", "contpte_get_and_clear_full_ptes",
	"contpte_clear_full_ptes",
};

int fl_ftrace_enabled(const char *root)
{
	char path[512];
	FILE *f;
	int enabled, n;

	snprintf(path, sizeof(path), "%s/proc/sys/kernel/ftrace_enabled", root);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "%d", &enabled);
	fclose(f);
	return n == 1 ? !!enabled : -EIO;
}

/* @s with every run of blanks one space, none at either end. */
static void fl_squeeze(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s && *s != '\n' && n + 1 < len; s++)
		if (!isspace((unsigned char)*s) || (n && out[n - 1] != ' '))
			out[n++] = isspace((unsigned char)*s) ? ' ' : *s;
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/*
 * The handler a line names: "tramp: ADDR (HANDLER)" (x86, one ops on the
 * function), "ops: OPS (HANDLER)" (arm64's call ops), else "->HANDLER";
 * "" when it names none.
 */
static void fl_holder_of(const char *line, char *out, size_t len)
{
	const char *p = strstr(line, "tramp: ");
	const char *end;

	if (!p)
		p = strstr(line, "ops: ");
	if (p && (p = strchr(p, '(')) && (end = strchr(p, ')')))
		snprintf(out, len, "%.*s", (int)(end - p - 1), p + 1);
	else if ((p = strstr(line, "->")))
		fl_squeeze(p + 2, out, len);
	else
		*out = '\0';
	/* several users share the function: the list walker names none of them */
	if (strstr(out, "ops_list_func"))
		*out = '\0';
}

int fl_ftrace_ipmodify_users(const char *root, struct fl_ftrace_user *users, char *path, size_t path_len)
{
	static const char *const files[] = { "/sys/kernel/tracing/enabled_functions",
					     "/sys/kernel/debug/tracing/enabled_functions" };
	char name[512], line[512];
	FILE *f = NULL;
	int found = 0, err = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !f; i++) {
		snprintf(name, sizeof(name), "%s%s", root, files[i]);
		f = fopen(name, "r");
		if (!f && !err)
			err = -errno;	/* the first one's: the one that should be there */
		if (path && (f || !i))
			snprintf(path, path_len, "%s", files[i]);
	}
	if (!f)
		return err;
	while (found < FL_FTRACE_HOOKED_COUNT && fgets(line, sizeof(line), f)) {
		struct fl_ftrace_user *u = &users[found];
		size_t i;

		/* flag I: this function's ip is modified (one such user at most) */
		if (!strstr(line, " I "))
			continue;
		for (i = 0; i < FL_FTRACE_HOOKED_COUNT; i++) {
			size_t n = strlen(fl_ftrace_hooked[i]);

			if (!strncmp(line, fl_ftrace_hooked[i], n) && line[n] == ' ')
				break;
		}
		if (i == FL_FTRACE_HOOKED_COUNT)
			continue;
		u->func = fl_ftrace_hooked[i];
		fl_squeeze(line, u->line, sizeof(u->line));
		fl_holder_of(u->line, u->holder, sizeof(u->holder));
		u->forklab = strstr(line, "[forklab]") != NULL;
		found++;
	}
	fclose(f);
	return found;
}
