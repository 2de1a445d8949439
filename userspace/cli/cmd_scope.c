// SPDX-License-Identifier: GPL-2.0
/* 'forklab scope': show or set which forks take the experimental path. */
#include <errno.h>
#include <string.h>
#include "commands.h"


#define FL_CGROUP_MOUNT "/sys/fs/cgroup"

/* Fills c's scope fields from the command line; returns an exit code. */
static int fl_scope_parse(struct fl_cli *cli, int argc, char **argv, struct forklab_config *c)
{
	const char *kind = argv[1];
	const char *arg = argc > 2 ? argv[2] : NULL;

	if (!strcmp(kind, "all")) {
		if (argc != 2)
			return fl_fail(cli, FL_EXIT_USAGE, "scope all takes no argument");
		c->scope = FORKLAB_SCOPE_ALL;
		return FL_EXIT_OK;
	}
	if (argc != 3)
		return fl_fail(cli, FL_EXIT_USAGE,
			       "scope %s needs one argument: forklab scope [all | pid PID | comm PREFIX | cgroup PATH]",
			       kind);
	if (!strcmp(kind, "pid")) {
		if (!fl_parse_u32(arg, &c->scope_pid) || c->scope_pid == 0 || c->scope_pid > 4194304)
			return fl_fail(cli, FL_EXIT_USAGE, "scope pid: '%s' is not a process id", arg);
		c->scope = FORKLAB_SCOPE_PID;
		return FL_EXIT_OK;
	}
	if (!strcmp(kind, "comm")) {
		if (!*arg || strlen(arg) > 15)
			return fl_fail(cli, FL_EXIT_USAGE,
				       "scope comm: the prefix must be 1 to 15 characters (the kernel's comm length)");
		c->scope = FORKLAB_SCOPE_COMM;
		strcpy(c->scope_arg, arg);
		return FL_EXIT_OK;
	}
	if (!strcmp(kind, "cgroup")) {
		/* The kernel wants the path below the cgroup2 root. */
		if (!strncmp(arg, FL_CGROUP_MOUNT, strlen(FL_CGROUP_MOUNT)) &&
		    (arg[strlen(FL_CGROUP_MOUNT)] == '/' || !arg[strlen(FL_CGROUP_MOUNT)]))
			arg += strlen(FL_CGROUP_MOUNT);
		if (!*arg)
			arg = "/";
		if (arg[0] != '/' || strlen(arg) >= FORKLAB_SCOPE_ARG_LEN)
			return fl_fail(cli, FL_EXIT_USAGE,
				       "scope cgroup: '%s' is not a cgroup v2 path (absolute, under "
				       FL_CGROUP_MOUNT " or its root, shorter than %d bytes)",
				       argv[2], FORKLAB_SCOPE_ARG_LEN);
		c->scope = FORKLAB_SCOPE_CGROUP;
		strcpy(c->scope_arg, arg);
		return FL_EXIT_OK;
	}
	return fl_fail(cli, FL_EXIT_USAGE, "unknown scope '%s' (all, pid, comm, cgroup)", kind);
}

int fl_cmd_scope(struct fl_cli *cli, int argc, char **argv)
{
	struct forklab_config c;
	struct fl_dev *dev;
	int ret;

	memset(&c, 0, sizeof(c));
	if (argc > 1) {
		ret = fl_scope_parse(cli, argc, argv, &c);
		if (ret)
			return ret;
		c.flags = FORKLAB_CONFIG_SET_SCOPE;
	}
	ret = fl_open(cli, &dev, NULL);
	if (ret)
		return ret;
	ret = argc > 1 ? fl_dev_set_config(dev, &c) : fl_dev_get_config(dev, &c);
	fl_dev_close(dev);
	if (ret == -ENOENT && argc > 1)
		return fl_fail(cli, FL_EXIT_FAILED, "set scope: no cgroup v2 directory '%s'", c.scope_arg);
	if (ret)
		return fl_fail_errno(cli, argc > 1 ? "set scope" : "scope", ret);
	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_print_scope(cli, &c);
		fl_json_object_end(&cli->j);
	} else {
		fprintf(cli->out, "scope: ");
		fl_print_scope(cli, &c);
	}
	return FL_EXIT_OK;
}
