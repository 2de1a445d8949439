// SPDX-License-Identifier: GPL-2.0
/*
 * 'forklab check': can this machine run forklab, and in which modes?  One
 * line per check, ok / missing (with what to do) / warn, and the verdict.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "commands.h"
#include "lib/ftrace.h"

/*
 * Everything is read under a root: "" for this machine.  For the unit
 * tests (tests/unit/test_check.c), $FORKLAB_CHECK_ROOT points it at a fake
 * tree and $FORKLAB_CHECK_EUID plays another caller; the module handshake
 * still goes through lib/device.h (faked there).
 */
#define FL_CHECK_ROOT_ENV	"FORKLAB_CHECK_ROOT"
#define FL_CHECK_EUID_ENV	"FORKLAB_CHECK_EUID"

/* The releases forklab's walk follows: module/compat.h's (test_check compares). */
static const struct { unsigned int major, minor; } fl_walk_releases[] = { { 6, 1 }, { 6, 12 }, { 7, 3 } };
#define FL_WALK_RELEASES	"6.1.y, 6.12.y and 7.3.y"

enum fl_status { FL_OK, FL_MISSING, FL_WARN };
static const char *const fl_status_names[] = { "ok", "missing", "warn" };

/* What the config must say, and why (module/compat.h, module/ksyms.c). */
enum fl_need { FL_NEED, FL_NEED_X86, FL_WANT_ARM64, FL_INFO };
static const struct fl_option {
	const char *name;
	enum fl_need need;
	const char *why;
} fl_options[] = {
	{ "CONFIG_MODULES", FL_NEED, "forklab is a loadable module" },
	{ "CONFIG_KPROBES", FL_NEED, "the module finds kallsyms_lookup_name through a kprobe" },
	{ "CONFIG_KALLSYMS", FL_NEED, "the module looks up the kernel functions it calls" },
	{ "CONFIG_KALLSYMS_ALL", FL_NEED, "the functions the walk calls are not exported: kallsyms must list them" },
	{ "CONFIG_DYNAMIC_FTRACE", FL_NEED, "the redirect is an ftrace_ops on copy_page_range" },
	{ "CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS", FL_NEED,
	  "its handler sets where copy_page_range resumes (module/compat.h)" },
	{ "CONFIG_DYNAMIC_FTRACE_WITH_REGS", FL_NEED_X86,
	  "on x86 the regs trampoline is the one that honours a new ip (module/compat.h)" },
	{ "CONFIG_ARM64_CONTPTE", FL_WANT_ARM64, "the contpte policies unfold and block" },
	{ "CONFIG_LIVEPATCH", FL_INFO, NULL },
	{ "CONFIG_MODULE_SIG_FORCE", FL_INFO, NULL },
	{ "CONFIG_SECURITY_LOCKDOWN_LSM", FL_INFO, NULL },	/* for the lockdown check only */
};
#define FL_NOPTIONS	(sizeof(fl_options) / sizeof(fl_options[0]))

enum fl_lockdown { FL_LD_UNKNOWN, FL_LD_ABSENT, FL_LD_NONE, FL_LD_INTEGRITY, FL_LD_CONFIDENTIALITY };

struct fl_check {
	struct fl_cli *cli;
	const char *root;
	bool is_root;
	unsigned int euid;
	char release[128], machine[sizeof(((struct utsname *)0)->machine)];
	unsigned int major, minor;
	bool x86, arm64, walk;

	bool config_read;
	char config_from[PATH_MAX], config_why[256];
	char config[FL_NOPTIONS][16];	/* "y", "m", ... or "" when not set */

	bool loaded, handshake, handshake_failed;
	char dev_why[96];		/* why the handshake failed */
	struct forklab_version v;
	struct forklab_config c;
	char ko[PATH_MAX];		/* the file 'forklab load' would load, as shown */
	bool ko_found, ko_read, ko_signed;
	char ko_vermagic[128], ko_version[32], ko_why[160];
	enum fl_lockdown lockdown;
	bool sig_enforce;

	int missing, nnot_checked;
	char missing_names[256];
	const char *not_checked[2];	/* what a caller without root cannot see */
};

