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

/*
 * A change goes in two phases so that a failure never has anything to
 * restore but variables: first whatever can fail (registering the contpte
 * hooks, then the copy_page_range redirect), each undone on failure by
 * unregistering what this very change registered, which cannot fail; then
 * the teardowns the new state wants (unregistering), which cannot fail
 * either.  Tearing the old state down first and putting it back on failure
 * is wrong: re-registering can fail (another IPMODIFY user may have taken a
 * helper in between), and the old configuration would be lost.
 */

/* Phase 1 for the policy: registers the hooks it needs; *@registered if it did. */
static int fl_config_prepare_contpte(unsigned int policy, bool *registered)
{
	unsigned int old = fl_live_contpte;
	int ret;

	*registered = false;
	if (policy == FORKLAB_CONTPTE_KERNEL)
		return 0;	/* the hooks go (if they were there) in phase 2 */
	/* as for modes: the first hooked call must see the new policy */
	WRITE_ONCE(fl_live_contpte, policy);
	if (old != FORKLAB_CONTPTE_KERNEL)
		return 0;	/* the hooks are registered already */
	ret = fl_contpte_hook_register();
	if (ret)
		WRITE_ONCE(fl_live_contpte, old);
	else
		*registered = true;
	return ret;
}

/* Undoes phase 1 for the policy, after a later failure; cannot fail. */
static void fl_config_undo_contpte(unsigned int old, bool registered)
{
	if (registered)
		fl_contpte_hook_unregister();
	WRITE_ONCE(fl_live_contpte, old);
}

/* Phase 2 for the policy: cannot fail. */
static void fl_config_commit_contpte(unsigned int policy)
{
	if (policy == FORKLAB_CONTPTE_KERNEL) {
		fl_contpte_hook_unregister();
		WRITE_ONCE(fl_live_contpte, policy);
	}
}

/* Phase 1 for the mode: registers the redirect if the mode needs it. */
static int fl_config_prepare_mode(unsigned int mode)
{
	unsigned int old = fl_live_mode;
	int ret;

	if (!fl_mode_supported(mode))
		return -EINVAL;
	if (!fl_mode(mode)->needs_redirect)
		return 0;	/* unregistered (if it was) in phase 2 */
	/* Publish the mode first: the first redirected fork must see it. */
	WRITE_ONCE(fl_live_mode, mode);
	ret = fl_redirect_register();
	if (ret)
		WRITE_ONCE(fl_live_mode, old);
	return ret;
}

/* Phase 2 for the mode: cannot fail. */
static void fl_config_commit_mode(unsigned int mode)
{
	if (fl_mode(mode)->needs_redirect)
		return;
	/* Unregister first, so that no fork is redirected into a no-redirect mode. */
	fl_redirect_unregister();
	WRITE_ONCE(fl_live_mode, mode);
}

/*
 * Mode and/or policy (@set: FORKLAB_CONFIG_SET_MODE / _SET_CONTPTE), all
 * or nothing; called with the config mutex held.
 */
static int fl_config_apply(unsigned int set, unsigned int mode, unsigned int policy)
{
	unsigned int old_contpte = fl_live_contpte;
	bool registered = false;
	int ret;

	if (set & FORKLAB_CONFIG_SET_CONTPTE) {
		ret = fl_config_prepare_contpte(policy, &registered);
		if (ret)
			return ret;
	}
	if (set & FORKLAB_CONFIG_SET_MODE) {
		ret = fl_config_prepare_mode(mode);
		if (ret) {
			if (set & FORKLAB_CONFIG_SET_CONTPTE)
				fl_config_undo_contpte(old_contpte, registered);
			return ret;
		}
		fl_config_commit_mode(mode);
	}
	if (set & FORKLAB_CONFIG_SET_CONTPTE)
		fl_config_commit_contpte(policy);
	return 0;
}

int fl_config_set(const struct forklab_config *cfg)
{
	struct fl_scope *scope = NULL;
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
	ret = fl_config_apply(cfg->flags & (FORKLAB_CONFIG_SET_MODE | FORKLAB_CONFIG_SET_CONTPTE),
			      cfg->mode, cfg->contpte_policy);
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
	ret = fl_config_apply(FORKLAB_CONFIG_SET_MODE | FORKLAB_CONFIG_SET_CONTPTE,
			      initial_mode, initial_contpte);
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
