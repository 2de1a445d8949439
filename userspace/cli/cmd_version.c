// SPDX-License-Identifier: GPL-2.0
/*
 * 'forklab --version': this CLI's version and API and, when the module is
 * loaded, the module's from the handshake, so a mismatch shows at a glance.
 */
#include <errno.h>
#include <string.h>
#include "commands.h"

#ifndef FORKLAB_GIT
#define FORKLAB_GIT "unknown"	/* built without userspace/Makefile */
#endif

int fl_cmd_version(struct fl_cli *cli)
{
	struct forklab_version v;
	struct fl_dev *dev;
	int ret = fl_dev_open(&dev);
	const char *why = NULL;

	if (!ret) {
		ret = fl_dev_version(dev, &v);
		fl_dev_close(dev);
	}
	/* a loaded module whose device we may not open (not root) is not "not loaded" */
	if (ret && fl_sys_module_loaded())
		why = ret == -EACCES || ret == -EPERM ? "reading its version needs root" : strerror(-ret);

	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_json_string(&cli->j, "cli_version", FORKLAB_GIT);
		fl_json_u64(&cli->j, "api_version", FORKLAB_API_VERSION);
		fl_json_object_begin(&cli->j, "module");
		fl_json_bool(&cli->j, "loaded", !ret || why);
		if (!ret) {
			fl_json_string(&cli->j, "version", v.module_version);
			fl_json_u64(&cli->j, "api_version", v.api_version);
			fl_json_string(&cli->j, "release", v.release);
			fl_json_string(&cli->j, "machine", v.machine);
		} else if (why) {
			fl_json_string(&cli->j, "error", why);
		}
		fl_json_object_end(&cli->j);
		fl_json_object_end(&cli->j);
		return FL_EXIT_OK;
	}
	fprintf(cli->out, "forklab CLI %s, API %d\n", FORKLAB_GIT, FORKLAB_API_VERSION);
	if (!ret)
		fprintf(cli->out, "module %s, API %u (%s %s)%s\n", v.module_version, v.api_version,
			v.release, v.machine,
			v.api_version != FORKLAB_API_VERSION ? ": a different API, use the CLI built with it" : "");
	else if (why)
		fprintf(cli->out, "module loaded (%s)\n", why);
	else
		fprintf(cli->out, "module not loaded\n");
	return FL_EXIT_OK;
}