/* @c->root + the formatted path, in @buf. */
static const char *fl_path(const struct fl_check *c, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static const char *fl_path(const struct fl_check *c, char *buf, size_t len, const char *fmt, ...)
{
	int n = snprintf(buf, len, "%s", c->root);
	va_list ap;

	if ((size_t)n >= len)
		return buf;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	return buf;
}

static bool fl_exists(const struct fl_check *c, const char *path)
{
	char full[PATH_MAX];
	struct stat st;

	return stat(fl_path(c, full, sizeof(full), "%s", path), &st) == 0;
}

/* The first line of @root/@path without its newline; false when unreadable. */
static bool fl_read_line(const struct fl_check *c, const char *path, char *buf, size_t len)
{
	char full[PATH_MAX];
	FILE *f = fopen(fl_path(c, full, sizeof(full), "%s", path), "r");
	bool ok;

	*buf = '\0';
	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/*
 * The contents of @path, at most @max bytes, through "@filter -dc" when
 * @filter is set (the static CLI links no zlib or liblzma); NULL with @why
 * saying what failed.
 */
static char *fl_slurp(const char *path, const char *filter, size_t max, size_t *len, char *why, size_t why_len)
{
	char *buf = malloc(max + 1);
	int fds[2], fd, st;
	pid_t pid = -1;
	size_t n = 0;
	ssize_t r;

	if (!buf) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	if (!filter) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	} else if (pipe2(fds, O_CLOEXEC)) {
		fd = -1;
	} else {
		pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_RDWR);

			dup2(null, 0);
			dup2(fds[1], 1);
			dup2(null, 2);
			execlp(filter, filter, "-dc", path, (char *)NULL);
			_exit(127);
		}
		close(fds[1]);
		fd = fds[0];
		if (pid < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		snprintf(why, why_len, "%s", strerror(errno));
		free(buf);
		return NULL;
	}
	while (n < max && (r = read(fd, buf + n, max - n)) != 0) {
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			n += r;
	}
	close(fd);
	if (pid > 0 && (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))) {
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			snprintf(why, why_len, "no %s on PATH to decompress it", filter);
		else
			snprintf(why, why_len, "%s -dc failed on it", filter);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static const char *fl_filter_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return NULL;
	return !strcmp(dot, ".gz") ? "gzip" : !strcmp(dot, ".xz") ? "xz" : !strcmp(dot, ".zst") ? "zstd" : NULL;
}

static void fl_list_add(char *list, size_t len, const char *item)
{
	size_t n = strlen(list);

	snprintf(list + n, len - n, "%s%s", n ? ", " : "", item);
}

/* The machine: release, architecture, who asks. */
static void fl_check_machine(struct fl_check *c)
{
	const char *euid = getenv(FL_CHECK_EUID_ENV);
	struct utsname u;

	fl_read_line(c, "/proc/sys/kernel/osrelease", c->release, sizeof(c->release));
	fl_read_line(c, "/proc/sys/kernel/arch", c->machine, sizeof(c->machine));
	if (!*c->root && !uname(&u)) {
		if (!*c->release)
			snprintf(c->release, sizeof(c->release), "%s", u.release);
		if (!*c->machine)
			snprintf(c->machine, sizeof(c->machine), "%s", u.machine);
	}
	c->euid = geteuid();
	if (*c->root && euid && *euid)
		c->euid = strtoul(euid, NULL, 10);
	c->is_root = c->euid == 0;
	c->x86 = !strcmp(c->machine, "x86_64");
	c->arm64 = !strcmp(c->machine, "aarch64");
	if (sscanf(c->release, "%u.%u", &c->major, &c->minor) == 2)
		for (size_t i = 0; i < sizeof(fl_walk_releases) / sizeof(fl_walk_releases[0]); i++)
			if (c->major == fl_walk_releases[i].major && c->minor == fl_walk_releases[i].minor)
				c->walk = true;
}

/* The running kernel's config: /boot/config-R, /proc/config.gz, or the headers'. */
static void fl_check_read_config(struct fl_check *c)
{
	char paths[3][PATH_MAX], full[PATH_MAX], why[160];
	size_t len;
	char *text = NULL;

	snprintf(paths[0], sizeof(paths[0]), "/boot/config-%s", c->release);
	snprintf(paths[1], sizeof(paths[1]), "/proc/config.gz");
	snprintf(paths[2], sizeof(paths[2]), "/lib/modules/%s/build/.config", c->release);
	for (size_t i = 0; i < 3 && !text; i++) {
		size_t n = strlen(c->config_why);

		fl_path(c, full, sizeof(full), "%s", paths[i]);
		if (access(full, F_OK)) {
			snprintf(c->config_why + n, sizeof(c->config_why) - n, "%sno %s", n ? ", " : "", paths[i]);
			continue;
		}
		text = fl_slurp(full, fl_filter_of(full), 4 << 20, &len, why, sizeof(why));
		if (text)
			strcpy(c->config_from, paths[i]);
		else
			snprintf(c->config_why + n, sizeof(c->config_why) - n, "%s%s: %s", n ? ", " : "",
				 paths[i], why);
	}
	if (!text)
		return;
	c->config_read = true;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *eq = strchr(line, '=');

		if (!eq || strncmp(line, "CONFIG_", 7))
			continue;
		for (size_t i = 0; i < FL_NOPTIONS; i++)
			if ((size_t)(eq - line) == strlen(fl_options[i].name) &&
			    !strncmp(line, fl_options[i].name, eq - line))
				snprintf(c->config[i], sizeof(c->config[i]), "%s", eq + 1);
	}
	free(text);
}

