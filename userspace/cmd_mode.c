// SPDX-License-Identifier: GPL-2.0
/* 'forklab mode': show, list or set the copy mode. */
#include <string.h>
#include "cli.h"

static int fl_mode_list(struct fl_cli *cli, const struct forklab_version *v, unsigned int live)
{
	unsigned int m;

	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_json_string(&cli->j, "mode", fl_mode_name(live));
		fl_json_array_begin(&cli->j, "modes");
		for (m = 0; m < FORKLAB_MODE_COUNT; m++) {
			fl_json_object_begin(&cli->j, NULL);
			fl_json_string(&cli->j, "name", fl_mode_name(m));
			fl_json_string(&cli->j, "description", fl_mode_description(m));
			fl_json_bool(&cli->j, "supported", v->modes_supported & (1U << m));
			fl_json_bool(&cli->j, "live", m == live);
			fl_json_object_end(&cli->j);
		}
		fl_json_array_end(&cli->j);
		fl_json_object_end(&cli->j);
		return FL_EXIT_OK;
	}
	for (m = 0; m < FORKLAB_MODE_COUNT; m++)
		fprintf(cli->out, "%c %-12s %s%s\n", m == live ? '*' : ' ', fl_mode_name(m),
			fl_mode_description(m),
			v->modes_supported & (1U << m) ? "" : " [not supported here]");
	return FL_EXIT_OK;
}

int fl_cmd_mode(struct fl_cli *cli, int argc, char **argv)
{
	struct forklab_version v;
	struct forklab_config c;
	struct fl_dev *dev;
	bool list = false;
	const char *name = NULL;
	int i, ret, want = -1;
	unsigned int old;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list") || !strcmp(argv[i], "-l"))
			list = true;
		else if (argv[i][0] == '-')
			return fl_fail(cli, FL_EXIT_USAGE, "mode: unknown option '%s'", argv[i]);
		else if (name)
			return fl_fail(cli, FL_EXIT_USAGE, "mode takes one mode name");
		else
			name = argv[i];
	}
	if (list && name)
		return fl_fail(cli, FL_EXIT_USAGE, "mode: give a NAME or --list, not both");
	if (name) {
		want = fl_mode_by_name(name);
		if (want < 0) {
			char names[256] = "";
			unsigned int m;

			for (m = 0; m < FORKLAB_MODE_COUNT; m++) {
				strcat(names, m ? ", " : "");
				strcat(names, fl_mode_name(m));
			}
			return fl_fail(cli, FL_EXIT_USAGE, "unknown mode '%s' (modes: %s)", name, names);
		}
	}

	ret = fl_open(cli, &dev);
	if (ret)
		return ret;
	ret = fl_dev_version(dev, &v);
	if (!ret)
		ret = fl_dev_get_config(dev, &c);
	if (ret) {
		fl_dev_close(dev);
		return fl_fail_errno(cli, "mode", ret);
	}
	if (!name) {
		fl_dev_close(dev);
		if (list)
			return fl_mode_list(cli, &v, c.mode);
		if (cli->json) {
			fl_json_object_begin(&cli->j, NULL);
			fl_json_string(&cli->j, "mode", fl_mode_name(c.mode));
			fl_json_object_end(&cli->j);
		} else {
			fprintf(cli->out, "%s\n", fl_mode_name(c.mode));
		}
		return FL_EXIT_OK;
	}
	if (!(v.modes_supported & (1U << want))) {
		fl_dev_close(dev);
		return fl_fail(cli, FL_EXIT_UNSUPPORTED, "mode '%s' is not supported on %s %s",
			       name, v.release, v.machine);
	}
	old = c.mode;
	memset(&c, 0, sizeof(c));
	c.flags = FORKLAB_CONFIG_SET_MODE;
	c.mode = want;
	ret = fl_dev_set_config(dev, &c);
	fl_dev_close(dev);
	if (ret)
		return fl_fail_errno(cli, "set mode", ret);
	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_json_string(&cli->j, "mode", fl_mode_name(c.mode));
		fl_json_string(&cli->j, "previous", fl_mode_name(old));
		fl_json_object_end(&cli->j);
	} else {
		fprintf(cli->out, "mode: %s -> %s\n", fl_mode_name(old), fl_mode_name(c.mode));
	}
	return FL_EXIT_OK;
}
