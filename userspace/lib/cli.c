// SPDX-License-Identifier: GPL-2.0
/*
 * What every forklab command shares: error reporting that turns errnos into
 * advice and documented exit codes, the device handshake, and names.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "device.h"

int fl_fail(struct fl_cli *cli, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli->json) {
		struct fl_json j;

		fl_json_init(&j, cli->out);
		fl_json_object_begin(&j, NULL);
		fl_json_string(&j, "error", msg);
		fl_json_i64(&j, "exit_code", code);
		fl_json_object_end(&j);
	}
	fprintf(cli->err, "forklab: %s\n", msg);
	return code;
}

/*
 * The module's EBUSY: ftrace refused one of its hooks.  Either ftrace is
 * off, or another user that modifies the instruction pointer holds one of
 * the functions: name it when tracefs says who.
 */
static int fl_fail_busy(struct fl_cli *cli, const char *what)
{
	char holder[200];

	switch (fl_sys_ftrace_conflict(holder, sizeof(holder))) {
	case FL_FTRACE_DISABLED:
		return fl_fail(cli, FL_EXIT_BUSY, "%s: kernel.ftrace_enabled is 0, so nothing can be "
			       "hooked; run 'sysctl kernel.ftrace_enabled=1', then retry", what);
	case FL_FTRACE_HELD:
		return fl_fail(cli, FL_EXIT_BUSY, "%s: another ftrace user already modifies the instruction "
			       "pointer of a function forklab hooks (enabled_functions: '%s'); remove it "
			       "(a livepatch, or a kprobe with a post_handler), then retry", what, holder);
	default:
		return fl_fail(cli, FL_EXIT_BUSY, "%s: another ftrace user (a livepatch, or a kprobe with a "
			       "post_handler) already modifies the instruction pointer of a function forklab "
			       "hooks; dmesg and /sys/kernel/tracing/enabled_functions name it; remove it, "
			       "then retry", what);
	}
}

int fl_fail_errno(struct fl_cli *cli, const char *what, int err)
{
	switch (-err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return fl_fail(cli, FL_EXIT_NOT_LOADED,
			       "%s: the forklab module is not loaded (no %s); load it with "
			       "'forklab load' or 'insmod forklab.ko'", what, FORKLAB_DEVICE);
	case EACCES:
		return fl_fail(cli, FL_EXIT_PERM,
			       "%s: permission denied on %s (its mode was narrowed from the module's 0644); run as root", what,
			       FORKLAB_DEVICE);
	case EPERM:
		return fl_fail(cli, FL_EXIT_PERM, "%s: needs CAP_SYS_ADMIN; run as root", what);
	case EBUSY:
		return fl_fail_busy(cli, what);
	case EOPNOTSUPP:
		return fl_fail(cli, FL_EXIT_UNSUPPORTED, "%s: not supported by this kernel or module; see dmesg",
			       what);
	case ENOTTY:
		return fl_fail(cli, FL_EXIT_UNSUPPORTED,
			       "%s: the loaded module does not know this request; load the module "
			       "built with this CLI (API %d)", what, FORKLAB_API_VERSION);
	default:
		return fl_fail(cli, FL_EXIT_FAILED, "%s: %s", what, strerror(-err));
	}
}

int fl_open(struct fl_cli *cli, struct fl_dev **dev, struct forklab_version *version)
{
	struct forklab_version v = { .size = sizeof(v) };
	int ret = fl_dev_open(dev);

	if (ret)
		return fl_fail_errno(cli, "open " FORKLAB_DEVICE, ret);
	ret = fl_dev_version(*dev, &v);
	if (ret) {
		fl_dev_close(*dev);
		return fl_fail_errno(cli, "version handshake", ret);
	}
	if (v.api_version != FORKLAB_API_VERSION) {
		fl_dev_close(*dev);
		return fl_fail(cli, FL_EXIT_UNSUPPORTED,
			       "the loaded module speaks API %u, this CLI API %d; use the CLI built "
			       "with the module", v.api_version, FORKLAB_API_VERSION);
	}
	if (version)
		*version = v;
	return FL_EXIT_OK;
}

static const char *const fl_mode_names[] = {
#define FL_MODE_NAME(id, val, name, desc) [val] = name,
	FORKLAB_MODE_LIST(FL_MODE_NAME)
#undef FL_MODE_NAME
};
static const char *const fl_mode_descs[] = {
#define FL_MODE_DESC(id, val, name, desc) [val] = desc,
	FORKLAB_MODE_LIST(FL_MODE_DESC)
#undef FL_MODE_DESC
};

int fl_mode_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < FORKLAB_MODE_COUNT; i++)
		if (fl_mode_names[i] && !strcmp(name, fl_mode_names[i]))
			return i;
	return -1;
}

const char *fl_mode_name(unsigned int mode)
{
	return mode < FORKLAB_MODE_COUNT && fl_mode_names[mode] ? fl_mode_names[mode] : "unknown";
}

const char *fl_mode_description(unsigned int mode)
{
	return mode < FORKLAB_MODE_COUNT && fl_mode_descs[mode] ? fl_mode_descs[mode] : "";
}

static const char *const fl_contpte_names[] = {
#define FL_CONTPTE_NAME(id, val, name, desc) [val] = name,
	FORKLAB_CONTPTE_POLICY_LIST(FL_CONTPTE_NAME)
#undef FL_CONTPTE_NAME
};
static const char *const fl_contpte_descs[] = {
#define FL_CONTPTE_DESC(id, val, name, desc) [val] = desc,
	FORKLAB_CONTPTE_POLICY_LIST(FL_CONTPTE_DESC)
#undef FL_CONTPTE_DESC
};

int fl_contpte_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < FORKLAB_CONTPTE_POLICY_COUNT; i++)
		if (!strcmp(name, fl_contpte_names[i]))
			return i;
	return -1;
}

const char *fl_contpte_name(unsigned int policy)
{
	return policy < FORKLAB_CONTPTE_POLICY_COUNT ? fl_contpte_names[policy] : "unknown";
}

const char *fl_contpte_description(unsigned int policy)
{
	return policy < FORKLAB_CONTPTE_POLICY_COUNT ? fl_contpte_descs[policy] : "";
}

const char *fl_scope_name(unsigned int scope)
{
	static const char *const names[] = { "all", "pid", "comm", "cgroup" };

	return scope < FORKLAB_SCOPE_COUNT ? names[scope] : "unknown";
}

bool fl_parse_u32(const char *s, unsigned int *val)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 0xffffffffUL)
		return false;
	*val = v;
	return true;
}

