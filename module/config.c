// SPDX-License-Identifier: GPL-2.0
/*
 * The one place where mode, scope and contpte policy change: validates a
 * request, registers or unregisters the redirects as they need, and leaves
 * the old state in place when anything fails.
 */
#include <linux/err.h>
#include <linux/mutex.h>
#include "forklab.h"

static DEFINE_MUTEX(fl_config_lock);

/* The contpte policy the hooks and the walk use; written only here. */
unsigned int fl_live_contpte = FORKLAB_CONTPTE_KERNEL;

bool fl_contpte_supported(unsigned int policy)
{
	return policy < FORKLAB_CONTPTE_POLICY_COUNT && (FL_CONTPTE_SUPPORTED & (1U << policy));
}

static int fl_config_set_contpte(unsigned int policy)
{
	unsigned int old = fl_live_contpte;
	int ret;

	if (policy == FORKLAB_CONTPTE_KERNEL) {
		fl_contpte_hook_unregister();
		WRITE_ONCE(fl_live_contpte, policy);
		return 0;
	}
	/* as for modes: the first hooked call must see the new policy */
	WRITE_ONCE(fl_live_contpte, policy);
	ret = fl_contpte_hook_register();
	if (ret)
		WRITE_ONCE(fl_live_contpte, old);
	return ret;
}

static int fl_config_set_mode(unsigned int mode)
{
	int ret;

	if (!fl_mode_supported(mode))
		return -EINVAL;
	if (fl_mode(mode)->needs_redirect) {
		/* Publish the mode first: the first redirected fork must see it. */
		unsigned int old = fl_live_mode;

		WRITE_ONCE(fl_live_mode, mode);
		ret = fl_redirect_register();
		if (ret)
			WRITE_ONCE(fl_live_mode, old);
		return ret;
	}
	/* Unregister first, so that no fork is redirected into a no-redirect mode. */
	fl_redirect_unregister();
	WRITE_ONCE(fl_live_mode, mode);
	return 0;
}

int fl_config_set(const struct forklab_config *cfg)
{
	struct fl_scope *scope = NULL;
	unsigned int old_contpte;
	int ret = 0;

	if (cfg->flags & ~FORKLAB_CONFIG_FLAGS)
		return -EINVAL;
	/* checked here too, so that a bad mode never swaps the scope */
	if ((cfg->flags & FORKLAB_CONFIG_SET_MODE) && !fl_mode_supported(cfg->mode))
		return -EINVAL;
	if (cfg->flags & FORKLAB_CONFIG_SET_CONTPTE) {
		if (cfg->contpte_policy >= FORKLAB_CONTPTE_POLICY_COUNT)
			return -EINVAL;
		if (!fl_contpte_supported(cfg->contpte_policy))
			return -EOPNOTSUPP;
	}
	/* Build the new scope before touching anything: a cgroup path can fail. */
	if (cfg->flags & FORKLAB_CONFIG_SET_SCOPE) {
		scope = fl_scope_prepare(cfg);
		if (IS_ERR(scope))
			return PTR_ERR(scope);
	}

	mutex_lock(&fl_config_lock);
	/*
	 * The new scope goes live before the new mode.  A fork that passed the
	 * handler under the old scope may still run the new mode: the mode is
	 * read once the fork is inside (both are valid; only the counters see it).
	 */
	if (scope)
		scope = fl_scope_swap(scope);
	old_contpte = fl_live_contpte;
	if (cfg->flags & FORKLAB_CONFIG_SET_CONTPTE)
		ret = fl_config_set_contpte(cfg->contpte_policy);
	if (!ret && (cfg->flags & FORKLAB_CONFIG_SET_MODE)) {
		ret = fl_config_set_mode(cfg->mode);
		/* failed: the old policy comes back (it was registered before) */
		if (ret && (cfg->flags & FORKLAB_CONFIG_SET_CONTPTE))
			fl_config_set_contpte(old_contpte);
	}
	if (scope && ret)
		scope = fl_scope_swap(scope);	/* failed: the old scope comes back */
	if (scope)
		fl_scope_discard(scope);
	mutex_unlock(&fl_config_lock);
	return ret;
}

void fl_config_get(struct forklab_config *cfg)
{
	mutex_lock(&fl_config_lock);
	cfg->mode = READ_ONCE(fl_live_mode);
	cfg->contpte_policy = READ_ONCE(fl_live_contpte);
	fl_scope_get(cfg);
	mutex_unlock(&fl_config_lock);
}

int fl_config_init(unsigned int initial_mode, unsigned int initial_contpte)
{
	int ret;

	mutex_lock(&fl_config_lock);
	ret = fl_config_set_contpte(initial_contpte);
	if (!ret) {
		ret = fl_config_set_mode(initial_mode);
		if (ret)
			fl_config_set_contpte(FORKLAB_CONTPTE_KERNEL);
	}
	mutex_unlock(&fl_config_lock);
	return ret;
}

void fl_config_exit(void)
{
	mutex_lock(&fl_config_lock);
	fl_redirect_unregister();
	WRITE_ONCE(fl_live_mode, FORKLAB_MODE_STOCK);
	fl_contpte_hook_unregister();
	WRITE_ONCE(fl_live_contpte, FORKLAB_CONTPTE_KERNEL);
	mutex_unlock(&fl_config_lock);
	fl_redirect_drain();
	fl_scope_exit();
}