static const char *fl_config_value(const struct fl_check *c, const char *name)
{
	for (size_t i = 0; i < FL_NOPTIONS; i++)
		if (!strcmp(fl_options[i].name, name))
			return c->config[i];
	return "";
}

/* Loaded (and its handshake), or the file 'forklab load' would load. */
static void fl_check_probe_module(struct fl_check *c)
{
	static const char sig_magic[] = "~Module signature appended~\n";
	char buf[PATH_MAX];
	const char *path, *p;
	struct fl_dev *dev;
	size_t len;
	char *text;
	int ret;

	c->loaded = fl_exists(c, "/sys/module/forklab");
	if (c->loaded) {
		ret = fl_dev_open(&dev);
		if ((ret == -EACCES || ret == -EPERM) && !c->is_root) {
			c->not_checked[c->nnot_checked++] = "the module handshake (/dev/forklab is not readable by this user)";
		} else if (ret) {
			c->handshake_failed = true;
			snprintf(c->dev_why, sizeof(c->dev_why), "/dev/forklab cannot be opened: %s", strerror(-ret));
		} else {
			ret = fl_dev_version(dev, &c->v);
			if (!ret && c->v.api_version == FORKLAB_API_VERSION)
				ret = fl_dev_get_config(dev, &c->c);
			fl_dev_close(dev);
			if (ret) {
				c->handshake_failed = true;
				snprintf(c->dev_why, sizeof(c->dev_why), "the handshake failed: %s", strerror(-ret));
			} else if (c->v.api_version != FORKLAB_API_VERSION) {
				c->handshake_failed = true;
				snprintf(c->dev_why, sizeof(c->dev_why), "it speaks API %u, this CLI API %d",
					 c->v.api_version, FORKLAB_API_VERSION);
			} else {
				c->handshake = true;
			}
		}
	}
	path = fl_find_module(c->root, c->release, buf, sizeof(buf));
	if (!path)
		return;
	c->ko_found = true;
	snprintf(c->ko, sizeof(c->ko), "%s", path == buf ? buf + strlen(c->root) : path);
	text = fl_slurp(path, fl_filter_of(path), 64 << 20, &len, c->ko_why, sizeof(c->ko_why));
	if (!text)
		return;
	c->ko_read = true;
	p = memmem(text, len, "vermagic=", 9);
	if (p)
		snprintf(c->ko_vermagic, sizeof(c->ko_vermagic), "%.*s", (int)strcspn(p + 9, " "), p + 9);
	p = memmem(text, len, "\0version=", 9);
	if (p)
		snprintf(c->ko_version, sizeof(c->ko_version), "%s", p + 9);
	c->ko_signed = len >= sizeof(sig_magic) - 1 &&
		       !memcmp(text + len - (sizeof(sig_magic) - 1), sig_magic, sizeof(sig_magic) - 1);
	free(text);
}

static void fl_check_probe_lockdown(struct fl_check *c)
{
	char line[128], full[PATH_MAX];
	const char *lsm = fl_config_value(c, "CONFIG_SECURITY_LOCKDOWN_LSM");
	struct dirent *d;
	DIR *dir;
	int entries = 0;

	c->sig_enforce = fl_read_line(c, "/sys/module/module/parameters/sig_enforce", line, sizeof(line)) &&
			 line[0] == 'Y';
	if (fl_read_line(c, "/sys/kernel/security/lockdown", line, sizeof(line))) {
		c->lockdown = strstr(line, "[integrity]") ? FL_LD_INTEGRITY :
			      strstr(line, "[confidentiality]") ? FL_LD_CONFIDENTIALITY :
			      strstr(line, "[none]") ? FL_LD_NONE : FL_LD_UNKNOWN;
		return;
	}
	if (c->config_read && !*lsm) {
		c->lockdown = FL_LD_ABSENT;
		return;
	}
	/* securityfs mounted (it lists the LSMs' files) without lockdown's */
	dir = opendir(fl_path(c, full, sizeof(full), "/sys/kernel/security"));
	while (dir && (d = readdir(dir)))
		entries += d->d_name[0] != '.';
	if (dir)
		closedir(dir);
	c->lockdown = entries ? FL_LD_ABSENT : FL_LD_UNKNOWN;
}

