// SPDX-License-Identifier: GPL-2.0
/*
 * forklab: an instrumented, switchable fork path.  Load and unload order.
 */
#include <linux/module.h>
#include "forklab.h"

static int __init fl_init(void)
{
	unsigned int initial, policy;
	int ret;

	/* mode= and contpte= were checked as they were parsed (params.c) */
	fl_params_begin(&initial, &policy);
	ret = fl_resolve_symbols();
	if (ret)
		goto err_params;
	ret = fl_stats_init();
	if (ret)
		goto err_params;
	ret = fl_config_init(initial, policy);
	if (ret)
		goto err_stats;
	ret = fl_dev_init();
	if (ret)
		goto err_config;
	fl_params_end(true);
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
err_params:
	fl_params_end(false);
	return ret;
}

static void __exit fl_exit(void)
{
	/* No ioctl can be running: an open /dev/forklab pins the module. */
	fl_dev_exit();
	fl_params_stop();
	fl_config_exit();
	fl_stats_exit();
	pr_info("forklab: unloaded\n");
}

module_init(fl_init);
module_exit(fl_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The forklab developers");
MODULE_DESCRIPTION("forklab: instrumented, switchable copy_page_range for fork experiments");
MODULE_VERSION(FL_MODULE_VERSION);
