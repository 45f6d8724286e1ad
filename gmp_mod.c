// SPDX-License-Identifier: GPL-2.0
/*
 * gmp: Go's G/M/P goroutine scheduler as a Linux kernel module.
 *
 * This file is the module's front door: load-time parameter checks, the
 * /dev/gmp misc device and its ioctl dispatch. The scheduler itself lives
 * in sched/ and its design essay is at the top of sched/proc.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/cpumask.h>
#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/poll.h>
#include <kunit/test.h>

#include "uapi/gmp.h"
#include "sched/gmp.h"
#include "sync/sync.h"

static unsigned int maxprocs;
module_param(maxprocs, uint, 0444);
MODULE_PARM_DESC(maxprocs, "initial GOMAXPROCS (0 = one P per online CPU)");

static unsigned int timeslice_ms = 10;
module_param(timeslice_ms, uint, 0444);
MODULE_PARM_DESC(timeslice_ms, "run time after which sysmon asks a G to yield (1..1000, default 10)");

static unsigned int handoff_grace_us = 200;
module_param(handoff_grace_us, uint, 0444);
MODULE_PARM_DESC(handoff_grace_us, "how long a blocked M keeps its P before sysmon hands it off (20..1000000, default 200)");

static unsigned int schedtrace_ms;
module_param(schedtrace_ms, uint, 0444);
MODULE_PARM_DESC(schedtrace_ms, "print a schedtrace line to the kernel log every N ms (0 = off, else 10..3600000)");

static unsigned int dev_mode = 0600;
module_param(dev_mode, uint, 0444);
MODULE_PARM_DESC(dev_mode, "permission bits of /dev/gmp (default 0600)");

#if IS_ENABLED(CONFIG_KUNIT)
static bool run_kunit;
module_param(run_kunit, bool, 0444);
MODULE_PARM_DESC(run_kunit, "run gmp's KUnit suites at load (results in debugfs kunit/)");

static char *kunit_suites;
module_param(kunit_suites, charp, 0444);
MODULE_PARM_DESC(kunit_suites, "with run_kunit: comma-separated suite names to run (default: all)");

static struct kunit_suite **gmp_kunit_run_list;
static int gmp_kunit_nr_run;
#endif

/**
 * gmp_params_check() - validate module parameters before anything is set up
 * @p: the values given at load
 *
 * Context: process context, module init.
 * Return: 0, or -EINVAL after logging which parameter is wrong and why.
 */
int gmp_params_check(const struct gmp_params *p)
{
	if (p->maxprocs > nr_cpu_ids) {
		pr_err("maxprocs=%u is larger than nr_cpu_ids=%u\n",
		       p->maxprocs, nr_cpu_ids);
		return -EINVAL;
	}
	if (p->timeslice_ms < 1 || p->timeslice_ms > 1000) {
		pr_err("timeslice_ms=%u: must be 1..1000\n", p->timeslice_ms);
		return -EINVAL;
	}
	if (p->handoff_grace_us < 20 || p->handoff_grace_us > 1000000) {
		pr_err("handoff_grace_us=%u: must be 20..1000000\n",
		       p->handoff_grace_us);
		return -EINVAL;
	}
	if (p->schedtrace_ms && (p->schedtrace_ms < 10 ||
				 p->schedtrace_ms > 3600000)) {
		pr_err("schedtrace_ms=%u: must be 0 or 10..3600000\n",
		       p->schedtrace_ms);
		return -EINVAL;
	}
	if (p->dev_mode & ~0666u) {
		pr_err("dev_mode=%#o: only read/write bits (0666) are allowed\n",
		       p->dev_mode);
		return -EINVAL;
	}
	return 0;
}

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
	if (st.flags)
		return -EINVAL;
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

static long gmp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case GMP_IOC_SUBMIT:
	case GMP_IOC_WAIT:
	case GMP_IOC_CANCEL:
		return gmp_file_ioctl(file->private_data, cmd, uarg);
	case GMP_IOC_VERSION:
		return gmp_ioctl_version(uarg);
	case GMP_IOC_STATS:
		return gmp_ioctl_stats(uarg);
	case GMP_IOC_GET_MAXPROCS:
		return gmp_ioctl_maxprocs(uarg, false);
	case GMP_IOC_SET_MAXPROCS:
		return gmp_ioctl_maxprocs(uarg, true);
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
	.llseek		= no_llseek,
};

