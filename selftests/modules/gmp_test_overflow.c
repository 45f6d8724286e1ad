// SPDX-License-Identifier: GPL-2.0
/*
 * Test module: a goroutine overflows its stack on purpose. The guard page
 * below every gmp stack must catch it: the kernel reports "stack guard page
 * was hit" for the goroutine's stack (current->stack points at it) and
 * panics, which scripts/guest/overflow.sh expects. Never load this outside
 * a test VM.
 */
#include <linux/module.h>
#include <linux/string.h>
#include <gmp.h>

static noinline int gmp_test_recurse(int depth)
{
	char buf[256];

	memset(buf, depth, sizeof(buf));
	barrier_data(buf);	/* keep the frame: it is the point */
	if (depth > (1 << 20))
		return buf[0];
	return gmp_test_recurse(depth + 1) + buf[0];
}

static void gmp_test_overflow_fn(void *arg)
{
	pr_info("gmp_test_overflow: recursing on a %s stack\n",
		arg ? "small" : "default");
	gmp_test_recurse(0);
}

static int __init gmp_test_overflow_init(void)
{
	struct gmp_spawn_opts opts = { .stack = GMP_STACK_SMALL };

	return gmp_go_opts(gmp_test_overflow_fn, &opts, &opts);
}

static void __exit gmp_test_overflow_exit(void)
{
}

module_init(gmp_test_overflow_init);
module_exit(gmp_test_overflow_exit);
MODULE_DESCRIPTION("gmp test: goroutine stack overflow hits the guard page");
MODULE_LICENSE("GPL");
