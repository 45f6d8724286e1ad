// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for stop-the-world, GOMAXPROCS changes and CPU hotplug
 * (sched/procresize.c), and Go's TestPingPongHog, which needs one P.
 *
 * Strategy: real load (goroutines spawning goroutines, each recorded in
 * an exactly-once bitmap) runs while the test thread resizes or takes a
 * CPU down; afterwards every G must have run exactly once and GOMAXPROCS
 * must be what was asked for, clamped to the online CPUs.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/vmalloc.h>

#include "sched.h"
#include "kunit_util.h"

struct load {
	unsigned long *seen;
	struct load_item_arg *items;
	atomic_t next;
	atomic_t ran;
	atomic_t dups;
	atomic_t producers;
	int n;
};

struct load_item_arg {
	struct load *l;
	int idx;
};

static void load_leaf(void *arg)
{
	struct load_item_arg *a = arg;

	if (test_and_set_bit(a->idx, a->l->seen))
		atomic_inc(&a->l->dups);
	gmp_yield();		/* be queued somewhere when the world stops */
	atomic_inc(&a->l->ran);
}

static void load_producer(void *arg)
{
	struct load_item_arg *items = arg;
	struct load *l = items[0].l;
	struct gmp_spawn_opts opts = { .stack = GMP_STACK_SMALL };
	int i;

	while ((i = atomic_inc_return(&l->next) - 1) < l->n) {
		while (ct_go_opts(l, load_leaf, &items[i], &opts))
			gmp_yield();
		if (i % 64 == 0)
			gmp_checkpoint();
	}
	atomic_dec(&l->producers);
}

/* Once the last G has exited: they point at both arrays. */
static void load_dtor(void *ctx)
{
	struct load *l = ctx;

	kvfree(l->items);
	kfree(l->seen);
}

static struct load *load_start(struct kunit *test, int n, int producers)
{
	struct load *l = ct_alloc_dtor(test, sizeof(*l), load_dtor);
	struct load_item_arg *items;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, l);
	l->n = n;
	l->seen = kcalloc(BITS_TO_LONGS(n), sizeof(long), GFP_KERNEL);
	items = kvcalloc(n, sizeof(*items), GFP_KERNEL);
	l->items = items;
	KUNIT_ASSERT_NOT_NULL(test, l->seen);
	KUNIT_ASSERT_NOT_NULL(test, items);
	for (i = 0; i < n; i++) {
		items[i].l = l;
		items[i].idx = i;
	}
	atomic_set(&l->producers, producers);
	for (i = 0; i < producers; i++)
		KUNIT_ASSERT_EQ(test, ct_go(l, load_producer, items), 0);
	return l;
}

static void load_finish(struct kunit *test, struct load *l)
{
	KUNIT_EXPECT_TRUE(test, wait_count(&l->ran, l->n));
	KUNIT_EXPECT_EQ(test, atomic_read(&l->ran), l->n);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->dups), 0);
	KUNIT_EXPECT_EQ(test, (int)bitmap_weight(l->seen, l->n), l->n);
}

static void resize_1_4_2_1_under_load_runs_each_g_once(struct kunit *test)
{
	static const unsigned int steps[] = { 1, 4, 2, 1 };
	unsigned int orig = gmp_get_maxprocs(), i;
	u64 stw = gmp_sched.stw_count;
	struct load *l = load_start(test, 20000, 2);
	int ret;

	int want, nsteps = ARRAY_SIZE(steps);
	u64 last_ns;

	for (i = 0; i < nsteps; i++) {
		msleep(20);
		want = min_t(int, steps[i], num_online_cpus());
		ret = gmp_set_maxprocs(steps[i]);
		KUNIT_EXPECT_EQ(test, ret, want);
		KUNIT_EXPECT_EQ(test, (int)gmp_get_maxprocs(), want);
	}
	load_finish(test, l);
	KUNIT_EXPECT_EQ(test, gmp_set_maxprocs(orig), (int)orig);
	stw = gmp_sched.stw_count - stw;
	last_ns = gmp_sched.stw_last_ns;
	KUNIT_EXPECT_EQ(test, stw, (u64)nsteps + 1);
	KUNIT_EXPECT_GT(test, last_ns, 0ULL);
}

struct resize_from_g_ctx {
	int ret;
	atomic_t done;
};

static void resize_from_g(void *arg)
{
	struct resize_from_g_ctx *x = arg;

	x->ret = gmp_set_maxprocs(1);
	atomic_inc(&x->done);
}

static void resize_rejects_bad_counts_and_goroutine_callers(struct kunit *test)
{
	struct resize_from_g_ctx *x = ct_alloc(test, sizeof(*x));
	unsigned int orig = gmp_get_maxprocs();

	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_EXPECT_EQ(test, gmp_set_maxprocs(GMP_MAXPROCS_MAX + 1), -EINVAL);
	KUNIT_ASSERT_EQ(test, ct_go(x, resize_from_g, x), 0);
	KUNIT_ASSERT_TRUE(test, wait_count(&x->done, 1));
	KUNIT_EXPECT_EQ(test, x->ret, -EDEADLK);
	KUNIT_EXPECT_EQ(test, gmp_get_maxprocs(), orig);
}

/* ---- Go's TestPingPongHog ------------------------------------------------ */

struct pp_pair {
	spinlock_t lock;	/* protects waiter and turn */
	struct gmp_g *waiter;
	int turn;
	long limit;
	atomic64_t *counter;
	atomic_t *stop;
	atomic_t *exited;
};

