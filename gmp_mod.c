// SPDX-License-Identifier: GPL-2.0
/*
 * gmp: Go's G/M/P goroutine scheduler as a kernel module. Here: module
 * parameters, the KUnit run, and bringing dev/, sync/ and sched/ up and
 * down. The design essay is at the top of sched/proc.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/test.h>

#include "uapi/gmp.h"
#include "gmp_mod.h"
#include "dev/dev.h"
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

#if IS_ENABLED(CONFIG_KUNIT)
static bool run_kunit;
module_param(run_kunit, bool, 0444);
MODULE_PARM_DESC(run_kunit, "run gmp's KUnit suites at load (results in debugfs kunit/)");

static char *kunit_suites;
module_param(kunit_suites, charp, 0444);
MODULE_PARM_DESC(kunit_suites, "with run_kunit: comma-separated suite names to run (default: all)");

static struct kunit_suite **gmp_kunit_run_list;
static int gmp_kunit_nr_run;

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

	ret = gmp_params_check(&params);
	if (ret)
		return ret;

	gmp_timeslice_us = params.timeslice_ms * USEC_PER_MSEC;
	gmp_handoff_grace_us = params.handoff_grace_us;
	gmp_schedtrace_ms = params.schedtrace_ms;
	ret = gmp_dev_init();
	if (ret)
		return ret;
	ret = gmp_schedinit(params.maxprocs);
	if (ret) {
		pr_err("cannot start the scheduler: %d\n", ret);
		gmp_dev_exit();
		return ret;
	}
	gmp_stats_init();
	ret = gmp_dev_register(params.dev_mode);
	if (ret) {
		gmp_stats_exit();
		gmp_sched_shutdown();
		gmp_after_cancel_all();
		gmp_dev_exit();
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
	gmp_dev_unregister();
	gmp_stats_exit();
	gmp_sched_shutdown();
	gmp_after_cancel_all();
	gmp_dev_exit();
	pr_info("unloaded\n");
}

module_init(gmp_init);
module_exit(gmp_exit);

MODULE_DESCRIPTION("gmp: Go's G/M/P goroutine scheduler in the kernel");
MODULE_AUTHOR("gmp authors");
MODULE_LICENSE("GPL");
