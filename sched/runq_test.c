// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for sched/runq.c and the steal order.
 *
 * Strategy: the ring functions take the P they work on, so most cases run
 * on private Ps (never in gmp_sched.allp) filled with dummy Gs that are
 * never executed. The overflow case needs the real global queue, so it
 * uses real Gs from gmp_newproc() and checks that each runs exactly once.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/slab.h>

#include "sched.h"

static struct gmp_p *test_p(struct kunit *test)
{
	struct gmp_p *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	gmp_runq_init(p);
	return p;
}

static struct gmp_g *test_gs(struct kunit *test, int n)
{
	struct gmp_g *gs = kunit_kcalloc(test, n, sizeof(*gs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, gs);
	return gs;
}

static void runq_put_get_is_fifo(struct kunit *test)
{
	struct gmp_p *p = test_p(test);
	struct gmp_g *gs = test_gs(test, 100);
	bool inherit;
	int i;

	KUNIT_EXPECT_TRUE(test, gmp_runq_empty(p));
	for (i = 0; i < 100; i++)
		gmp_runq_put(p, &gs[i], false);
	KUNIT_EXPECT_EQ(test, gmp_runq_len(p), 100u);
	for (i = 0; i < 100; i++) {
		KUNIT_EXPECT_PTR_EQ(test, gmp_runq_get(p, &inherit), &gs[i]);
		KUNIT_EXPECT_FALSE(test, inherit);
	}
	KUNIT_EXPECT_NULL(test, gmp_runq_get(p, &inherit));
	KUNIT_EXPECT_TRUE(test, gmp_runq_empty(p));
}

static void runq_runnext_runs_first_and_kicks_old_to_tail(struct kunit *test)
{
	struct gmp_p *p = test_p(test);
	struct gmp_g *gs = test_gs(test, 4);
	bool inherit;

	gmp_runq_put(p, &gs[0], false);
	gmp_runq_put(p, &gs[1], true);
	gmp_runq_put(p, &gs[2], true);	/* gs[1] goes to the ring tail */
	KUNIT_EXPECT_PTR_EQ(test, gmp_runq_get(p, &inherit), &gs[2]);
	KUNIT_EXPECT_TRUE(test, inherit);
	KUNIT_EXPECT_PTR_EQ(test, gmp_runq_get(p, &inherit), &gs[0]);
	KUNIT_EXPECT_PTR_EQ(test, gmp_runq_get(p, &inherit), &gs[1]);
	KUNIT_EXPECT_NULL(test, gmp_runq_get(p, &inherit));
}

static void runq_steal_takes_half(struct kunit *test)
{
	struct gmp_p *p = test_p(test), *thief = test_p(test);
	struct gmp_g *gs = test_gs(test, 200);
	bool inherit;
	int i, stolen;

	for (i = 0; i < 100; i++)
		gmp_runq_put(p, &gs[i], false);
	/* One G returned to run now, the rest of the half on the ring. */
	KUNIT_EXPECT_NOT_NULL(test, gmp_runq_steal(thief, p, false));
	stolen = 1 + gmp_runq_len(thief);
	KUNIT_EXPECT_EQ(test, stolen, 50);
	KUNIT_EXPECT_EQ(test, gmp_runq_len(p), 50u);
	/* Odd count: the thief takes the larger half. */
	for (i = 0; i < 50; i++)
		gmp_runq_get(p, &inherit);
	for (i = 100; i < 103; i++)
		gmp_runq_put(p, &gs[i], false);
	gmp_runq_steal(thief, p, false);
	KUNIT_EXPECT_EQ(test, gmp_runq_len(p), 1u);
}

static void runq_steal_takes_runnext_only_when_asked(struct kunit *test)
{
	struct gmp_p *p = test_p(test), *thief = test_p(test);
	struct gmp_g *gs = test_gs(test, 1);

	gmp_runq_put(p, &gs[0], true);
	KUNIT_EXPECT_NULL(test, gmp_runq_steal(thief, p, false));
	KUNIT_EXPECT_PTR_EQ(test, gmp_runq_steal(thief, p, true), &gs[0]);
	KUNIT_EXPECT_TRUE(test, gmp_runq_empty(p));
}

struct empty_race {
	struct gmp_p *p;
	atomic_t ready;
	atomic_t done;
	bool saw_empty;
};

static int empty_race_checker(void *data)
{
	struct empty_race *r = data;

	while (!atomic_read_acquire(&r->ready))
		cpu_relax();
	if (gmp_runq_empty(r->p))
		r->saw_empty = true;
	atomic_set_release(&r->done, 1);
	return 0;
}

/*
 * Go's TestSchedLocalQueueEmpty: while the owner puts one G and gets one
 * (so at least one is always queued), runqempty() must never say empty.
 */
static void runq_no_false_empty_during_put_get(struct kunit *test)
{
	struct gmp_p *p = test_p(test);
	struct gmp_g *gs = test_gs(test, 2);
	struct empty_race r = { .p = p };
	struct task_struct *t;
	bool inherit;
	int i;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 CPUs to race");
	for (i = 0; i < 2000; i++) {
		bool next0 = i & 1, next1 = i & 2;

		atomic_set(&r.ready, 0);
		atomic_set(&r.done, 0);
		gmp_runq_put(p, &gs[0], next0);
		t = kthread_run(empty_race_checker, &r, "gmp_test_empty");
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		atomic_set_release(&r.ready, 1);
		gmp_runq_put(p, &gs[1], next1);
		gmp_runq_get(p, &inherit);
		while (!atomic_read_acquire(&r.done))
			cpu_relax();
		gmp_runq_get(p, &inherit);
		KUNIT_ASSERT_FALSE_MSG(test, r.saw_empty,
				       "empty with next0=%d next1=%d", next0, next1);
		if (i % 64 == 0)
			cond_resched();
	}
}

/* Go's TestStealOrder: every enumeration visits each P exactly once. */
static void steal_order_visits_every_p_once(struct kunit *test)
{
	struct gmp_steal_order o;
	struct gmp_steal_enum e;
	unsigned long *seen;
	unsigned int count, trial;

	o.coprimes = kunit_kcalloc(test, 64, sizeof(unsigned int), GFP_KERNEL);
	seen = kunit_kcalloc(test, BITS_TO_LONGS(64), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o.coprimes);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (count = 1; count <= 64; count++) {
		gmp_steal_order_reset(&o, count);
		for (trial = 0; trial < 50; trial++) {
			unsigned int n = 0;

			bitmap_zero(seen, 64);
			gmp_steal_enum_start(&e, &o, get_random_u32());
			for (; !gmp_steal_enum_done(&e); gmp_steal_enum_next(&e)) {
				unsigned int pos = gmp_steal_enum_position(&e);

				KUNIT_ASSERT_LT(test, pos, count);
				KUNIT_ASSERT_FALSE(test, test_and_set_bit(pos, seen));
				n++;
			}
			KUNIT_ASSERT_EQ(test, n, count);
		}
	}
}

static atomic_t overflow_runs;
static atomic_t overflow_dups;
static DECLARE_BITMAP(overflow_seen, GMP_RUNQ_SIZE + 1);

static void overflow_fn(void *arg)
{
	if (test_and_set_bit((unsigned long)arg, overflow_seen))
		atomic_inc(&overflow_dups);
	atomic_inc(&overflow_runs);
}

/*
 * A full ring moves half of itself plus the new G to the global queue:
 * after 257 puts the ring holds 128, and the 129 others can only have
 * run (they are real Gs) by being taken from the global queue.
 */
static void runq_put_overflow_moves_half_to_global(struct kunit *test)
{
	struct gmp_p *p = test_p(test);
	const int n = GMP_RUNQ_SIZE + 1;
	struct gmp_g *gp;
	bool inherit;
	int i, err, waited;

	atomic_set(&overflow_runs, 0);
	atomic_set(&overflow_dups, 0);
	bitmap_zero(overflow_seen, n);
	for (i = 0; i < n; i++) {
		gp = gmp_newproc(THIS_MODULE, overflow_fn, (void *)(long)i,
				 NULL, &err);
		KUNIT_ASSERT_NOT_NULL(test, gp);
		gmp_runq_put(p, gp, false);
	}
	KUNIT_EXPECT_EQ(test, gmp_runq_len(p), (u32)GMP_RUNQ_SIZE / 2);
	gmp_wakep();	/* what gmp_g_start() does after queueing */
	for (waited = 0; atomic_read(&overflow_runs) < n - GMP_RUNQ_SIZE / 2 &&
	     waited < 10000; waited++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, atomic_read(&overflow_runs), n - GMP_RUNQ_SIZE / 2);
	/* Hand the rest to the scheduler too. */
	while ((gp = gmp_runq_get(p, &inherit)))
		gmp_globrunq_put(gp);
	gmp_wakep();
	for (waited = 0; atomic_read(&overflow_runs) < n && waited < 10000; waited++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, atomic_read(&overflow_runs), n);
	KUNIT_EXPECT_EQ(test, atomic_read(&overflow_dups), 0);
}

static struct kunit_case gmp_runq_cases[] = {
	KUNIT_CASE(runq_put_get_is_fifo),
	KUNIT_CASE(runq_runnext_runs_first_and_kicks_old_to_tail),
	KUNIT_CASE(runq_steal_takes_half),
	KUNIT_CASE(runq_steal_takes_runnext_only_when_asked),
	KUNIT_CASE(runq_no_false_empty_during_put_get),
	KUNIT_CASE(steal_order_visits_every_p_once),
	KUNIT_CASE(runq_put_overflow_moves_half_to_global),
	{}
};

struct kunit_suite gmp_runq_test_suite = {
	.name = "gmp_runq",
	.test_cases = gmp_runq_cases,
};
