// SPDX-License-Identifier: GPL-2.0
/* The fake device: implements userspace/lib/device.h from struct fake_state. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fake_device.h"

struct fake_state fake;

struct fl_dev {
	int unused;
};
static struct fl_dev the_dev;

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.privileged = true;
	fake.loaded = true;
	fake.api_version = FORKLAB_API_VERSION;
	fake.config.size = sizeof(fake.config);
}

int fl_dev_open(struct fl_dev **dev)
{
	if (fake.open_err)
		return fake.open_err;
	fake.opens++;
	*dev = &the_dev;
	return 0;
}

void fl_dev_close(struct fl_dev *dev)
{
	if (dev)
		fake.closes++;
}

int fl_dev_version(struct fl_dev *dev, struct forklab_version *v)
{
	(void)dev;
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	v->api_version = fake.api_version;
	v->features = FORKLAB_FEAT_REDIRECT | FORKLAB_FEAT_SCOPE;
	v->contpte_supported = 1U << FORKLAB_CONTPTE_KERNEL;
	if (fake.arm64) {
		v->features |= FORKLAB_FEAT_CONTPTE;
		v->contpte_supported = (1U << FORKLAB_CONTPTE_POLICY_COUNT) - 1;
	}
	v->modes_supported = (1U << FORKLAB_MODE_COUNT) - 1;
	v->mode_count = FORKLAB_MODE_COUNT;
	strcpy(v->release, fake.arm64 ? "6.12.0-fake-arm64" : "6.1.0-fake-amd64");
	strcpy(v->machine, fake.arm64 ? "aarch64" : "x86_64");
	strcpy(v->module_version, "0.0-test");
	return 0;
}

int fl_dev_get_config(struct fl_dev *dev, struct forklab_config *c)
{
	(void)dev;
	*c = fake.config;
	return 0;
}

int fl_dev_set_config(struct fl_dev *dev, struct forklab_config *c)
{
	(void)dev;
	if (!fake.privileged)
		return -EPERM;
	if (fake.set_err)
		return fake.set_err;
	if (c->flags & FORKLAB_CONFIG_SET_MODE)
		fake.config.mode = c->mode;
	if (c->flags & FORKLAB_CONFIG_SET_CONTPTE)
		fake.config.contpte_policy = c->contpte_policy;
	if (c->flags & FORKLAB_CONFIG_SET_SCOPE) {
		fake.config.scope = c->scope;
		fake.config.scope_pid = c->scope_pid;
		memcpy(fake.config.scope_arg, c->scope_arg, sizeof(c->scope_arg));
		fake.scopes_set |= 1U << c->scope;
		if (c->scope == FORKLAB_SCOPE_CGROUP)
			memcpy(fake.last_cgroup_scope, c->scope_arg, sizeof(c->scope_arg));
	}
	*c = fake.config;
	return 0;
}

int fl_dev_get_stats(struct fl_dev *dev, unsigned int mode, unsigned int contpte_policy,
		     struct forklab_stats *st)
{
	(void)dev;
	if (mode >= FORKLAB_MODE_COUNT || contpte_policy >= FORKLAB_CONTPTE_POLICY_COUNT)
		return -EINVAL;
	*st = fake.stats[mode];
	st->mode = mode;
	st->contpte_policy = contpte_policy;
	memcpy(st->contpte, fake.contpte[contpte_policy], sizeof(st->contpte));
	return 0;
}

int fl_dev_reset_stats(struct fl_dev *dev)
{
	(void)dev;
	if (!fake.privileged)
		return -EPERM;
	fake.resets++;
	memset(fake.stats, 0, sizeof(fake.stats));
	memset(fake.contpte, 0, sizeof(fake.contpte));
	return 0;
}

int fl_sys_load_module(const char *path, const char *params)
{
	snprintf(fake.load_path, sizeof(fake.load_path), "%s", path);
	snprintf(fake.load_params, sizeof(fake.load_params), "%s", params);
	if (fake.load_err)
		return fake.load_err;
	fake.loaded = true;
	return 0;
}

int fl_sys_unload_module(void)
{
	if (fake.unload_err)
		return fake.unload_err;
	fake.loaded = false;
	return 0;
}

bool fl_sys_module_loaded(void)
{
	return fake.loaded;
}

enum fl_ftrace_conflict fl_sys_ftrace_conflict(char *holder, size_t len)
{
	snprintf(holder, len, "%s", fake.ftrace_holder);
	return fake.ftrace_conflict;
}
