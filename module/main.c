// SPDX-License-Identifier: GPL-2.0
/*
 * forklab: an instrumented, switchable fork path.  Load and unload order, and
 * the module parameter that picks the mode at load time.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/utsname.h>
#include "forklab.h"

static char *mode = "stock";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "copy mode at load time (see 'forklab mode'): stock, passthrough, ...");

static char *contpte = "kernel";
module_param(contpte, charp, 0444);
MODULE_PARM_DESC(contpte, "contpte policy at load time, arm64 only (see 'forklab contpte'): kernel, unfold, block");

static int __init fl_init(void)
{
	int initial = fl_mode_by_name(mode);
	int policy = fl_contpte_by_name(contpte);
	int ret;

	if (initial < 0) {
		pr_err("forklab: unknown mode '%s' in the mode= parameter; run 'forklab mode --list' for the modes\n",
		       mode);
		return -EINVAL;
	}
	if (!fl_mode_supported(initial)) {
		pr_err("forklab: mode=%s: this module was built without forklab's copy walk, which "
		       "exists for Linux 6.1.y, 6.12.y and 7.3.y only (this is %s): only the modes "
		       "stock and passthrough are here\n", mode, utsname()->release);
		return -EOPNOTSUPP;
	}
	if (policy < 0) {
		pr_err("forklab: unknown contpte policy '%s' in the contpte= parameter; "
		       "the policies are kernel, unfold and block\n", contpte);
		return -EINVAL;
	}
	if (!fl_contpte_supported(policy)) {
		if (IS_ENABLED(CONFIG_ARM64_CONTPTE))
			pr_err("forklab: contpte=%s: this module was built without forklab's "
			       "copy walk (Linux %s has none), whose contpte code the policies "
			       "follow; only contpte=kernel is available here\n", contpte,
			       utsname()->release);
		else
			pr_err("forklab: contpte=%s: contpte policies are not supported on this "
			       "architecture (%s): they need arm64 with CONFIG_ARM64_CONTPTE; only "
			       "contpte=kernel is available here\n", contpte, utsname()->machine);
		return -EOPNOTSUPP;
	}
	ret = fl_resolve_symbols();
	if (ret)
		return ret;
	ret = fl_stats_init();
	if (ret)
		return ret;
	ret = fl_config_init(initial, policy);
	if (ret)
		goto err_stats;
	ret = fl_dev_init();
	if (ret)
		goto err_config;
	pr_info("forklab: loaded (%s, mode %s, contpte %s)\n", FL_MODULE_VERSION,
		fl_mode_name(initial), fl_contpte_name(policy));
	if (IS_ENABLED(CONFIG_ARM64_CONTPTE) && !fl_contpte_convert_invalidates())
		pr_info("forklab: this CPU has BBM level 3: the kernel folds and unfolds contpte "
			"blocks without a TLB invalidation, so the contpte invalidation counts "
			"stay 0\n");
	return 0;

err_config:
	fl_config_exit();
err_stats:
	fl_stats_exit();
	return ret;
}

static void __exit fl_exit(void)
{
	/* No ioctl can be running: an open /dev/forklab pins the module. */
	fl_dev_exit();
	fl_config_exit();
	fl_stats_exit();
	pr_info("forklab: unloaded\n");
}

module_init(fl_init);
module_exit(fl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("forklab: instrumented, switchable copy_page_range for fork experiments");
MODULE_VERSION(FL_MODULE_VERSION);
