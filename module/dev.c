// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/forklab: the versioned ioctl interface of include/uapi/forklab.h.
 * Every struct is size-prefixed; this file enforces the rules the header
 * documents (sizes, flags, reserved fields, privileges) in one place each.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include "forklab.h"

static_assert(sizeof(struct forklab_version) == FORKLAB_VERSION_SIZE_VER0);
static_assert(sizeof(struct forklab_config) == FORKLAB_CONFIG_SIZE_VER0);
static_assert(sizeof(struct forklab_stats) == FORKLAB_STATS_SIZE_VER2);
static_assert(sizeof(struct forklab_reset) == FORKLAB_RESET_SIZE_VER0);

/*
 * Copies a size-prefixed struct in.  A caller built against an older header
 * passes less (never below the first published size); a newer one may pass
 * more as long as what we do not know is zero (E2BIG otherwise, as clone3).
 * Returns the caller's size or a negative errno.
 */
static long fl_copy_in(void *kbuf, size_t ksize, size_t min_size, void __user *ubuf)
{
	u32 usize;
	int ret;

	if (get_user(usize, (u32 __user *)ubuf))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	ret = copy_struct_from_user(kbuf, ksize, ubuf, usize);
	if (ret)
		return ret;
	return usize;
}

/* Copies a struct out, as much of it as the caller has room for. */
static long fl_copy_out(void __user *ubuf, void *kbuf, size_t ksize, u32 usize)
{
	u32 n = min_t(u32, usize, ksize);

	*(u32 *)kbuf = n;
	return copy_to_user(ubuf, kbuf, n) ? -EFAULT : 0;
}

#define fl_nonzero(field)	(memchr_inv(&(field), 0, sizeof(field)) != NULL)

static long fl_ioctl_version(void __user *arg)
{
	struct forklab_version v;
	long usize = fl_copy_in(&v, sizeof(v), FORKLAB_VERSION_SIZE_VER0, arg);

	if (usize < 0)
		return usize;
	/* .flags must be 0 and everything after it is output: all zero but .size */
	v.size = 0;
	if (fl_nonzero(v))
		return -EINVAL;
	v.api_version = FORKLAB_API_VERSION;
	v.features = FORKLAB_FEAT_REDIRECT | FORKLAB_FEAT_SCOPE;
#ifndef FL_NO_WALK
	v.features |= FORKLAB_FEAT_WALK;
#endif
	if (FL_CONTPTE_SUPPORTED & ~(1U << FORKLAB_CONTPTE_KERNEL))
		v.features |= FORKLAB_FEAT_CONTPTE;
	v.contpte_supported = FL_CONTPTE_SUPPORTED;
	v.modes_supported = fl_modes_supported();
	v.mode_count = FORKLAB_MODE_COUNT;
	strscpy(v.release, utsname()->release, sizeof(v.release));
	strscpy(v.machine, utsname()->machine, sizeof(v.machine));
	strscpy(v.module_version, FL_MODULE_VERSION, sizeof(v.module_version));
	return fl_copy_out(arg, &v, sizeof(v), usize);
}

static long fl_ioctl_get_config(void __user *arg)
{
	struct forklab_config c;
	long usize = fl_copy_in(&c, sizeof(c), FORKLAB_CONFIG_SIZE_VER0, arg);

	if (usize < 0)
		return usize;
	if (c.flags || c.mode || c.scope || c.scope_pid || c.contpte_policy ||
	    fl_nonzero(c.scope_arg) || fl_nonzero(c.reserved))
		return -EINVAL;
	fl_config_get(&c);
	return fl_copy_out(arg, &c, sizeof(c), usize);
}

static long fl_ioctl_set_config(void __user *arg)
{
	struct forklab_config c;
	long usize = fl_copy_in(&c, sizeof(c), FORKLAB_CONFIG_SIZE_VER0, arg);
	long ret;

	if (usize < 0)
		return usize;
	if (fl_nonzero(c.reserved))
		return -EINVAL;
	/*
	 * The result goes back into the caller's struct: make sure it can
	 * (by writing back what it gave us) before anything changes, so that
	 * EFAULT never comes with a configuration changed behind it.
	 */
	if (copy_to_user(arg, &c, min_t(u32, usize, sizeof(c))))
		return -EFAULT;
	ret = fl_config_set(&c);
	if (ret)
		return ret;
	memset(&c, 0, sizeof(c));
	fl_config_get(&c);
	return fl_copy_out(arg, &c, sizeof(c), usize);
}

static long fl_ioctl_get_stats(void __user *arg)
{
	struct forklab_stats st;
	long usize = fl_copy_in(&st, sizeof(st), FORKLAB_STATS_SIZE_VER0, arg);
	unsigned int mode, policy;

	if (usize < 0)
		return usize;
	mode = st.mode;
	policy = st.contpte_policy;
	/* everything but size, mode and policy is output, and must come in zeroed */
	st.size = 0;
	st.mode = 0;
	st.contpte_policy = 0;
	if (fl_nonzero(st) || mode >= FORKLAB_MODE_COUNT ||
	    policy >= FORKLAB_CONTPTE_POLICY_COUNT)
		return -EINVAL;
	st.mode = mode;
	st.contpte_policy = policy;
	fl_stats_read(&st);
	return fl_copy_out(arg, &st, sizeof(st), usize);
}

static long fl_ioctl_reset_stats(void __user *arg)
{
	struct forklab_reset r;
	long usize = fl_copy_in(&r, sizeof(r), FORKLAB_RESET_SIZE_VER0, arg);

	if (usize < 0)
		return usize;
	if (r.flags || fl_nonzero(r.reserved))
		return -EINVAL;
	/* as SET_CONFIG: no reset the caller is told failed */
	if (copy_to_user(arg, &r, min_t(u32, usize, sizeof(r))))
		return -EFAULT;
	fl_stats_reset();
	return fl_copy_out(arg, &r, sizeof(r), usize);
}

/*
 * Commands are matched without the size _IOWR() encodes: the structs carry
 * their own size, so one built against an older header (a smaller struct,
 * hence another command number) is the same command.
 */
#define FL_IOC_NOSIZE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

static long fl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (FL_IOC_NOSIZE(cmd)) {
	case FL_IOC_NOSIZE(FORKLAB_IOC_VERSION):
		return fl_ioctl_version(uarg);
	case FL_IOC_NOSIZE(FORKLAB_IOC_GET_CONFIG):
		return fl_ioctl_get_config(uarg);
	case FL_IOC_NOSIZE(FORKLAB_IOC_GET_STATS):
		return fl_ioctl_get_stats(uarg);
	case FL_IOC_NOSIZE(FORKLAB_IOC_SET_CONFIG):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return fl_ioctl_set_config(uarg);
	case FL_IOC_NOSIZE(FORKLAB_IOC_RESET_STATS):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return fl_ioctl_reset_stats(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations fl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = fl_ioctl,
	/* every struct has the same layout for 32-bit callers */
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice fl_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "forklab",
	.fops = &fl_fops,
	/*
	 * Anyone may read the configuration and the statistics (forklab status,
	 * forklab stats); SET_CONFIG and RESET_STATS check CAP_SYS_ADMIN.
	 */
	.mode = 0644,
};

int fl_dev_init(void)
{
	int ret = misc_register(&fl_miscdev);

	if (ret)
		pr_err("forklab: cannot register /dev/forklab: error %d\n", ret);
	return ret;
}

void fl_dev_exit(void)
{
	misc_deregister(&fl_miscdev);
}
