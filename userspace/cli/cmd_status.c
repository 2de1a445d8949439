// SPDX-License-Identifier: GPL-2.0
/* 'forklab status': the handshake, the live configuration and fork counters. */
#include <string.h>
#include "commands.h"


void fl_print_scope(struct fl_cli *cli, const struct forklab_config *c)
{
	if (cli->json) {
		fl_json_object_begin(&cli->j, "scope");
		fl_json_string(&cli->j, "kind", fl_scope_name(c->scope));
		if (c->scope == FORKLAB_SCOPE_PID)
			fl_json_u64(&cli->j, "pid", c->scope_pid);
		else if (c->scope != FORKLAB_SCOPE_ALL)
			fl_json_string(&cli->j, "arg", c->scope_arg);
		fl_json_object_end(&cli->j);
		return;
	}
	fprintf(cli->out, "%s", fl_scope_name(c->scope));
	if (c->scope == FORKLAB_SCOPE_PID)
		fprintf(cli->out, " %u", c->scope_pid);
	else if (c->scope != FORKLAB_SCOPE_ALL)
		fprintf(cli->out, " %s", c->scope_arg);
	fprintf(cli->out, "\n");
}

int fl_cmd_status(struct fl_cli *cli, int argc, char **argv)
{
	struct forklab_version v;
	struct forklab_config c;
	struct forklab_stats st;
	struct fl_dev *dev;
	unsigned int m;
	int ret;

	(void)argv;
	if (argc > 1)
		return fl_fail(cli, FL_EXIT_USAGE, "status takes no arguments");
	ret = fl_open(cli, &dev, &v);
	if (ret)
		return ret;
	ret = fl_dev_get_config(dev, &c);
	if (!ret)
		ret = fl_dev_get_stats(dev, c.mode, FORKLAB_CONTPTE_KERNEL, &st);
	fl_dev_close(dev);
	if (ret)
		return fl_fail_errno(cli, "status", ret);

	if (cli->json) {
		struct fl_json *j = &cli->j;

		fl_json_object_begin(j, NULL);
		fl_json_string(j, "module_version", v.module_version);
		fl_json_u64(j, "api_version", v.api_version);
		fl_json_string(j, "release", v.release);
		fl_json_string(j, "machine", v.machine);
		fl_json_string(j, "mode", fl_mode_name(c.mode));
		fl_json_bool(j, "redirect_live", c.mode != FORKLAB_MODE_STOCK);
		fl_json_string(j, "contpte", fl_contpte_name(c.contpte_policy));
		fl_json_array_begin(j, "contpte_supported");
		for (m = 0; m < FORKLAB_CONTPTE_POLICY_COUNT; m++)
			if (v.contpte_supported & (1U << m))
				fl_json_string(j, NULL, fl_contpte_name(m));
		fl_json_array_end(j);
		fl_print_scope(cli, &c);
		fl_json_array_begin(j, "modes_supported");
		for (m = 0; m < FORKLAB_MODE_COUNT; m++)
			if (v.modes_supported & (1U << m))
				fl_json_string(j, NULL, fl_mode_name(m));
		fl_json_array_end(j);
		fl_json_object_begin(j, "features");
		fl_json_bool(j, "redirect", v.features & FORKLAB_FEAT_REDIRECT);
		fl_json_bool(j, "scope", v.features & FORKLAB_FEAT_SCOPE);
		fl_json_bool(j, "contpte", v.features & FORKLAB_FEAT_CONTPTE);
		fl_json_object_end(j);
		fl_json_u64(j, "redirected", st.redirected);
		fl_json_u64(j, "out_of_scope", st.out_of_scope);
		fl_json_u64(j, "in_flight", st.in_flight);
		fl_json_u64(j, "registrations", st.registrations);
		fl_json_object_end(j);
		return FL_EXIT_OK;
	}
	fprintf(cli->out, "module:   forklab %s (API %u) on %s %s\n", v.module_version,
		v.api_version, v.release, v.machine);
	fprintf(cli->out, "mode:     %s (%s)\n", fl_mode_name(c.mode),
		c.mode == FORKLAB_MODE_STOCK ? "no redirect" : "redirect live");
	if (v.features & FORKLAB_FEAT_CONTPTE)
		fprintf(cli->out, "contpte:  %s (%s)\n", fl_contpte_name(c.contpte_policy),
			c.contpte_policy == FORKLAB_CONTPTE_KERNEL ? "the kernel's helpers" :
			"forklab's helpers, hooks live");
	else
		fprintf(cli->out, "contpte:  %s (other policies not supported on this "
			"kernel: they need arm64 with CONFIG_ARM64_CONTPTE)\n",
			fl_contpte_name(c.contpte_policy));
	fprintf(cli->out, "scope:    ");
	fl_print_scope(cli, &c);
	fprintf(cli->out, "modes:   ");
	for (m = 0; m < FORKLAB_MODE_COUNT; m++)
		if (v.modes_supported & (1U << m))
			fprintf(cli->out, " %s", fl_mode_name(m));
	fprintf(cli->out, "\nforks:    %llu redirected, %llu out of scope, %llu in flight\n",
		(unsigned long long)st.redirected, (unsigned long long)st.out_of_scope,
		(unsigned long long)st.in_flight);
	return FL_EXIT_OK;
}
