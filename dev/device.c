// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/gmp: the misc device, its file operations and the one dispatch of
 * every GMP_IOC_* ioctl, with the copy-in/out rules of the extensible
 * ioctl structs (uapi/gmp.h). The jobs behind SUBMIT, WAIT and CANCEL are
 * in dev/job.c; the scheduler's design essay is at the top of
 * sched/proc.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/cpumask.h>
#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/poll.h>
#include <linux/build_bug.h>

#include "dev.h"

/**
 * gmp_version_fill() - fill the output fields of GMP_IOC_VERSION
 * @v: struct to fill; @size and @flags are left alone
 *
 * Context: any.
 */
void gmp_version_fill(struct gmp_version *v)
{
	v->abi_major = GMP_ABI_MAJOR;
	v->abi_minor = GMP_ABI_MINOR;
	v->features = IS_ENABLED(CONFIG_KUNIT) ? GMP_FEAT_KUNIT : 0;
	v->nr_cpus = nr_cpu_ids;
}

/**
 * gmp_uapi_copy_in() - copy in an extensible ioctl struct
 * @kbuf:	kernel copy, @ksize bytes
 * @ksize:	sizeof() the struct this module knows
 * @minsize:	size of the struct's first published version
 * @uarg:	user pointer; its first __u64 is the caller's size
 * @usize:	out: the caller's size
 *
 * Context: process context; may fault.
 * Return: 0; -EFAULT for a bad pointer; -EINVAL for a size below @minsize;
 * -E2BIG for a size over a page or a non-zero tail this module does not know.
 */
int gmp_uapi_copy_in(void *kbuf, size_t ksize, size_t minsize,
		     const void __user *uarg, u64 *usize)
{
	u64 sz;

	if (get_user(sz, (const u64 __user *)uarg))
		return -EFAULT;
	if (sz < minsize)
		return -EINVAL;
	if (sz > PAGE_SIZE)
		return -E2BIG;
	*usize = sz;
	return copy_struct_from_user(kbuf, ksize, uarg, sz);
}

/**
 * gmp_uapi_copy_out() - copy an extensible ioctl struct back to the caller
 * @uarg:	user pointer
 * @kbuf:	kernel copy
 * @ksize:	sizeof() the struct this module knows
 * @usize:	the caller's size, from gmp_uapi_copy_in()
 *
 * Only the part both sides know is written.
 *
 * Context: process context; may fault.
 * Return: 0 or -EFAULT.
 */
int gmp_uapi_copy_out(void __user *uarg, const void *kbuf, size_t ksize,
		      u64 usize)
{
	if (copy_to_user(uarg, kbuf, min_t(u64, ksize, usize)))
		return -EFAULT;
	return 0;
}

static long gmp_ioctl_version(void __user *uarg)
{
	struct gmp_version v;
	u64 usize;
	int ret;

	ret = gmp_uapi_copy_in(&v, sizeof(v), GMP_VERSION_SIZE_VER0, uarg,
			       &usize);
	if (ret)
		return ret;
	if (v.flags)
		return -EINVAL;
	gmp_version_fill(&v);
	v.size = sizeof(v);
	return gmp_uapi_copy_out(uarg, &v, sizeof(v), usize);
}

/* Copy the per-P array out, each entry cut to the caller's entry size. */
static int gmp_stats_copy_p(const struct gmp_stats *st,
			    const struct gmp_stats_p *per_p, int n)
{
	u8 __user *dst = u64_to_user_ptr(st->percpu_ptr);
	size_t esz = min_t(u64, st->percpu_size, sizeof(*per_p));
	int i;

	for (i = 0; i < n; i++) {
		if (copy_to_user(dst + i * st->percpu_size, &per_p[i], esz))
			return -EFAULT;
		if (st->percpu_size > esz &&
		    clear_user(dst + i * st->percpu_size + esz,
			       st->percpu_size - esz))
			return -EFAULT;
	}
	return 0;
}

