// SPDX-License-Identifier: GPL-2.0
/* 'forklab load' and 'forklab unload': module lifetime without kmod. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "commands.h"

/* Whether @path is a compressed module (Kbuild's install compresses as the kernel does). */
static bool fl_compressed(const char *path)
{
	static const char *const suffixes[] = { ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (n > strlen(suffixes[i]) && !strcmp(path + n - strlen(suffixes[i]), suffixes[i]))
			return true;
	return false;
}

const char *fl_find_module(const char *root, const char *release, char *buf, size_t len)
{
	/* DKMS's place first, as depmod ranks updates/ above extra/ */
	static const char *const dirs[] = { "updates/dkms", "updates", "extra" };
	static const char *const names[] = { "forklab.ko", "forklab.ko.xz", "forklab.ko.zst", "forklab.ko.gz" };
	const char *env = getenv("FORKLAB_KO");
	char exe[PATH_MAX - 32];
	ssize_t n;

	if (!*root && env && *env)
		return env;
	n = *root ? -1 : readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, len, "%s/../forklab.ko", exe);
			if (!access(buf, R_OK))
				return buf;
		}
	}
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(buf, len, "%s/lib/modules/%s/%s/%s", root, release, dirs[d], names[i]);
			if (!access(buf, R_OK))
				return buf;
		}
	}
	return NULL;
}

int fl_cmd_load(struct fl_cli *cli, int argc, char **argv)
{
	char buf[PATH_MAX], mode[48] = "", contpte[48] = "", params[96];
	const char *path = NULL;
	struct utsname u;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mode")) {
			if (++i >= argc)
				return fl_fail(cli, FL_EXIT_USAGE, "load: --mode needs a mode name");
			if (fl_mode_by_name(argv[i]) < 0)
				return fl_fail(cli, FL_EXIT_USAGE, "load: unknown mode '%s'", argv[i]);
			snprintf(mode, sizeof(mode), "mode=%s", argv[i]);
		} else if (!strcmp(argv[i], "--contpte")) {
			if (++i >= argc)
				return fl_fail(cli, FL_EXIT_USAGE, "load: --contpte needs a policy name");
			if (fl_contpte_by_name(argv[i]) < 0)
				return fl_fail(cli, FL_EXIT_USAGE,
					       "load: unknown contpte policy '%s' (kernel, unfold, block)",
					       argv[i]);
			snprintf(contpte, sizeof(contpte), "contpte=%s", argv[i]);
		} else if (argv[i][0] == '-') {
			return fl_fail(cli, FL_EXIT_USAGE, "load: unknown option '%s'", argv[i]);
		} else if (path) {
			return fl_fail(cli, FL_EXIT_USAGE, "load takes one module file");
		} else {
			path = argv[i];
		}
	}
	if (!path && !uname(&u))
		path = fl_find_module("", u.release, buf, sizeof(buf));
	if (!path)
		return fl_fail(cli, FL_EXIT_FAILED,
			       "load: no forklab.ko found; give its path, set FORKLAB_KO, or 'make install'");
	if (fl_sys_module_loaded())
		return fl_fail(cli, FL_EXIT_FAILED, "load: forklab is already loaded ('forklab unload' first)");

	snprintf(params, sizeof(params), "%s%s%s", mode, *mode && *contpte ? " " : "", contpte);
	ret = fl_sys_load_module(path, params);
	switch (-ret) {
	case 0:
		break;
	case EEXIST:
		return fl_fail(cli, FL_EXIT_FAILED, "load: forklab is already loaded");
	case EPERM:
		return fl_fail(cli, FL_EXIT_PERM,
			       "load %s: not permitted; run as root (under Secure Boot lockdown the "
			       "module must be signed with an enrolled key)", path);
	case ENOEXEC:
		return fl_fail(cli, FL_EXIT_UNSUPPORTED,
			       "load %s: not a module for this kernel (built against other headers? "
			       "rebuild with 'make' on this machine)", path);
	case ENOENT:
		return fl_fail(cli, FL_EXIT_UNSUPPORTED,
			       "load %s: the module could not find kernel symbols it needs; see dmesg", path);
	case EBUSY:
		return fl_fail_errno(cli, "load", ret);
	case EOPNOTSUPP:
		if (fl_compressed(path))
			return fl_fail(cli, FL_EXIT_UNSUPPORTED,
				       "load %s: this kernel cannot decompress modules (no "
				       "CONFIG_MODULE_DECOMPRESS); decompress it and give that path", path);
		return fl_fail(cli, FL_EXIT_UNSUPPORTED,
			       "load %s: %s is not supported on this kernel (contpte "
			       "policies need arm64 with CONFIG_ARM64_CONTPTE); see dmesg", path, contpte);
	default:
		return fl_fail(cli, FL_EXIT_FAILED, "load %s: %s; see dmesg", path, strerror(-ret));
	}
	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_json_string(&cli->j, "loaded", path);
		fl_json_object_end(&cli->j);
	} else {
		fprintf(cli->out, "loaded %s\n", path);
	}
	return FL_EXIT_OK;
}

int fl_cmd_unload(struct fl_cli *cli, int argc, char **argv)
{
	int ret;

	(void)argv;
	if (argc > 1)
		return fl_fail(cli, FL_EXIT_USAGE, "unload takes no arguments");
	ret = fl_sys_unload_module();
	switch (-ret) {
	case 0:
		break;
	case ENOENT:
		return fl_fail(cli, FL_EXIT_NOT_LOADED, "unload: forklab is not loaded");
	case EPERM:
		return fl_fail(cli, FL_EXIT_PERM, "unload: not permitted; run as root");
	case EWOULDBLOCK:
		return fl_fail(cli, FL_EXIT_FAILED,
			       "unload: forklab is in use (/dev/forklab is open); close it and retry");
	default:
		return fl_fail(cli, FL_EXIT_FAILED, "unload: %s", strerror(-ret));
	}
	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_json_bool(&cli->j, "unloaded", true);
		fl_json_object_end(&cli->j);
	} else {
		fprintf(cli->out, "unloaded\n");
	}
	return FL_EXIT_OK;
}