/* One check: a line of text, or an object of the "checks" array; @todo may be NULL. */
static void fl_emit(struct fl_check *c, const char *name, enum fl_status st, const char *todo,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void fl_emit(struct fl_check *c, const char *name, enum fl_status st, const char *todo,
		    const char *fmt, ...)
{
	struct fl_cli *cli = c->cli;
	char found[2 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(found, sizeof(found), fmt, ap);
	va_end(ap);
	if (st == FL_MISSING) {
		c->missing++;
		fl_list_add(c->missing_names, sizeof(c->missing_names), name);
	}
	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_json_string(&cli->j, "name", name);
		fl_json_string(&cli->j, "status", fl_status_names[st]);
		fl_json_string(&cli->j, "found", found);
		if (todo)
			fl_json_string(&cli->j, "todo", todo);
		fl_json_object_end(&cli->j);
		return;
	}
	fprintf(cli->out, "%-7s %s: %s%s%s\n", fl_status_names[st], name, found, todo ? "; " : "",
		todo ? todo : "");
}

static unsigned int fl_check_modes(const struct fl_check *c)
{
	if (c->handshake)
		return c->v.modes_supported;
	if (c->walk)
		return (1U << FORKLAB_MODE_COUNT) - 1;
	return 1U << FORKLAB_MODE_STOCK | 1U << FORKLAB_MODE_PASSTHROUGH;
}

static unsigned int fl_check_contpte(const struct fl_check *c)
{
	if (c->handshake)
		return c->v.contpte_supported;
	if (c->arm64 && !strcmp(fl_config_value(c, "CONFIG_ARM64_CONTPTE"), "y"))
		return (1U << FORKLAB_CONTPTE_POLICY_COUNT) - 1;
	return 1U << FORKLAB_CONTPTE_KERNEL;
}

static void fl_names(char *buf, size_t len, unsigned int mask, const char *(*name)(unsigned int), unsigned int n)
{
	*buf = '\0';
	for (unsigned int i = 0; i < n; i++)
		if (mask & (1U << i))
			fl_list_add(buf, len, name(i));
}

static void fl_check_kernel(struct fl_check *c)
{
	char modes[96];

	fl_names(modes, sizeof(modes), fl_check_modes(c), fl_mode_name, FORKLAB_MODE_COUNT);
	if (!*c->release)
		fl_emit(c, "kernel", FL_MISSING, "mount /proc",
			"cannot read the kernel release (/proc/sys/kernel/osrelease)");
	else if (!c->x86 && !c->arm64)
		fl_emit(c, "kernel", FL_MISSING, "README 'Supported kernels' lists what it runs on",
			"%s %s: forklab runs on x86_64 and arm64 only", c->release, c->machine);
	else if (c->walk)
		fl_emit(c, "kernel", FL_OK, NULL, "%s %s: forklab's walk follows %u.%u.y here: modes %s",
			c->release, c->machine, c->major, c->minor, modes);
	else
		fl_emit(c, "kernel", FL_WARN, "for perpte, batched and the contpte policies boot one of those "
			"kernels (README 'Supported kernels' lists them)",
			"%s %s: forklab's walk exists for " FL_WALK_RELEASES " only, so here the module "
			"builds without it (Kbuild) and offers stock and passthrough", c->release, c->machine);
}

static void fl_check_config(struct fl_check *c)
{
	char todo[512];

	if (!c->config_read) {
		snprintf(todo, sizeof(todo), "put the config of the kernel's package at /boot/config-%s "
			 "(linux-image-%s has it), or install linux-headers-%s", c->release, c->release, c->release);
		fl_emit(c, "config", FL_WARN, todo, "cannot read the kernel config (%s): the CONFIG_ checks were "
			"not done", c->config_why);
		return;
	}
	fl_emit(c, "config", FL_OK, NULL, "%s", c->config_from);
	for (size_t i = 0; i < FL_NOPTIONS; i++) {
		const struct fl_option *o = &fl_options[i];
		const char *val = c->config[i];
		bool set = *val && strcmp(val, "n");

		if ((o->need == FL_NEED_X86 && !c->x86) || (o->need == FL_WANT_ARM64 && !c->arm64))
			continue;
		if (!strcmp(o->name, "CONFIG_LIVEPATCH")) {
			fl_emit(c, o->name, FL_OK, NULL, "%s", set ? "y: a livepatch of copy_page_range would hold "
				"it against forklab (see ftrace_users)" : "not set: no livepatch can hold copy_page_range");
		} else if (!strcmp(o->name, "CONFIG_MODULE_SIG_FORCE")) {
			fl_emit(c, o->name, FL_OK, NULL, "%s", set ? "y: only signed modules load (see signature)" :
				"not set: unsigned modules load unless lockdown or module.sig_enforce=1 forbid it "
				"(see signature)");
		} else if (o->need == FL_INFO) {
			continue;
		} else if (set) {
			fl_emit(c, o->name, FL_OK, NULL, "%s: %s", val, o->why);
		} else if (o->need == FL_WANT_ARM64) {
			fl_emit(c, o->name, FL_WARN, "for them, a kernel built with CONFIG_ARM64_CONTPTE=y",
				"not set: only the contpte policy kernel here (%s need it)", o->why);
		} else {
			snprintf(todo, sizeof(todo), "use a kernel built with %s=y", o->name);
			fl_emit(c, o->name, FL_MISSING, todo, "not set: %s", o->why);
		}
	}
}

static void fl_check_ftrace_enabled(struct fl_check *c)
{
	int on = fl_ftrace_enabled(c->root);

	if (on == 1)
		fl_emit(c, "ftrace_enabled", FL_OK, NULL, "kernel.ftrace_enabled = 1%s",
			c->major == 7 && c->minor == 3 ? " (7.3 no longer lets it be set to 0)" : "");
	else if (on == 0)
		fl_emit(c, "ftrace_enabled", FL_MISSING, "sysctl kernel.ftrace_enabled=1",
			"kernel.ftrace_enabled = 0: nothing can be hooked");
	else if (on == -ENOENT)
		fl_emit(c, "ftrace_enabled", FL_MISSING, "use a kernel built with CONFIG_FUNCTION_TRACER and "
			"CONFIG_DYNAMIC_FTRACE", "no /proc/sys/kernel/ftrace_enabled: the kernel has no function tracer");
	else
		fl_emit(c, "ftrace_enabled", FL_WARN, NULL, "cannot read /proc/sys/kernel/ftrace_enabled: %s",
			strerror(-on));
}

/*
 * Whether the kernel loads only signed modules, and whether forklab's is.
 * Lockdown (integrity and above) refuses unsigned modules, as
 * module.sig_enforce does; it leaves a module's own kprobes and ftrace_ops
 * alone (LOCKDOWN_KPROBES guards kprobe events, at confidentiality).
 */
enum fl_sig { FL_SIG_LOADED, FL_SIG_FREE, FL_SIG_SIGNED, FL_SIG_UNKNOWN, FL_SIG_UNSIGNED, FL_SIG_UNREADABLE,
	      FL_SIG_NO_MODULE };

static enum fl_sig fl_signature(const struct fl_check *c, char *reason, size_t len)
{
	*reason = '\0';
	if (c->sig_enforce)
		fl_list_add(reason, len, "module.sig_enforce=Y");
	if (c->lockdown == FL_LD_INTEGRITY || c->lockdown == FL_LD_CONFIDENTIALITY)
		fl_list_add(reason, len, c->lockdown == FL_LD_INTEGRITY ? "lockdown integrity" :
			    "lockdown confidentiality");
	if (c->loaded)
		return FL_SIG_LOADED;
	if (!*reason && c->lockdown != FL_LD_UNKNOWN)
		return FL_SIG_FREE;
	if (c->ko_found && c->ko_read && c->ko_signed)
		return FL_SIG_SIGNED;
	if (!*reason)
		return FL_SIG_UNKNOWN;
	if (c->ko_found)
		return c->ko_read ? FL_SIG_UNSIGNED : FL_SIG_UNREADABLE;
	return FL_SIG_NO_MODULE;
}

static void fl_check_lockdown(struct fl_check *c)
{
	char reason[96];
	enum fl_sig sig = fl_signature(c, reason, sizeof(reason));

	switch (c->lockdown) {
	case FL_LD_NONE:
		fl_emit(c, "lockdown", FL_OK, NULL, "none");
		break;
	case FL_LD_ABSENT:
		fl_emit(c, "lockdown", FL_OK, NULL, "the kernel has no lockdown LSM");
		break;
	case FL_LD_INTEGRITY:
		fl_emit(c, "lockdown", sig <= FL_SIG_SIGNED ? FL_OK : FL_WARN, NULL, "integrity: only modules "
			"signed with a key the kernel trusts load (see signature); the module's own kprobe and "
			"ftrace hooks are not restricted");
		break;
	case FL_LD_CONFIDENTIALITY:
		fl_emit(c, "lockdown", FL_WARN, "boot without lockdown=confidentiality to have them",
			"confidentiality: only signed modules load (see signature), and tracefs, kprobe events "
			"and BPF reads of kernel memory are locked: the ftrace_users check, forklab's busy message "
			"and tools/bpftrace are blind");
		break;
	default:
		fl_emit(c, "lockdown", FL_WARN, "mount -t securityfs securityfs /sys/kernel/security, then "
			"check again", "cannot read /sys/kernel/security/lockdown (securityfs not mounted?)");
	}
}

static void fl_check_signature(struct fl_check *c)
{
	static const char how[] = "sign it with a key enrolled as MOK: make sign KEY=... CERT=... "
				  "(docs/test-machine.md)";
	char reason[96];

	switch (fl_signature(c, reason, sizeof(reason))) {
	case FL_SIG_LOADED:
		fl_emit(c, "signature", FL_OK, NULL, "the module is loaded: the kernel took it");
		break;
	case FL_SIG_FREE:
		fl_emit(c, "signature", FL_OK, NULL, "not required: the kernel loads unsigned modules (they taint "
			"it)");
		break;
	case FL_SIG_SIGNED:
		fl_emit(c, "signature", FL_OK, NULL, "%s%s%s%s is signed (the kernel must trust the key: built in, "
			"or enrolled as MOK)", *reason ? "required (" : "", reason, *reason ? "); " : "", c->ko);
		break;
	case FL_SIG_UNKNOWN:
		fl_emit(c, "signature", FL_WARN, "see lockdown", "unsigned modules load unless lockdown is on, "
			"and it could not be read");
		break;
	case FL_SIG_UNSIGNED:
		fl_emit(c, "signature", FL_MISSING, how, "required (%s), and %s is not signed", reason, c->ko);
		break;
	case FL_SIG_UNREADABLE:
		fl_emit(c, "signature", FL_WARN, NULL, "required (%s); whether %s is signed could not be read: %s",
			reason, c->ko, c->ko_why);
		break;
	case FL_SIG_NO_MODULE:
		fl_emit(c, "signature", FL_WARN, "sign the module you build: make sign KEY=... CERT=... "
			"(docs/test-machine.md)", "required (%s)", reason);
	}
}

static void fl_check_secure_boot(struct fl_check *c)
{
	char full[PATH_MAX];
	unsigned char var[5];
	ssize_t n = -1;
	int fd;

	if (!fl_exists(c, "/sys/firmware/efi")) {
		fl_emit(c, "secure_boot", FL_OK, NULL, "not EFI (no /sys/firmware/efi): no Secure Boot");
		return;
	}
	/* 4 bytes of attributes, then the value (efivarfs) */
	fd = open(fl_path(c, full, sizeof(full), "/sys/firmware/efi/efivars/"
			  "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"), O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, var, sizeof(var));
		close(fd);
	}
	if (n == (ssize_t)sizeof(var))
		fl_emit(c, "secure_boot", FL_OK, NULL, "%s", var[4] == 1 ? "enabled: Debian's kernels then lock "
			"down to integrity (see lockdown)" : "disabled");
	else
		fl_emit(c, "secure_boot", FL_OK, NULL, "EFI, state unknown (no SecureBoot variable in "
			"/sys/firmware/efi/efivars; 'mokutil --sb-state' tells)");
}