static bool pp_pair_unlock(struct gmp_g *gp, void *arg)
	__releases(&((struct pp_pair *)arg)->lock)
{
	spin_unlock(&((struct pp_pair *)arg)->lock);
	return true;
}

static void pp_pair_run(struct pp_pair *pp, int me)
{
	struct gmp_g *w;
	long i;

	while (!atomic_read(pp->stop)) {
		spin_lock(&pp->lock);
		while (pp->turn != me && !atomic_read(pp->stop)) {
			pp->waiter = gmp_self();
			gmp_park(pp_pair_unlock, pp, GMP_WAIT_PARK);
			__release(&pp->lock);	/* by pp_pair_unlock() */
			spin_lock(&pp->lock);
		}
		spin_unlock(&pp->lock);
		for (i = 0; i < pp->limit; i++) {
			atomic64_inc(pp->counter);
			if (i % 1000 == 999)
				gmp_checkpoint();
		}
		spin_lock(&pp->lock);
		pp->turn = !me;
		w = pp->waiter;
		pp->waiter = NULL;
		spin_unlock(&pp->lock);
		if (w)
			gmp_ready(w);
	}
	atomic_inc(pp->exited);
}

static void pp_pair_a(void *arg)
{
	pp_pair_run(arg, 0);
}

static void pp_pair_b(void *arg)
{
	pp_pair_run(arg, 1);
}

struct pp_hog_ctx {
	atomic64_t hog, light;
	atomic_t stop, exited;
	struct pp_pair pairs[2];
};

/*
 * Two pairs hand a token back and forth through runnext, one doing 100x
 * more work per turn. On one P each pair inherits its time slice, so
 * only sysmon's preemption lets the other pair in: the work done must be
 * within a factor of 20.
 */
static void pingpong_hog_and_light_pairs_share_one_p(struct kunit *test)
{
	unsigned int orig = gmp_get_maxprocs();
	struct pp_hog_ctx *x = ct_alloc(test, sizeof(*x));
	struct pp_pair *pairs = x ? x->pairs : NULL;
	struct gmp_g *w;
	s64 h, l;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, x);
	pairs[0] = (struct pp_pair){ .limit = 100000, .counter = &x->hog };
	pairs[1] = (struct pp_pair){ .limit = 1000, .counter = &x->light };
	KUNIT_ASSERT_EQ(test, gmp_set_maxprocs(1), 1);
	for (i = 0; i < 2; i++) {
		spin_lock_init(&pairs[i].lock);
		pairs[i].stop = &x->stop;
		pairs[i].exited = &x->exited;
		KUNIT_ASSERT_EQ(test, ct_go(x, pp_pair_a, &pairs[i]), 0);
		KUNIT_ASSERT_EQ(test, ct_go(x, pp_pair_b, &pairs[i]), 0);
	}
	msleep(1000);
	h = atomic64_read(&x->hog);
	l = atomic64_read(&x->light);
	atomic_set(&x->stop, 1);
	for (i = 0; i < 2; i++) {
		spin_lock(&pairs[i].lock);
		w = pairs[i].waiter;
		pairs[i].waiter = NULL;
		spin_unlock(&pairs[i].lock);
		if (w)
			gmp_ready(w);
	}
	KUNIT_EXPECT_TRUE(test, wait_count(&x->exited, 4));
	KUNIT_EXPECT_EQ(test, gmp_set_maxprocs(orig), (int)orig);
	KUNIT_EXPECT_GT(test, l, 0LL);
	KUNIT_EXPECT_GT(test, h, 0LL);
	KUNIT_EXPECT_LE_MSG(test, h / 20, l, "hog %lld light %lld", h, l);
	KUNIT_EXPECT_LE_MSG(test, l / 20, h, "hog %lld light %lld", h, l);
}

/* ---- CPU hotplug ------------------------------------------------------------ */

static bool p_on_cpu(unsigned int cpu)
{
	int i;

	for (i = 0; i < gmp_get_maxprocs(); i++)
		if (gmp_sched.allp[i]->cpu == cpu)
			return true;
	return false;
}

static void hotplug_under_load_moves_p_and_restores_it(struct kunit *test)
{
	unsigned int cpu = cpumask_last(cpu_online_mask);
	unsigned int before = gmp_get_maxprocs();
	struct load *l;

	if (num_online_cpus() < 2 || cpu == 0)
		kunit_skip(test, "needs 2 online CPUs, the last one removable");
	if (!p_on_cpu(cpu))
		kunit_skip(test, "no P on CPU %u", cpu);
	l = load_start(test, 10000, 2);
	msleep(20);
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	KUNIT_EXPECT_FALSE(test, p_on_cpu(cpu));
	KUNIT_EXPECT_EQ(test, gmp_get_maxprocs(), min(before, num_online_cpus()));
	msleep(50);
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	KUNIT_EXPECT_EQ(test, gmp_get_maxprocs(), before);
	KUNIT_EXPECT_TRUE(test, p_on_cpu(cpu));
	load_finish(test, l);
}

static struct kunit_case gmp_procresize_cases[] = {
	KUNIT_CASE(resize_rejects_bad_counts_and_goroutine_callers),
	KUNIT_CASE(resize_1_4_2_1_under_load_runs_each_g_once),
	KUNIT_CASE(pingpong_hog_and_light_pairs_share_one_p),
	KUNIT_CASE(hotplug_under_load_moves_p_and_restores_it),
	{}
};

struct kunit_suite gmp_procresize_test_suite = {
	.name = "gmp_procresize",
	.test_cases = gmp_procresize_cases,
};
