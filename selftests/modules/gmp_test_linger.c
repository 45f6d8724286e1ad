// SPDX-License-Identifier: GPL-2.0
/*
 * Test module: leaves a goroutine sleeping for @linger_ms after init, so
 * the harness can check that the module pin refuses rmmod while the
 * goroutine lives and allows it once the goroutine has exited.
 */
#include <linux/module.h>
#include <gmp.h>

static unsigned int linger_ms = 3000;
module_param(linger_ms, uint, 0444);
MODULE_PARM_DESC(linger_ms, "how long the goroutine sleeps");

static void gmp_test_linger_fn(void *arg)
{
	gmp_sleep((u64)linger_ms * NSEC_PER_MSEC);
	pr_info("gmp_test_linger: goroutine %llu done\n", gmp_goid());
}

static int __init gmp_test_linger_init(void)
{
	return gmp_go(gmp_test_linger_fn, NULL);
}

static void __exit gmp_test_linger_exit(void)
{
}

module_init(gmp_test_linger_init);
module_exit(gmp_test_linger_exit);
MODULE_DESCRIPTION("gmp test: a goroutine pins its module until it exits");
MODULE_LICENSE("GPL");