/* Whether there is a module this kernel can load (or has loaded). */
static bool fl_module_usable(const struct fl_check *c)
{
	if (c->loaded)
		return !c->handshake_failed;
	return c->ko_found && (!c->ko_read || !strcmp(c->ko_vermagic, c->release));
}

static void fl_check_headers(struct fl_check *c)
{
	char path[PATH_MAX], todo[192];

	snprintf(path, sizeof(path), "/lib/modules/%s/build/Makefile", c->release);
	snprintf(todo, sizeof(todo), "apt-get install linux-headers-%s", c->release);
	if (fl_exists(c, path))
		fl_emit(c, "headers", FL_OK, NULL, "/lib/modules/%s/build: 'make' builds the module against it",
			c->release);
	else if (fl_module_usable(c))
		fl_emit(c, "headers", FL_WARN, todo, "no %s: needed only to build the module again", path);
	else
		fl_emit(c, "headers", FL_MISSING, todo, "no %s: the module cannot be built for this kernel", path);
}

static void fl_check_module(struct fl_check *c)
{
	static const char build[] = "build and install it: make && sudo make install";

	if (c->loaded && c->handshake)
		fl_emit(c, "module", FL_OK, NULL, "loaded: forklab %s, API %u, on %s %s; mode %s (%s)",
			c->v.module_version, c->v.api_version, c->v.release, c->v.machine, fl_mode_name(c->c.mode),
			c->c.mode == FORKLAB_MODE_STOCK ? "no redirect" : "redirect live");
	else if (c->loaded && c->handshake_failed)
		fl_emit(c, "module", FL_MISSING, strstr(c->dev_why, "API") ? "use the CLI built with the module, "
			"or load the module built with this CLI" : "load it again: forklab unload && forklab load",
			"loaded, but %s", c->dev_why);
	else if (c->loaded)
		fl_emit(c, "module", FL_WARN, "sudo forklab check", "loaded (/sys/module/forklab); the handshake "
			"was not done: /dev/forklab is not readable by this user");
	else if (!c->ko_found)
		fl_emit(c, "module", FL_MISSING, "build and install it: make && sudo make install (or give "
			"'forklab load' its path)", "not loaded, and no forklab.ko for %s ($FORKLAB_KO, next to "
			"this program, /lib/modules/%s/{updates/dkms,updates,extra})", c->release, c->release);
	else if (!c->ko_read)
		fl_emit(c, "module", FL_WARN, NULL, "not loaded; 'forklab load' would load %s, whose vermagic "
			"could not be read: %s", c->ko, c->ko_why);
	else if (!*c->ko_vermagic)
		fl_emit(c, "module", FL_MISSING, build, "not loaded; %s has no vermagic: it is not a kernel module",
			c->ko);
	else if (strcmp(c->ko_vermagic, c->release))
		fl_emit(c, "module", FL_MISSING, "build and install it for this kernel: make && sudo make install",
			"not loaded; %s is built for %s, this kernel is %s", c->ko, c->ko_vermagic, c->release);
	else
		fl_emit(c, "module", FL_OK, NULL, "not loaded; 'forklab load' loads %s (forklab %s, built for %s)",
			c->ko, *c->ko_version ? c->ko_version : "?", c->ko_vermagic);
}

