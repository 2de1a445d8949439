// SPDX-License-Identifier: GPL-2.0
/*
 * 'forklab mode' and 'forklab contpte': show, list or set one of the named
 * settings of struct forklab_config.  Both behave alike; a knob describes
 * where its names, its support mask and its config field are.
 */
#include <string.h>
#include "commands.h"

struct fl_knob {
	const char *cmd;		/* command name, also the JSON key */
	unsigned int count;
	const char *(*name)(unsigned int val);
	const char *(*description)(unsigned int val);
	int (*by_name)(const char *name);
	unsigned int (*supported)(const struct forklab_version *v);
	unsigned int (*live)(const struct forklab_config *c);
	void (*request)(struct forklab_config *c, unsigned int val);
	/* why a value is missing here, for the messages */
	void (*why_unsupported)(char *buf, size_t len, const struct forklab_version *v);
};

static unsigned int fl_modes_supported(const struct forklab_version *v)
{
	return v->modes_supported;
}

static unsigned int fl_live_mode(const struct forklab_config *c)
{
	return c->mode;
}

static void fl_request_mode(struct forklab_config *c, unsigned int val)
{
	c->flags = FORKLAB_CONFIG_SET_MODE;
	c->mode = val;
}

static void fl_mode_why(char *buf, size_t len, const struct forklab_version *v)
{
	/* a module that has its walk sets FEAT_WALK; older ones have all modes */
	if (!(v->features & FORKLAB_FEAT_WALK) && !(v->modes_supported & (1U << FORKLAB_MODE_PERPTE)))
		snprintf(buf, len, "not supported on %s: the module was built without forklab's "
			 "copy walk, which exists for Linux 6.1.y, 6.12.y and 7.3.y only; "
			 "stock and passthrough work", v->release);
	else
		snprintf(buf, len, "not supported on %s %s", v->release, v->machine);
}

static const struct fl_knob fl_mode_knob = {
	"mode", FORKLAB_MODE_COUNT, fl_mode_name, fl_mode_description, fl_mode_by_name,
	fl_modes_supported, fl_live_mode, fl_request_mode, fl_mode_why,
};

static unsigned int fl_contpte_supported(const struct forklab_version *v)
{
	return v->contpte_supported;
}

static unsigned int fl_live_contpte(const struct forklab_config *c)
{
	return c->contpte_policy;
}

static void fl_request_contpte(struct forklab_config *c, unsigned int val)
{
	c->flags = FORKLAB_CONFIG_SET_CONTPTE;
	c->contpte_policy = val;
}

static void fl_contpte_why(char *buf, size_t len, const struct forklab_version *v)
{
	if (!(v->features & FORKLAB_FEAT_WALK) && !(v->modes_supported & (1U << FORKLAB_MODE_PERPTE)) &&
	    !strcmp(v->machine, "aarch64")) {
		snprintf(buf, len, "not supported on %s: the module was built without forklab's "
			 "copy walk (none for this release), whose contpte code the policies "
			 "follow; only 'kernel' is available here", v->release);
		return;
	}
	snprintf(buf, len, "not supported on this kernel (%s %s): contpte policies need "
		 "arm64 with CONFIG_ARM64_CONTPTE; only 'kernel' is available here",
		 v->release, v->machine);
}

static const struct fl_knob fl_contpte_knob = {
	"contpte", FORKLAB_CONTPTE_POLICY_COUNT, fl_contpte_name, fl_contpte_description,
	fl_contpte_by_name, fl_contpte_supported, fl_live_contpte, fl_request_contpte,
	fl_contpte_why,
};

