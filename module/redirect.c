// SPDX-License-Identifier: GPL-2.0
/*
 * The redirect: an IPMODIFY ftrace_ops on copy_page_range() that sends forks
 * in scope to fl_copy_page_range(), the attach/detach every forklab redirect
 * shares (contpte_hook.c has the other one), and the accounting that makes
 * unloading safe while forks run (nobody may be in module text when it goes).
 */
#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/trace_recursion.h>
#include "forklab.h"
#include "forklab_trace.h"

/* The mode the redirected path runs; written only by config.c. */
unsigned int fl_live_mode;

/*
 * Tasks between the handler's decision and the replacement's return.  A task
 * may sleep in there (page-table allocation), where RCU-tasks no longer sees
 * it, so unload waits for this to reach zero before anything else.
 */
static atomic_long_t fl_in_flight = ATOMIC_LONG_INIT(0);

/* A handler sends a task to a replacement: counted until it leaves. */
void notrace fl_redirect_enter(void)
{
	atomic_long_inc(&fl_in_flight);
}

/* The replacement's last step, after which it touches no module data. */
void fl_redirect_leave(void)
{
	atomic_long_dec(&fl_in_flight);
}

/*
 * Runs instead of copy_page_range() for redirected forks.  Same signature:
 * the ftrace trampoline resumes here with the original arguments in place.
 */
static noinline int fl_copy_page_range(struct vm_area_struct *dst_vma,
				       struct vm_area_struct *src_vma)
{
	unsigned int mode = READ_ONCE(fl_live_mode);
	u64 start = ktime_get_ns(), ns;
	int ret;

	ret = fl_mode(mode)->copy_page_range(dst_vma, src_vma);
	ns = ktime_get_ns() - start;
	fl_stats_call(mode, ns, ret);
	trace_copy_page_range(mode, src_vma->vm_start, src_vma->vm_end, ns, ret);
	fl_redirect_leave();
	return ret;
}

static void notrace fl_ftrace_handler(unsigned long ip, unsigned long parent_ip,
				      struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	int bit;

	/*
	 * Our own call into the kernel's copy_page_range (passthrough, stock)
	 * enters past this call site (ksyms.c); should one ever come through
	 * it, it comes from module text: let it run.  This relies on that call
	 * never being a tail call, see fl_call_kernel_copy_page_range().
	 */
	if (within_module(parent_ip, THIS_MODULE))
		return;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	if (fl_scope_match(current)) {
		fl_redirect_enter();
		fl_stats_redirected();
		fl_ftrace_set_ip(fregs, (unsigned long)fl_copy_page_range);
	} else {
		fl_stats_out_of_scope();
	}
	ftrace_test_recursion_unlock(bit);
}

static struct ftrace_ops fl_ftrace_ops = {
	.func = fl_ftrace_handler,
	/*
	 * IPMODIFY: we change where the function resumes (one such user per
	 * function).  PERMANENT: kernel.ftrace_enabled=0 must fail rather than
	 * silently switch the experimental path off under a running experiment.
	 * No FTRACE_OPS_FL_RECURSION: the handler takes the recursion lock
	 * itself (which also disables preemption), as livepatch does.
	 */
	.flags = FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_PERMANENT | FL_FTRACE_SAVE_REGS,
};

/*
 * Attaches @ops to the function at @ip (@name, for the messages) and
 * registers it; on failure nothing stays attached and the kernel log says
 * what failed and what to do.
 */
int fl_ftrace_attach(struct ftrace_ops *ops, unsigned long ip, const char *name)
{
	int ret = ftrace_set_filter_ip(ops, ip, 0, 0);

	if (ret == -EINVAL) {
		pr_err("forklab: %s is not traceable on this kernel "
		       "(not in /sys/kernel/tracing/available_filter_functions)\n", name);
		return -EOPNOTSUPP;
	}
	if (ret) {
		pr_err("forklab: cannot set the ftrace filter on %s: error %d\n", name, ret);
		return ret;
	}
	ret = register_ftrace_function(ops);
	if (!ret)
		return 0;
	if (ret == -EBUSY)
		pr_err("forklab: cannot redirect %s: another ftrace user already modifies its "
		       "instruction pointer (a livepatch, or a kprobe with a post_handler), or "
		       "kernel.ftrace_enabled is 0. Check /sys/kernel/tracing/enabled_functions and "
		       "'sysctl kernel.ftrace_enabled', remove the other user, then retry\n", name);
	else
		pr_err("forklab: registering the ftrace redirect of %s failed: error %d\n", name, ret);
	ftrace_set_filter_ip(ops, ip, 1, 0);
	return ret;
}

/*
 * For a module's ops, unregistering waits for RCU-tasks: once it returns, no
 * task is still in the handler or the trampoline.  Tasks already sent to a
 * replacement finish there with the setting they read.
 */
void fl_ftrace_detach(struct ftrace_ops *ops, unsigned long ip)
{
	int ret = unregister_ftrace_function(ops);

	WARN_ON_ONCE(ret);
	ftrace_set_filter_ip(ops, ip, 1, 0);
}

static bool fl_registered;

/* Called with the config mutex held. */
int fl_redirect_register(void)
{
	int ret;

	if (fl_registered)
		return 0;
	ret = fl_ftrace_attach(&fl_ftrace_ops, (unsigned long)fl_kernel_copy_page_range,
			       "copy_page_range");
	if (ret)
		return ret;
	fl_registered = true;
	fl_stats_registered();
	return 0;
}

/* Called with the config mutex held. */
void fl_redirect_unregister(void)
{
	if (!fl_registered)
		return;
	fl_ftrace_detach(&fl_ftrace_ops, (unsigned long)fl_kernel_copy_page_range);
	fl_registered = false;
}

long fl_redirect_in_flight(void)
{
	return atomic_long_read(&fl_in_flight);
}

/*
 * Before the module text goes: after unregistering, wait for the tasks that
 * were sent to the replacement (they may sleep there), then for RCU-tasks so
 * that none of them is between the final decrement and its return.
 */
void fl_redirect_drain(void)
{
	unsigned long waited_ms = 0;

	synchronize_rcu_tasks();
	while (atomic_long_read(&fl_in_flight) > 0) {
		msleep(1);
		if (++waited_ms % 5000 == 0)
			pr_warn("forklab: unload waiting for %ld task(s) still copying page tables\n",
				atomic_long_read(&fl_in_flight));
	}
	synchronize_rcu_tasks();
}