/* Whether forklab's own live hooks explain an IPMODIFY user of @u->func. */
static bool fl_forklab_holds(const struct fl_check *c, const struct fl_ftrace_user *u)
{
	if (u->forklab)
		return true;
	if (!c->handshake)
		return false;
	if (!strcmp(u->func, "copy_page_range"))
		return c->c.mode != FORKLAB_MODE_STOCK;
	return c->c.contpte_policy != FORKLAB_CONTPTE_KERNEL;
}

static void fl_check_ftrace_users(struct fl_check *c)
{
	struct fl_ftrace_user users[FL_FTRACE_HOOKED_COUNT];
	char path[128], found[1536] = "";
	enum fl_status st = FL_OK;
	size_t len = 0;
	int n;

	if (!c->is_root) {
		c->not_checked[c->nnot_checked++] = "the ftrace users (tracefs is root only)";
		fl_emit(c, "ftrace_users", FL_WARN, "sudo forklab check", "not checked: tracefs is root only");
		return;
	}
	n = fl_ftrace_ipmodify_users(c->root, users, path, sizeof(path));
	if (n == -ENOENT) {
		fl_emit(c, "ftrace_users", FL_WARN, "mount -t tracefs tracefs /sys/kernel/tracing",
			"no %s: tracefs is not mounted", path);
		return;
	}
	if (n < 0) {
		fl_emit(c, "ftrace_users", FL_WARN, NULL, "cannot read %s: %s%s", path, strerror(-n),
			n == -EPERM ? " (lockdown confidentiality, or a sandbox, keeps tracefs closed)" : "");
		return;
	}
	for (int i = 0; i < n && len < sizeof(found); i++) {
		const struct fl_ftrace_user *u = &users[i];
		bool cpr = !strcmp(u->func, "copy_page_range");

		if (fl_forklab_holds(c, u)) {
			len += snprintf(found + len, sizeof(found) - len, "%s%s: held by forklab", len ? "; " : "",
					u->func);
			continue;
		}
		len += snprintf(found + len, sizeof(found) - len, "%s%s: held by another ftrace user that modifies "
				"the ip (%s%s%s): %s", len ? "; " : "", u->func,
				*u->holder ? u->holder : "enabled_functions: '", *u->holder ? "" : u->line,
				*u->holder ? "" : "'", cpr ? "every mode but stock fails (exit 6)" :
				"the contpte policies unfold and block fail (exit 6)");
		if (cpr)
			st = FL_MISSING;
		else if (st == FL_OK)
			st = FL_WARN;
	}
	if (!n)
		snprintf(found, sizeof(found), "no other ftrace user modifies copy_page_range%s",
			 c->arm64 ? " or the contpte helpers" : "");
	fl_emit(c, "ftrace_users", st, st == FL_OK ? NULL : "remove it: a livepatch (echo 0 > "
		"/sys/kernel/livepatch/NAME/enabled), a kprobe with a post_handler (unregister it)", "%s", found);
}

