// SPDX-License-Identifier: GPL-2.0
/*
 * fl_ipmodify_user: another IPMODIFY ftrace user on copy_page_range(), for
 * tests/vm/t-conflict.sh.  ftrace allows one user per function that may
 * change where it resumes, so this module and forklab's redirect must
 * exclude each other cleanly, whichever comes first.
 *
 *   kind=kprobe  a kprobe with a post_handler, which the kernel arms through
 *                its IPMODIFY ftrace_ops where it has KPROBES_ON_FTRACE
 *                (x86_64).  Where the kprobe is a breakpoint instead (arm64)
 *                there is nothing to conflict with: loading is refused.
 *   kind=ftrace  what a livepatch registers: an IPMODIFY ftrace_ops on the
 *                function, whose handler leaves the ip alone.
 *
 * The read-only parameter hits counts the calls seen, so that a test can
 * show the user is live.
 *
 *   lurk=FUNC    besides: a thread that keeps trying to register an
 *                IPMODIFY ftrace_ops on FUNC until it gets it (lurk_got
 *                says when), for tests/vm/t-config-fail.sh.  While forklab
 *                holds FUNC (a contpte helper) every try fails; the moment
 *                forklab lets go, even for a few milliseconds inside one
 *                SET_CONFIG, the lurker has it.  A change that tears its
 *                old state down first and restores it on failure loses it.
 */
#include <linux/atomic.h>
#include <linux/ftrace.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#define FL_TARGET "copy_page_range"

static char *kind;
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "kprobe or ftrace: which IPMODIFY user to put on " FL_TARGET);

static atomic_long_t fl_hits = ATOMIC_LONG_INIT(0);

static int fl_hits_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%ld\n", atomic_long_read(&fl_hits));
}

static int fl_hits_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;	/* a counter, not a setting */
}

static const struct kernel_param_ops fl_hits_ops = {
	.set = fl_hits_set,
	.get = fl_hits_get,
};
module_param_cb(hits, &fl_hits_ops, NULL, 0444);
MODULE_PARM_DESC(hits, "calls of " FL_TARGET " seen (read-only)");

static const char *fl_why(int err)
{
	switch (err) {
	case -EBUSY:
		return " (another ftrace user already modifies its instruction pointer, "
		       "e.g. forklab's redirect; see /sys/kernel/tracing/enabled_functions)";
	case -ENOENT:
		return " (no such symbol)";
	case -EINVAL:
		return " (the function cannot be traced or probed here)";
	default:
		return "";
	}
}

/* kind=kprobe */

static int fl_kprobe_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_long_inc(&fl_hits);
	return 0;
}

/* Does nothing: having one is what makes an ftrace-based kprobe IPMODIFY. */
static void fl_kprobe_post(struct kprobe *p, struct pt_regs *regs, unsigned long flags)
{
}

static struct kprobe fl_kprobe = {
	.symbol_name = FL_TARGET,
	.pre_handler = fl_kprobe_pre,
	.post_handler = fl_kprobe_post,
};

