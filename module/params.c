// SPDX-License-Identifier: GPL-2.0
/*
 * The module parameters mode= and contpte=: the configuration at load time
 * ('insmod forklab.ko mode=batched'), and once loaded the live one, in
 * /sys/module/forklab/parameters/.  Reading shows what forks use now, also
 * after 'forklab mode'; writing changes it through fl_config_set(), the path
 * of FORKLAB_IOC_SET_CONFIG, so a write is checked and applied, or refused
 * with nothing changed, exactly as the ioctl is.
 *
 * The kernel calls these under kernel_param_lock(THIS_MODULE), at load time
 * before fl_init() and afterwards from sysfs.  fl_init() and fl_exit() hold
 * it too while they take over the load-time values and hand back to them,
 * so that a write while the module loads or unloads is neither lost nor
 * applied to a configuration that is not (or no longer) there.
 */
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include "forklab.h"

static unsigned int fl_param_mode = FORKLAB_MODE_STOCK;
static unsigned int fl_param_contpte = FORKLAB_CONTPTE_KERNEL;
static bool fl_params_live;	/* between fl_params_end(true) and fl_params_stop() */

/* the value as given, without the newline a write from a shell brings */
#define FL_VAL(val) (int)strcspn(val, "\n"), val

static int fl_param_check_mode(const char *val)
{
	int mode = fl_mode_by_name(val);

	if (mode < 0) {
		pr_err("forklab: unknown mode '%.*s' for the mode parameter; 'forklab mode --list' "
		       "lists the modes\n", FL_VAL(val));
		return -EINVAL;
	}
	if (!fl_mode_supported(mode)) {
		pr_err("forklab: mode=%s: this module was built without forklab's copy walk, which "
		       "exists for Linux 6.1.y, 6.12.y and 7.3.y only (this is %s): only the modes stock "
		       "and passthrough are here\n", fl_mode_name(mode), utsname()->release);
		return -EOPNOTSUPP;
	}
	return mode;
}

static int fl_param_check_contpte(const char *val)
{
	int policy = fl_contpte_by_name(val);

	if (policy < 0) {
		pr_err("forklab: unknown contpte policy '%.*s' for the contpte parameter; the "
		       "policies are kernel, unfold and block\n", FL_VAL(val));
		return -EINVAL;
	}
	if (fl_contpte_supported(policy))
		return policy;
	if (IS_ENABLED(CONFIG_ARM64_CONTPTE))
		pr_err("forklab: contpte=%s: this module was built without forklab's copy walk "
		       "(Linux %s has none), whose contpte code the policies follow; only "
		       "contpte=kernel is available here\n", fl_contpte_name(policy), utsname()->release);
	else if (IS_ENABLED(CONFIG_ARM64))
		pr_err("forklab: contpte=%s: contpte policies are not supported on this kernel (%s): "
		       "it is built without CONFIG_ARM64_CONTPTE, which needs TRANSPARENT_HUGEPAGE "
		       "(PREEMPT_RT kernels have neither); only contpte=kernel is available here\n",
		       fl_contpte_name(policy), utsname()->release);
	else
		pr_err("forklab: contpte=%s: contpte policies are not supported on this architecture "
		       "(%s): they need arm64 with CONFIG_ARM64_CONTPTE; only contpte=kernel is "
		       "available here\n", fl_contpte_name(policy), utsname()->machine);
	return -EOPNOTSUPP;
}

/* Applies one field live; the kernel log says why when it cannot. */
static int fl_param_apply(unsigned int flag, unsigned int value)
{
	struct forklab_config c = { .flags = flag };
	int ret;

	if (flag == FORKLAB_CONFIG_SET_MODE)
		c.mode = value;
	else
		c.contpte_policy = value;
	ret = fl_config_set(&c);
	if (ret)
		pr_err("forklab: %s=%s not applied (error %d; 'dmesg' has the reason if forklab gave "
		       "one): the configuration is unchanged\n",
		       flag == FORKLAB_CONFIG_SET_MODE ? "mode" : "contpte",
		       flag == FORKLAB_CONFIG_SET_MODE ? fl_mode_name(value) : fl_contpte_name(value), ret);
	return ret;
}

static int fl_param_set_mode(const char *val, const struct kernel_param *kp)
{
	int mode = fl_param_check_mode(val);

	if (mode < 0)
		return mode;
	if (fl_params_live)
		return fl_param_apply(FORKLAB_CONFIG_SET_MODE, mode);
	fl_param_mode = mode;
	return 0;
}

static int fl_param_get_mode(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", fl_mode_name(fl_params_live ? READ_ONCE(fl_live_mode) : fl_param_mode));
}

static int fl_param_set_contpte(const char *val, const struct kernel_param *kp)
{
	int policy = fl_param_check_contpte(val);

	if (policy < 0)
		return policy;
	if (fl_params_live)
		return fl_param_apply(FORKLAB_CONFIG_SET_CONTPTE, policy);
	fl_param_contpte = policy;
	return 0;
}

static int fl_param_get_contpte(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  fl_contpte_name(fl_params_live ? READ_ONCE(fl_live_contpte) : fl_param_contpte));
}

static const struct kernel_param_ops fl_mode_param_ops = {
	.set = fl_param_set_mode,
	.get = fl_param_get_mode,
};
static const struct kernel_param_ops fl_contpte_param_ops = {
	.set = fl_param_set_contpte,
	.get = fl_param_get_contpte,
};

module_param_cb(mode, &fl_mode_param_ops, NULL, 0644);
MODULE_PARM_DESC(mode, "copy mode: stock (default), passthrough, perpte, batched ('forklab mode --list' "
		 "says which this build has); at load time, then the live one: writing it switches "
		 "like 'forklab mode'");
module_param_cb(contpte, &fl_contpte_param_ops, NULL, 0644);
MODULE_PARM_DESC(contpte, "contpte policy, arm64 with CONFIG_ARM64_CONTPTE only: kernel (default), "
		 "unfold, block; at load time, then the live one: writing it switches like "
		 "'forklab contpte'");

/* fl_init(): takes the parameter lock, and gives the load-time values. */
void fl_params_begin(unsigned int *mode, unsigned int *contpte)
{
	kernel_param_lock(THIS_MODULE);
	*mode = fl_param_mode;
	*contpte = fl_param_contpte;
}

/* fl_init(): from here a write is a live change (@live), or init failed. */
void fl_params_end(bool live)
{
	fl_params_live = live;
	kernel_param_unlock(THIS_MODULE);
}

/* fl_exit(): from here a write changes nothing that forks use. */
void fl_params_stop(void)
{
	kernel_param_lock(THIS_MODULE);
	fl_params_live = false;
	kernel_param_unlock(THIS_MODULE);
}