static long gmp_ioctl_stats(void __user *uarg)
{
	struct gmp_stats_p *per_p = NULL;
	struct gmp_stats st;
	u64 usize;
	int n, ret;

	ret = gmp_uapi_copy_in(&st, sizeof(st), GMP_STATS_SIZE_VER0, uarg,
			       &usize);
	if (ret)
		return ret;
	if (st.flags & ~GMP_STATS_RESET_PEAK)
		return -EINVAL;
	if ((st.flags & GMP_STATS_RESET_PEAK) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (st.percpu_cap > GMP_STATS_MAX_P)
		return -EINVAL;
	if (st.percpu_cap && (!st.percpu_ptr ||
			      st.percpu_size < GMP_STATS_P_SIZE_VER0 ||
			      st.percpu_size > PAGE_SIZE))
		return -EINVAL;
	if (st.percpu_cap) {
		per_p = kcalloc(st.percpu_cap, sizeof(*per_p), GFP_KERNEL);
		if (!per_p)
			return -ENOMEM;
	}
	n = gmp_stats_snapshot(&st, per_p, st.percpu_cap);
	if (st.flags & GMP_STATS_RESET_PEAK)
		gmp_stats_reset_peak();
	st.nr_p = n;
	ret = per_p ? gmp_stats_copy_p(&st, per_p, n) : 0;
	kfree(per_p);
	if (ret)
		return ret;
	st.size = sizeof(st);
	return gmp_uapi_copy_out(uarg, &st, sizeof(st), usize);
}

static long gmp_ioctl_maxprocs(void __user *uarg, bool set)
{
	struct gmp_maxprocs mp;
	u64 usize;
	int ret;

	ret = gmp_uapi_copy_in(&mp, sizeof(mp), GMP_MAXPROCS_SIZE_VER0, uarg,
			       &usize);
	if (ret)
		return ret;
	if (mp.flags)
		return -EINVAL;
	if (set) {
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (mp.maxprocs > GMP_MAXPROCS_MAX)
			return -EINVAL;
		ret = gmp_set_maxprocs(mp.maxprocs);
		if (ret < 0)
			return ret;
	}
	mp.maxprocs = gmp_get_maxprocs();
	mp.target = READ_ONCE(gmp_sched.maxprocs_target);
	mp.size = sizeof(mp);
	return gmp_uapi_copy_out(uarg, &mp, sizeof(mp), usize);
}

static int gmp_open(struct inode *inode, struct file *file)
{
	struct gmp_file *f = gmp_file_open();

	if (!f)
		return -ENOMEM;
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int gmp_release(struct inode *inode, struct file *file)
{
	gmp_file_release(file->private_data);
	return 0;
}

static __poll_t gmp_poll(struct file *file, struct poll_table_struct *wait)
{
	return gmp_file_poll(file->private_data, file, wait);
}

/*
 * A file opened read-only may observe (VERSION, STATS, GET_MAXPROCS);
 * what submits, collects, cancels or changes something needs the file
 * open for writing, as write(2) would.
 */
static bool gmp_ioctl_needs_write(unsigned int cmd)
{
	switch (cmd) {
	case GMP_IOC_SET_MAXPROCS:
	case GMP_IOC_SUBMIT:
	case GMP_IOC_WAIT:
	case GMP_IOC_CANCEL:
		return true;
	}
	return false;
}

static long gmp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (gmp_ioctl_needs_write(cmd) && !(file->f_mode & FMODE_WRITE))
		return -EBADF;
	switch (cmd) {
	case GMP_IOC_VERSION:
		return gmp_ioctl_version(uarg);
	case GMP_IOC_STATS:
		return gmp_ioctl_stats(uarg);
	case GMP_IOC_GET_MAXPROCS:
		return gmp_ioctl_maxprocs(uarg, false);
	case GMP_IOC_SET_MAXPROCS:
		return gmp_ioctl_maxprocs(uarg, true);
	case GMP_IOC_SUBMIT:
		return gmp_job_submit(file->private_data, uarg);
	case GMP_IOC_WAIT:
		return gmp_job_wait(file->private_data, uarg);
	case GMP_IOC_CANCEL:
		return gmp_job_cancel_ioctl(file->private_data, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations gmp_fops = {
	.owner		= THIS_MODULE,
	.open		= gmp_open,
	.release	= gmp_release,
	.poll		= gmp_poll,
	.unlocked_ioctl	= gmp_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice gmp_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= GMP_DEVICE_NAME,
	.fops	= &gmp_fops,
};

/**
 * gmp_dev_init() - set up the device layer's limits and job kinds
 *
 * Before the scheduler starts: from here on, goroutines spawned from
 * outside any goroutine are charged to the default group.
 *
 * Context: module init.
 * Return: 0 or -ENOMEM.
 */
int gmp_dev_init(void)
{
	BUILD_BUG_ON(sizeof(struct gmp_version) != GMP_VERSION_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_stats) != GMP_STATS_SIZE_VER1);
	BUILD_BUG_ON(sizeof(struct gmp_stats_p) != GMP_STATS_P_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_maxprocs) != GMP_MAXPROCS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_job_submit) != GMP_JOB_SUBMIT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_job_wait) != GMP_JOB_WAIT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_job_cancel) != GMP_JOB_CANCEL_SIZE_VER0);

	gmp_limits_init();
	return gmp_kinds_init();
}

/**
 * gmp_dev_exit() - undo gmp_dev_init()
 *
 * Context: module exit, after every goroutine has exited (the workqueue
 * is drained here).
 */
void gmp_dev_exit(void)
{
	gmp_kinds_exit();
	gmp_limits_exit();
}

/**
 * gmp_dev_register() - create /dev/gmp
 * @mode: its permission bits (the dev_mode parameter, checked)
 *
 * Context: module init, once the scheduler runs.
 * Return: 0, or misc_register()'s error (logged).
 */
int gmp_dev_register(unsigned int mode)
{
	int ret;

	gmp_miscdev.mode = mode;
	ret = misc_register(&gmp_miscdev);
	if (ret)
		pr_err("cannot register /dev/%s: %d\n", GMP_DEVICE_NAME, ret);
	return ret;
}

/* Remove /dev/gmp: module exit, with no file open. */
void gmp_dev_unregister(void)
{
	misc_deregister(&gmp_miscdev);
}
