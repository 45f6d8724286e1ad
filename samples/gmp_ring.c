// SPDX-License-Identifier: GPL-2.0
/*
 * gmp_ring: an example driver that uses gmp's in-kernel API the way any
 * other module would -- only <gmp.h> and the exported symbols.
 *
 * At load it spawns @n goroutines on small stacks that each park, then
 * passes a token around the ring: every G, once readied, readies the
 * next one and exits. Load fails (-ETIMEDOUT or -EIO) unless every G ran
 * and every handoff happened. Build against gmp's Module.symvers:
 *
 *   make -C $KDIR M=$PWD KBUILD_EXTRA_SYMBOLS=<gmp>/Module.symvers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <gmp.h>

static unsigned int n = 100000;
module_param(n, uint, 0444);
MODULE_PARM_DESC(n, "goroutines in the ring (2..1000000)");

struct ring_node {
	spinlock_t lock;	/* protects g and token */
	struct gmp_g *g;	/* the parked G, once it parked */
	bool token;		/* the previous node passed the token on */
};

struct ring {
	struct ring_node *nodes;
	atomic_t parked;
	atomic_t handoffs;
	atomic_t exited;
	struct completion all_parked;
	struct completion done;
};

static struct ring ring;

static bool ring_unlock(struct gmp_g *gp, void *arg)
{
	struct ring_node *node = arg;

	spin_unlock(&node->lock);
	return true;
}

/* Give the token to @node, readying its G if it is parked. */
static void ring_pass(struct ring_node *node)
{
	struct gmp_g *g;

	spin_lock(&node->lock);
	node->token = true;
	g = node->g;
	node->g = NULL;
	spin_unlock(&node->lock);
	if (g)
		gmp_ready(g);
}

static void ring_fn(void *arg)
{
	long i = (long)arg;
	struct ring_node *node = &ring.nodes[i];

	spin_lock(&node->lock);
	if (atomic_inc_return(&ring.parked) == n)
		complete(&ring.all_parked);
	while (!node->token) {
		node->g = gmp_self();
		gmp_park(ring_unlock, node, GMP_WAIT_PARK);
		spin_lock(&node->lock);
	}
	spin_unlock(&node->lock);
	atomic_inc(&ring.handoffs);
	if (i + 1 < n)
		ring_pass(&ring.nodes[i + 1]);
	if (atomic_inc_return(&ring.exited) == n)
		complete(&ring.done);
}

static int __init gmp_ring_init(void)
{
	struct gmp_spawn_opts opts = { .stack = GMP_STACK_SMALL, .name = "ring" };
	ktime_t t0;
	long i;
	int ret;

	if (n < 2 || n > 1000000) {
		pr_err("n=%u out of range 2..1000000\n", n);
		return -EINVAL;
	}
	ring.nodes = vzalloc(array_size(n, sizeof(*ring.nodes)));
	if (!ring.nodes)
		return -ENOMEM;
	init_completion(&ring.all_parked);
	init_completion(&ring.done);
	for (i = 0; i < n; i++)
		spin_lock_init(&ring.nodes[i].lock);
	t0 = ktime_get();
	for (i = 0; i < n; i++) {
		ret = gmp_go_opts(ring_fn, (void *)i, &opts);
		if (ret) {
			/* Let the spawned ones finish: no G may outlive nodes. */
			pr_err("spawn %ld failed: %d\n", i, ret);
			n = i;
			if (n && atomic_read(&ring.parked) == n)
				complete(&ring.all_parked);
			break;
		}
	}
	if (n && !wait_for_completion_timeout(&ring.all_parked, 300 * HZ))
		goto timeout;
	ring_pass(&ring.nodes[0]);
	if (n && !wait_for_completion_timeout(&ring.done, 300 * HZ))
		goto timeout;
	pr_info("%u goroutines, %d handoffs in %lld us: %s\n", n,
		atomic_read(&ring.handoffs), ktime_us_delta(ktime_get(), t0),
		atomic_read(&ring.handoffs) == n && !ret ? "ok" : "FAILED");
	vfree(ring.nodes);
	return ret ?: (atomic_read(&ring.handoffs) == n ? 0 : -EIO);

timeout:
	/*
	 * A failed init frees the module whatever its refcount, and our Gs
	 * still run its code: never return while any is alive. This hangs
	 * insmod, which the hung-task detector reports.
	 */
	pr_err("stuck: %d parked, %d handoffs; waiting for them\n",
	       atomic_read(&ring.parked), atomic_read(&ring.handoffs));
	if (!completion_done(&ring.all_parked))
		wait_for_completion(&ring.all_parked);
	ring_pass(&ring.nodes[0]);
	wait_for_completion(&ring.done);
	vfree(ring.nodes);
	return -ETIMEDOUT;
}

static void __exit gmp_ring_exit(void)
{
}

module_init(gmp_ring_init);
module_exit(gmp_ring_exit);

MODULE_DESCRIPTION("gmp example: a ring of parked goroutines");
MODULE_LICENSE("GPL");