static int fl_knob_list(struct fl_cli *cli, const struct fl_knob *k,
			const struct forklab_version *v, unsigned int live)
{
	unsigned int i, mask = k->supported(v);
	char plural[32];

	if (cli->json) {
		snprintf(plural, sizeof(plural), "%ss", k->cmd);
		fl_json_object_begin(&cli->j, NULL);
		fl_json_string(&cli->j, k->cmd, k->name(live));
		fl_json_array_begin(&cli->j, plural);
		for (i = 0; i < k->count; i++) {
			fl_json_object_begin(&cli->j, NULL);
			fl_json_string(&cli->j, "name", k->name(i));
			fl_json_string(&cli->j, "description", k->description(i));
			fl_json_bool(&cli->j, "supported", mask & (1U << i));
			fl_json_bool(&cli->j, "live", i == live);
			fl_json_object_end(&cli->j);
		}
		fl_json_array_end(&cli->j);
		fl_json_object_end(&cli->j);
		return FL_EXIT_OK;
	}
	for (i = 0; i < k->count; i++)
		fprintf(cli->out, "%c %-12s %s%s\n", i == live ? '*' : ' ', k->name(i),
			k->description(i), mask & (1U << i) ? "" : " [not supported here]");
	if (mask != (1U << k->count) - 1) {
		char why[256];

		k->why_unsupported(why, sizeof(why), v);
		fprintf(cli->out, "(the others are %s)\n", why);
	}
	return FL_EXIT_OK;
}

static int fl_knob_run(struct fl_cli *cli, const struct fl_knob *k, int argc, char **argv)
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
			return fl_fail(cli, FL_EXIT_USAGE, "%s: unknown option '%s'", k->cmd, argv[i]);
		else if (name)
			return fl_fail(cli, FL_EXIT_USAGE, "%s takes one name", k->cmd);
		else
			name = argv[i];
	}
	if (list && name)
		return fl_fail(cli, FL_EXIT_USAGE, "%s: give a NAME or --list, not both", k->cmd);
	if (name) {
		want = k->by_name(name);
		if (want < 0) {
			char names[256] = "";
			unsigned int n;

			for (n = 0; n < k->count; n++) {
				strcat(names, n ? ", " : "");
				strcat(names, k->name(n));
			}
			return fl_fail(cli, FL_EXIT_USAGE, "unknown %s '%s' (choices: %s)", k->cmd,
				       name, names);
		}
	}

	ret = fl_open(cli, &dev, &v);
	if (ret)
		return ret;
	ret = fl_dev_get_config(dev, &c);
	if (ret) {
		fl_dev_close(dev);
		return fl_fail_errno(cli, k->cmd, ret);
	}
	if (!name) {
		fl_dev_close(dev);
		if (list)
			return fl_knob_list(cli, k, &v, k->live(&c));
		if (cli->json) {
			fl_json_object_begin(&cli->j, NULL);
			fl_json_string(&cli->j, k->cmd, k->name(k->live(&c)));
			fl_json_object_end(&cli->j);
		} else {
			fprintf(cli->out, "%s\n", k->name(k->live(&c)));
		}
		return FL_EXIT_OK;
	}
	if (!(k->supported(&v) & (1U << want))) {
		char why[256];

		fl_dev_close(dev);
		k->why_unsupported(why, sizeof(why), &v);
		return fl_fail(cli, FL_EXIT_UNSUPPORTED, "%s '%s' is %s", k->cmd, name, why);
	}
	old = k->live(&c);
	memset(&c, 0, sizeof(c));
	k->request(&c, want);
	ret = fl_dev_set_config(dev, &c);
	fl_dev_close(dev);
	if (ret) {
		char what[32];

		snprintf(what, sizeof(what), "set %s", k->cmd);
		return fl_fail_errno(cli, what, ret);
	}
	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_json_string(&cli->j, k->cmd, k->name(k->live(&c)));
		fl_json_string(&cli->j, "previous", k->name(old));
		fl_json_object_end(&cli->j);
	} else {
		fprintf(cli->out, "%s: %s -> %s\n", k->cmd, k->name(old), k->name(k->live(&c)));
	}
	return FL_EXIT_OK;
}

int fl_cmd_mode(struct fl_cli *cli, int argc, char **argv)
{
	return fl_knob_run(cli, &fl_mode_knob, argc, argv);
}

int fl_cmd_contpte(struct fl_cli *cli, int argc, char **argv)
{
	return fl_knob_run(cli, &fl_contpte_knob, argc, argv);
}