static void fl_check_root(struct fl_check *c)
{
	char found[384];
	int n;

	if (c->is_root) {
		fl_emit(c, "root", FL_OK, NULL, "running as root: every check was done");
		return;
	}
	n = snprintf(found, sizeof(found), "not root (uid %u)", c->euid);
	for (int i = 0; i < c->nnot_checked; i++)
		n += snprintf(found + n, sizeof(found) - n, "%s%s", i ? ", " : ": not checked: ", c->not_checked[i]);
	fl_emit(c, "root", FL_WARN, "'sudo forklab check' sees all", "%s", found);
}

int fl_cmd_check(struct fl_cli *cli, int argc, char **argv)
{
	struct fl_check *c = calloc(1, sizeof(*c));
	char modes[96], policies[96], verdict[512];
	const char *root = getenv(FL_CHECK_ROOT_ENV);
	int ret;

	(void)argv;
	if (!c)
		return fl_fail(cli, FL_EXIT_FAILED, "out of memory");
	if (argc > 1) {
		free(c);
		return fl_fail(cli, FL_EXIT_USAGE, "check takes no arguments (see 'forklab help check')");
	}
	c->cli = cli;
	c->root = root ? root : "";
	fl_check_machine(c);
	fl_check_read_config(c);
	fl_check_probe_module(c);
	fl_check_probe_lockdown(c);

	if (cli->json) {
		fl_json_object_begin(&cli->j, NULL);
		fl_json_string(&cli->j, "release", c->release);
		fl_json_string(&cli->j, "machine", c->machine);
		fl_json_bool(&cli->j, "root", c->is_root);
		fl_json_array_begin(&cli->j, "checks");
	}
	fl_check_kernel(c);
	fl_check_config(c);
	fl_check_ftrace_enabled(c);
	fl_check_lockdown(c);
	fl_check_signature(c);
	fl_check_secure_boot(c);
	fl_check_headers(c);
	fl_check_module(c);
	fl_check_ftrace_users(c);
	fl_check_root(c);

	fl_names(modes, sizeof(modes), fl_check_modes(c), fl_mode_name, FORKLAB_MODE_COUNT);
	fl_names(policies, sizeof(policies), fl_check_contpte(c), fl_contpte_name, FORKLAB_CONTPTE_POLICY_COUNT);
	ret = c->missing ? FL_EXIT_MISSING : FL_EXIT_OK;
	if (c->missing)
		snprintf(verdict, sizeof(verdict), "forklab cannot load and redirect here yet: %d missing (%s)",
			 c->missing, c->missing_names);
	else
		snprintf(verdict, sizeof(verdict), "forklab can load and redirect here: modes %s; contpte "
			 "policies %s%s", modes, policies, c->arm64 && !c->handshake && !c->config_read ?
			 " (unfold and block too if the kernel has CONFIG_ARM64_CONTPTE)" : "");
	if (cli->json) {
		unsigned int m;

		fl_json_array_end(&cli->j);
		fl_json_array_begin(&cli->j, "modes");
		for (m = 0; m < FORKLAB_MODE_COUNT; m++)
			if (fl_check_modes(c) & (1U << m))
				fl_json_string(&cli->j, NULL, fl_mode_name(m));
		fl_json_array_end(&cli->j);
		fl_json_array_begin(&cli->j, "contpte_policies");
		for (m = 0; m < FORKLAB_CONTPTE_POLICY_COUNT; m++)
			if (fl_check_contpte(c) & (1U << m))
				fl_json_string(&cli->j, NULL, fl_contpte_name(m));
		fl_json_array_end(&cli->j);
		fl_json_array_begin(&cli->j, "not_checked");
		for (int i = 0; i < c->nnot_checked; i++)
			fl_json_string(&cli->j, NULL, c->not_checked[i]);
		fl_json_array_end(&cli->j);
		fl_json_bool(&cli->j, "ready", !c->missing);
		fl_json_string(&cli->j, "verdict", verdict);
		if (c->missing)
			fl_json_string(&cli->j, "error", verdict);
		fl_json_i64(&cli->j, "exit_code", ret);
		fl_json_object_end(&cli->j);
	} else {
		fprintf(cli->out, "%s\n", verdict);
	}
	free(c);
	return ret;
}