static struct miscdevice gmp_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= GMP_DEVICE_NAME,
	.fops	= &gmp_fops,
};

#if IS_ENABLED(CONFIG_KUNIT)
/* Is @name in the comma-separated kunit_suites list (or is there none)? */
static bool gmp_kunit_selected(const char *name)
{
	size_t len = strlen(name);
	const char *s = kunit_suites;

	if (!s || !*s)
		return true;
	while (s) {
		if (!strncmp(s, name, len) && (s[len] == ',' || !s[len]))
			return true;
		s = strchr(s, ',');
		if (s)
			s++;
	}
	return false;
}
#endif

static void gmp_kunit_run(void)
{
#if IS_ENABLED(CONFIG_KUNIT)
	int i;

	if (!run_kunit)
		return;
	gmp_kunit_run_list = kcalloc(gmp_kunit_nr_suites,
				     sizeof(*gmp_kunit_run_list), GFP_KERNEL);
	if (!gmp_kunit_run_list)
		return;		/* the harness sees no suite results and fails */
	for (i = 0; i < gmp_kunit_nr_suites; i++)
		if (gmp_kunit_selected(gmp_kunit_suites[i]->name))
			gmp_kunit_run_list[gmp_kunit_nr_run++] = gmp_kunit_suites[i];
	__kunit_test_suites_init(gmp_kunit_run_list, gmp_kunit_nr_run);
#endif
}

static void gmp_kunit_exit(void)
{
#if IS_ENABLED(CONFIG_KUNIT)
	if (!gmp_kunit_run_list)
		return;
	__kunit_test_suites_exit(gmp_kunit_run_list, gmp_kunit_nr_run);
	kfree(gmp_kunit_run_list);
#endif
}

static int __init gmp_init(void)
{
	struct gmp_params params = {
		.maxprocs = maxprocs,
		.dev_mode = dev_mode,
		.timeslice_ms = timeslice_ms,
		.handoff_grace_us = handoff_grace_us,
		.schedtrace_ms = schedtrace_ms,
	};
	int ret;

	BUILD_BUG_ON(sizeof(struct gmp_version) != GMP_VERSION_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_stats) != GMP_STATS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_stats_p) != GMP_STATS_P_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_maxprocs) != GMP_MAXPROCS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_job_submit) != GMP_JOB_SUBMIT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_job_wait) != GMP_JOB_WAIT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct gmp_job_cancel) != GMP_JOB_CANCEL_SIZE_VER0);

	ret = gmp_params_check(&params);
	if (ret)
		return ret;

	gmp_timeslice_us = params.timeslice_ms * USEC_PER_MSEC;
	gmp_handoff_grace_us = params.handoff_grace_us;
	gmp_schedtrace_ms = params.schedtrace_ms;
	ret = gmp_job_init();
	if (ret)
		return ret;
	ret = gmp_schedinit(params.maxprocs);
	if (ret) {
		pr_err("cannot start the scheduler: %d\n", ret);
		gmp_job_exit();
		return ret;
	}
	gmp_stats_init();
	gmp_miscdev.mode = params.dev_mode;
	ret = misc_register(&gmp_miscdev);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", GMP_DEVICE_NAME, ret);
		gmp_stats_exit();
		gmp_sched_shutdown();
		gmp_after_cancel_all();
		gmp_job_exit();
		return ret;
	}
	/*
	 * The suites run after the scheduler is up, not at MODULE_STATE_COMING
	 * as kunit_test_suites() would: they test the live scheduler.
	 */
	gmp_kunit_run();
	pr_info("loaded: ABI %d.%d, /dev/%s mode %#o, GOMAXPROCS=%d, blocking detection: %s\n",
		GMP_ABI_MAJOR, GMP_ABI_MINOR, GMP_DEVICE_NAME, params.dev_mode,
		gmp_sched.gomaxprocs, gmp_blockdetect_mechanism());
	return 0;
}

static void __exit gmp_exit(void)
{
	gmp_kunit_exit();
	misc_deregister(&gmp_miscdev);
	gmp_stats_exit();
	gmp_sched_shutdown();
	gmp_after_cancel_all();
	gmp_job_exit();
	pr_info("unloaded\n");
}

module_init(gmp_init);
module_exit(gmp_exit);

MODULE_DESCRIPTION("gmp: Go's G/M/P goroutine scheduler in the kernel");
MODULE_AUTHOR("gmp authors");
MODULE_LICENSE("GPL");
