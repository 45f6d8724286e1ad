// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the timer channels (sync/after.c) and for cancelling a
 * goroutine parked on channels (the wait hook of sync/chan.c and
 * sched/cancel.c).
 *
 * Strategy: a select with a gmp_after() case must take the timeout and
 * nothing else; a timer nobody waits for must be freed at unload
 * (kmemleak checks after rmmod); a G parked in a receive or a select must
 * come back with -ECANCELED and leave no sudog behind. Waits are bounded.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/ktime.h>

#include "sched/sched.h"
#include "sync/kunit_util.h"

/* ---- time.After as a select case ------------------------------------------ */

struct after_ctx {
	int idx;
	bool ok;
	u64 t0;
	u64 fired;
	u64 elapsed;
	atomic_t done;
};

static void after_select_fn(void *arg)
{
	struct after_ctx *c = arg;
	struct gmp_chan *never = gmp_chan_create(sizeof(int), 0);
	struct gmp_chan *t;
	bool ok_never = false;
	int v;
	struct gmp_select_case cases[2] = {
		{ .c = never, .dir = GMP_SELECT_RECV, .elem = &v, .ok = &ok_never },
		{ .dir = GMP_SELECT_RECV, .elem = &c->fired, .ok = &c->ok },
	};

	/* Before the timer starts: it fires >= 5 ms after this. */
	c->t0 = ktime_get_ns();
	t = gmp_after(5 * NSEC_PER_MSEC);
	cases[1].c = t;
	c->idx = -1;
	if (!IS_ERR(never) && !IS_ERR(t)) {
		c->idx = gmp_select(cases, 2, true);
		c->elapsed = ktime_get_ns() - c->t0;
	}
	if (!IS_ERR(t))
		gmp_chan_put(t);
	if (!IS_ERR(never))
		gmp_chan_put(never);
	atomic_inc(&c->done);
}

/*
 * Go's time.After idiom: a select with a timer channel and a channel
 * nobody sends on takes the timer case, no earlier than asked.
 */
static void select_with_after_case_times_out(struct kunit *test)
{
	struct after_ctx *c = ct_alloc(test, sizeof(*c));

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, ct_go(c, after_select_fn, c), 0);
	KUNIT_ASSERT_TRUE(test, wait_count(&c->done, 1));
	KUNIT_EXPECT_EQ(test, c->idx, 1);
	KUNIT_EXPECT_TRUE(test, c->ok);
	KUNIT_EXPECT_GE(test, c->elapsed, 5 * NSEC_PER_MSEC);
	KUNIT_EXPECT_GE(test, c->fired, c->t0 + 5 * NSEC_PER_MSEC);
}

/* A gmp_after() nobody waits for is cancelled and freed at unload. */
static void after_left_pending_is_cleaned_up(struct kunit *test)
{
	struct gmp_chan *t = gmp_after(3600ULL * NSEC_PER_SEC);

	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	gmp_chan_put(t);	/* the timer keeps its own reference */
	/* kmemleak after rmmod checks gmp_after_cancel_all() freed it. */
}

/* ---- cancelling Gs parked on channels -------------------------------------- */

struct chan_cancel_ctx {
	struct gmp_chan *c;
	struct gmp_g *self;
	bool use_select;
	int ret;
	atomic_t done;
};

static void chan_cancel_fn(void *arg)
{
	struct chan_cancel_ctx *cc = arg;
	bool ok;
	int v;
	struct gmp_select_case cases[2] = {
		{ .c = cc->c, .dir = GMP_SELECT_RECV, .elem = &v, .ok = &ok },
		{ .c = cc->c, .dir = GMP_SELECT_SEND, .elem = &v },
	};

	/* Pairs with the test's load-acquire of ->self. */
	smp_store_release(&cc->self, gmp_self());
	v = 1;
	if (cc->use_select)
		cc->ret = gmp_select(cases, 2, true);
	else
		cc->ret = gmp_chan_recv(cc->c, &v, &ok);
	atomic_inc(&cc->done);
}

/* Once the G is gone: it may have been parked on the channel. */
static void chan_cancel_dtor(void *ctx)
{
	struct chan_cancel_ctx *cc = ctx;

	ct_chan_put(cc->c);
}

/* A G parked in a channel receive or a select wakes with -ECANCELED. */
static void parked_chan_wait_cancelled_returns_ecanceled(struct kunit *test)
{
	int variant, i;

	for (variant = 0; variant < 2; variant++) {
		struct chan_cancel_ctx *cc = ct_alloc_dtor(test, sizeof(*cc),
							   chan_cancel_dtor);
		struct gmp_g *gp;

		KUNIT_ASSERT_NOT_NULL(test, cc);
		cc->use_select = variant;
		cc->c = gmp_chan_create(sizeof(int), 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(cc->c));
		KUNIT_ASSERT_EQ(test, ct_go(cc, chan_cancel_fn, cc), 0);
		/* Pairs with the store-release in chan_cancel_fn(). */
		for (i = 0; i < WAIT_MS && !smp_load_acquire(&cc->self); i++)
			usleep_range(1000, 2000);
		gp = READ_ONCE(cc->self);
		KUNIT_ASSERT_NOT_NULL(test, gp);
		for (i = 0; i < WAIT_MS &&
		     atomic_read(&gp->status) != GMP_G_WAITING; i++)
			usleep_range(1000, 2000);
		KUNIT_EXPECT_EQ(test, atomic_read(&gp->status), GMP_G_WAITING);
		gmp_g_cancel(gp);
		KUNIT_ASSERT_TRUE(test, wait_count(&cc->done, 1));
		KUNIT_EXPECT_EQ(test, cc->ret, -ECANCELED);
		KUNIT_EXPECT_EQ(test, gmp_chan_len(cc->c), 0);
	}
}

static struct kunit_case gmp_after_cases[] = {
	KUNIT_CASE(select_with_after_case_times_out),
	KUNIT_CASE(after_left_pending_is_cleaned_up),
	KUNIT_CASE(parked_chan_wait_cancelled_returns_ecanceled),
	{}
};

struct kunit_suite gmp_after_test_suite = {
	.name = "gmp_after",
	.test_cases = gmp_after_cases,
};
