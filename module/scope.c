// SPDX-License-Identifier: GPL-2.0
/*
 * Scope: which forks take the experimental path while a mode is live.  The
 * handler reads the scope under RCU on every fork, so it is an immutable
 * object replaced whole.
 */
#include <linux/cgroup.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "forklab.h"

struct fl_scope {
	u32 kind;			/* enum forklab_scope */
	pid_t tgid;			/* FORKLAB_SCOPE_PID */
	size_t comm_len;		/* FORKLAB_SCOPE_COMM */
	struct cgroup *cgroup;		/* FORKLAB_SCOPE_CGROUP, referenced */
	char arg[FORKLAB_SCOPE_ARG_LEN];
	struct rcu_head rcu;
};

static struct fl_scope fl_scope_all = { .kind = FORKLAB_SCOPE_ALL };
static struct fl_scope __rcu *fl_scope = &fl_scope_all;
static DEFINE_MUTEX(fl_scope_lock);

bool notrace fl_scope_match(struct task_struct *task)
{
	const struct fl_scope *s;
	bool match;

	rcu_read_lock();
	s = rcu_dereference(fl_scope);
	switch (s->kind) {
	case FORKLAB_SCOPE_PID:
		match = task->tgid == s->tgid;
		break;
	case FORKLAB_SCOPE_COMM:
		match = strncmp(task->comm, s->arg, s->comm_len) == 0;
		break;
	case FORKLAB_SCOPE_CGROUP:
		match = task_under_cgroup_hierarchy(task, s->cgroup);
		break;
	default:
		match = true;
		break;
	}
	rcu_read_unlock();
	return match;
}

/* After a grace period: no fork's handler can still be reading @head's scope. */
static void fl_scope_free_rcu(struct rcu_head *head)
{
	struct fl_scope *s = container_of(head, struct fl_scope, rcu);

	if (s->cgroup)
		cgroup_put(s->cgroup);	/* a percpu_ref put: fine in softirq */
	kfree(s);
}

/* Validates cfg's scope fields and builds the scope they describe. */
struct fl_scope *fl_scope_prepare(const struct forklab_config *cfg)
{
	size_t len = strnlen(cfg->scope_arg, sizeof(cfg->scope_arg));
	struct fl_scope *s;

	if (len == sizeof(cfg->scope_arg))
		return ERR_PTR(-EINVAL);	/* not NUL-terminated */
	switch (cfg->scope) {
	case FORKLAB_SCOPE_ALL:
		if (cfg->scope_pid || len)
			return ERR_PTR(-EINVAL);
		return &fl_scope_all;
	case FORKLAB_SCOPE_PID:
		if (!cfg->scope_pid || cfg->scope_pid > PID_MAX_LIMIT || len)
			return ERR_PTR(-EINVAL);
		break;
	case FORKLAB_SCOPE_COMM:
		if (!len || len >= TASK_COMM_LEN || cfg->scope_pid)
			return ERR_PTR(-EINVAL);
		break;
	case FORKLAB_SCOPE_CGROUP:
		if (!len || cfg->scope_arg[0] != '/' || cfg->scope_pid)
			return ERR_PTR(-EINVAL);
		break;
	default:
		return ERR_PTR(-EINVAL);
	}

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->kind = cfg->scope;
	s->tgid = cfg->scope_pid;
	s->comm_len = len;
	memcpy(s->arg, cfg->scope_arg, len);
	if (s->kind == FORKLAB_SCOPE_CGROUP) {
		struct cgroup *cgrp = cgroup_get_from_path(s->arg);

		if (IS_ERR(cgrp)) {
			kfree(s);
			/* the path names no cgroup v2 directory */
			return ERR_PTR(-ENOENT);
		}
		s->cgroup = cgrp;
	}
	return s;
}

/*
 * Makes @new the live scope and returns the previous one, which forks may
 * still be reading: the caller keeps it (to swap back) or discards it.  No
 * grace period here, so that a configuration change costs microseconds.
 */
struct fl_scope *fl_scope_swap(struct fl_scope *new)
{
	struct fl_scope *old;

	mutex_lock(&fl_scope_lock);
	old = rcu_replace_pointer(fl_scope, new, lockdep_is_held(&fl_scope_lock));
	mutex_unlock(&fl_scope_lock);
	return old;
}

/* Drops a scope that is not live; it is freed once no fork can see it. */
void fl_scope_discard(struct fl_scope *s)
{
	if (s != &fl_scope_all)
		call_rcu(&s->rcu, fl_scope_free_rcu);
}

void fl_scope_get(struct forklab_config *cfg)
{
	const struct fl_scope *s;

	rcu_read_lock();
	s = rcu_dereference(fl_scope);
	cfg->scope = s->kind;
	cfg->scope_pid = s->tgid;
	memcpy(cfg->scope_arg, s->arg, sizeof(cfg->scope_arg));
	rcu_read_unlock();
}

void fl_scope_exit(void)
{
	fl_scope_discard(fl_scope_swap(&fl_scope_all));
	/* no callback of ours may run once the module text is gone */
	rcu_barrier();
}