static int fl_kprobe_start(void)
{
	int ret = register_kprobe(&fl_kprobe);

	if (ret) {
		pr_err("fl_ipmodify_user: register_kprobe on %s failed: error %d%s\n",
		       FL_TARGET, ret, fl_why(ret));
		return ret;
	}
	if (!(fl_kprobe.flags & KPROBE_FLAG_FTRACE)) {
		unregister_kprobe(&fl_kprobe);
		pr_err("fl_ipmodify_user: this kernel arms the kprobe on %s by breakpoint, not "
		       "through ftrace (no KPROBES_ON_FTRACE), so there is no IPMODIFY conflict "
		       "to test; not loading\n", FL_TARGET);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* kind=ftrace */

static void notrace fl_ftrace_handler(unsigned long ip, unsigned long parent_ip,
				      struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	atomic_long_inc(&fl_hits);
}

/*
 * As a livepatch: IPMODIFY and PERMANENT.  Full regs where the architecture
 * has them (x86), as forklab asks; arm64 only has WITH_ARGS.
 */
#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS
#define FL_SAVE_REGS	FTRACE_OPS_FL_SAVE_REGS
#else
#define FL_SAVE_REGS	0
#endif

static struct ftrace_ops fl_ftrace_ops = {
	.func = fl_ftrace_handler,
	.flags = FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_PERMANENT | FL_SAVE_REGS,
};

static void fl_ftrace_clear_filter(void)
{
	ftrace_set_filter(&fl_ftrace_ops, NULL, 0, 1);
}

static int fl_ftrace_start(void)
{
	char name[] = FL_TARGET;	/* the filter parser may write into it */
	int ret;

	/* by name: a module cannot look the address up, ftrace can */
	ret = ftrace_set_filter(&fl_ftrace_ops, name, strlen(name), 1);
	if (ret) {
		pr_err("fl_ipmodify_user: cannot set the ftrace filter on %s: error %d%s\n",
		       FL_TARGET, ret, fl_why(ret));
		return ret;
	}
	ret = register_ftrace_function(&fl_ftrace_ops);
	if (ret) {
		pr_err("fl_ipmodify_user: registering the IPMODIFY ftrace_ops on %s failed: "
		       "error %d%s\n", FL_TARGET, ret, fl_why(ret));
		fl_ftrace_clear_filter();
		return ret;
	}
	return 0;
}

/* lurk=FUNC */

static char *lurk;
module_param(lurk, charp, 0444);
MODULE_PARM_DESC(lurk, "also keep trying to take FUNC with an IPMODIFY ftrace_ops until it is free");

static atomic_t fl_lurk_got = ATOMIC_INIT(0);
module_param_named(lurk_got, fl_lurk_got.counter, int, 0444);
MODULE_PARM_DESC(lurk_got, "1 once the lurker holds its function (read-only)");

static void notrace fl_lurk_handler(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
}

static struct ftrace_ops fl_lurk_ops = {
	.func = fl_lurk_handler,
	.flags = FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_PERMANENT | FL_SAVE_REGS,
};
static struct task_struct *fl_lurk_task;

/* Retries every 20-50 us: a gap of a millisecond is enough to lose the function. */
static int fl_lurk_fn(void *unused)
{
	while (!kthread_should_stop()) {
		if (!atomic_read(&fl_lurk_got) && !register_ftrace_function(&fl_lurk_ops)) {
			atomic_set(&fl_lurk_got, 1);
			pr_info("fl_ipmodify_user: the lurker took %s\n", lurk);
		}
		usleep_range(20, 50);
	}
	return 0;
}

static int fl_lurk_start(void)
{
	int ret = ftrace_set_filter(&fl_lurk_ops, lurk, strlen(lurk), 1);

	if (ret) {
		pr_err("fl_ipmodify_user: cannot set the ftrace filter on %s: error %d%s\n",
		       lurk, ret, fl_why(ret));
		return ret;
	}
	fl_lurk_task = kthread_run(fl_lurk_fn, NULL, "fl_lurker");
	if (IS_ERR(fl_lurk_task)) {
		ftrace_set_filter(&fl_lurk_ops, NULL, 0, 1);
		return PTR_ERR(fl_lurk_task);
	}
	return 0;
}

static void fl_lurk_stop(void)
{
	kthread_stop(fl_lurk_task);
	if (atomic_read(&fl_lurk_got))
		unregister_ftrace_function(&fl_lurk_ops);
	ftrace_set_filter(&fl_lurk_ops, NULL, 0, 1);
}

static bool fl_is_kprobe;

static void fl_main_stop(void)
{
	if (fl_is_kprobe) {
		unregister_kprobe(&fl_kprobe);
	} else {
		unregister_ftrace_function(&fl_ftrace_ops);
		fl_ftrace_clear_filter();
	}
}

static int __init fl_init(void)
{
	int ret;

	if (kind && !strcmp(kind, "kprobe"))
		fl_is_kprobe = true;
	else if (!kind || strcmp(kind, "ftrace")) {
		pr_err("fl_ipmodify_user: kind=kprobe or kind=ftrace, please (got '%s')\n",
		       kind ?: "");
		return -EINVAL;
	}
	ret = fl_is_kprobe ? fl_kprobe_start() : fl_ftrace_start();
	if (ret)
		return ret;
	pr_info("fl_ipmodify_user: %s IPMODIFY user on %s registered\n", kind, FL_TARGET);
	if (lurk) {
		ret = fl_lurk_start();
		if (ret) {
			fl_main_stop();
			return ret;
		}
		pr_info("fl_ipmodify_user: lurking for %s\n", lurk);
	}
	return 0;
}

static void __exit fl_exit(void)
{
	if (lurk)
		fl_lurk_stop();
	fl_main_stop();
	pr_info("fl_ipmodify_user: %s user on %s removed after %ld hits\n", kind, FL_TARGET,
		atomic_long_read(&fl_hits));
}

module_init(fl_init);
module_exit(fl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("forklab test: a second IPMODIFY ftrace user (kprobe or livepatch-like) on copy_page_range");
