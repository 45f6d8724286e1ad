// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for sysmon, preemption, blocking hand-off and timers
 * (sched/sysmon.c, sched/time.c, sched/syscall.c), many ported from Go's
 * proc_test.go. Timer channels and cancelled channel waits are tested
 * with the channels (sync/chan_test.c).
 *
 * Strategy: more goroutines than Ps, so some must share a P; each case
 * asserts what would fail without the mechanism it names (a spinner that
 * starves, a P stuck behind a sleeping M), with bounded waits.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched/clock.h>
#include <linux/sched/task.h>

#include "sched.h"
#include "kunit_util.h"

/* ---- preemption ------------------------------------------------------- */

struct spin_ctx {
	atomic_t started;
	atomic_t done;
	int n;
};

static void spinner_fn(void *arg)
{
	struct spin_ctx *c = arg;

	atomic_inc(&c->started);
	/* Never parks: only preemption lets a G queued behind us run. */
	while (atomic_read(&c->started) < c->n)
		gmp_checkpoint();
	atomic_inc(&c->done);
}

/*
 * Go's TestPreemption: more spinning Gs than Ps, each waiting for all
 * to have started. The extra ones only run if sysmon preempts spinners.
 */
static void preempt_lets_gs_behind_a_spinner_run(struct kunit *test)
{
	struct spin_ctx *c = ct_alloc(test, sizeof(*c));
	s64 before = atomic64_read(&gmp_sched.preempts);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->n = gmp_sched.gomaxprocs + 2;
	for (i = 0; i < c->n; i++)
		KUNIT_ASSERT_EQ(test, ct_go(c, spinner_fn, c), 0);
	KUNIT_EXPECT_TRUE(test, wait_count(&c->done, c->n));
	KUNIT_EXPECT_GT(test, atomic64_read(&gmp_sched.preempts), before);
}

/* ---- blocking hand-off --------------------------------------------------- */

struct block_ctx {
	atomic_t stop;
	atomic_t blockers_done;
	atomic64_t cpu_work;
	bool annotate;
	int iters;
};

static void cpu_fn(void *arg)
{
	struct block_ctx *c = arg;

	while (!atomic_read(&c->stop)) {
		atomic64_inc(&c->cpu_work);
		gmp_checkpoint();
	}
}

static void blocker_fn(void *arg)
{
	struct block_ctx *c = arg;
	int i;

	for (i = 0; i < c->iters; i++) {
		unsigned int us = 10 << (i % 7);	/* 10 us .. 640 us */

		/*
		 * And one 20 ms call: under emulation sysmon's polls can be
		 * a millisecond apart, so short calls may all end before it
		 * sees one twice; a P in SYSCALL for over 10 ms is retaken
		 * even with nothing queued for it (gmp_retake_syscall()).
		 */
		if (i == c->iters - 1)
			us = 20000;

		if (c->annotate)
			gmp_enter_blocking();
		usleep_range(us, us + 10);	/* a real sleep in the kernel */
		if (c->annotate)
			gmp_exit_blocking();
	}
	atomic_inc(&c->blockers_done);
}

/*
 * Go's TestPreemptionAfterSyscall: Gs making 10 us - 1 ms blocking calls,
 * and one of 20 ms each, all finish, while CPU-bound Gs (one per P) keep progressing -- which
 * they can only do on Ps that sysmon took from blocked Ms.
 */
static void blocking_calls_do_not_stall_cpu_bound_gs(struct kunit *test,
						     bool annotate)
{
	struct block_ctx *c = ct_alloc(test, sizeof(*c));
	int nblock = 2 * gmp_sched.gomaxprocs, i;
	s64 handoffs = atomic64_read(&gmp_sched.handoffs);
	s64 w0, w1;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->annotate = annotate;
	c->iters = 40;
	for (i = 0; i < gmp_sched.gomaxprocs; i++)
		KUNIT_ASSERT_EQ(test, ct_go(c, cpu_fn, c), 0);
	for (i = 0; i < nblock; i++)
		KUNIT_ASSERT_EQ(test, ct_go(c, blocker_fn, c), 0);
	msleep(50);
	w0 = atomic64_read(&c->cpu_work);
	msleep(200);
	w1 = atomic64_read(&c->cpu_work);
	KUNIT_EXPECT_TRUE(test, wait_count(&c->blockers_done, nblock));
	atomic_set(&c->stop, 1);
	KUNIT_EXPECT_GT(test, w1, w0);
	KUNIT_EXPECT_GT(test, atomic64_read(&gmp_sched.handoffs), handoffs);
	msleep(100);	/* let the CPU-bound Gs see stop and exit */
}

static void blocking_with_markers_hands_p_off(struct kunit *test)
{
	blocking_calls_do_not_stall_cpu_bound_gs(test, true);
}

static void blocking_without_markers_is_detected_and_hands_p_off(struct kunit *test)
{
	s64 before = atomic64_read(&gmp_sched.auto_blocks);

	if (!IS_ENABLED(CONFIG_PREEMPT_NOTIFIERS))
		kunit_skip(test, "needs CONFIG_PREEMPT_NOTIFIERS");
	blocking_calls_do_not_stall_cpu_bound_gs(test, false);
	KUNIT_EXPECT_GT(test, atomic64_read(&gmp_sched.auto_blocks), before);
}

/*
 * A kthread is preempted between set_current_state() and schedule() in
 * every sleep: the window is tiny, so make one. A SCHED_FIFO kthread
 * bound to the G's CPU, woken inside the window, preempts the M at once
 * (preempt_enable() at the end of the wakeup, or cond_resched() where
 * preemption is voluntary): a __schedule(SM_PREEMPT) with the M still in
 * TASK_UNINTERRUPTIBLE but never dequeued. That is no sleep, and the P
 * must stay with the M -- no entry into SYSCALL (p->syscalltick).
 */
struct preempt_window_ctx {
	struct task_struct **rt;	/* per CPU, SCHED_FIFO */
	int iters;
	int preempted;			/* windows that saw a context switch */
};

static int rt_wakee_fn(void *arg)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void preempt_window_body(struct ct *t, void *arg)
{
	struct preempt_window_ctx *c = arg;
	struct gmp_m *m = gmp_self()->m;
	struct gmp_p *p = m->p;
	unsigned long nivcsw;
	struct task_struct *rt = c->rt[raw_smp_processor_id()];
	u32 tick;
	int i;

	/* Ms are bound to their CPU: rt stays the one that preempts us. */
	if (!CT_CHECK(t, p && rt, "no P, or no kthread to wake"))
		return;
	tick = READ_ONCE(p->syscalltick);
	for (i = 0; i < c->iters; i++) {
		nivcsw = READ_ONCE(current->nivcsw);
		set_current_state(TASK_UNINTERRUPTIBLE);
		wake_up_process(rt);
		cond_resched();
		__set_current_state(TASK_RUNNING);
		if (READ_ONCE(current->nivcsw) != nivcsw)
			c->preempted++;
	}
	CT_CHECK(t, m->p == p, "the M lost its P to a preemption");
	CT_CHECK(t, READ_ONCE(p->syscalltick) == tick,
		 "P%d handed off %u times in %d preemptions, no sleep",
		 p->id, READ_ONCE(p->syscalltick) - tick, c->preempted);
}

/* A hung body may wake the kthreads after kthread_stop(): keep their tasks. */
static void preempt_window_dtor(void *ctx)
{
	struct preempt_window_ctx *c = ctx;
	int cpu;

	for_each_possible_cpu(cpu)
		if (c->rt && c->rt[cpu])
			put_task_struct(c->rt[cpu]);
	kfree(c->rt);
}

static void preemption_before_schedule_is_not_blocking(struct kunit *test)
{
	struct preempt_window_ctx *c;
	struct task_struct *k = NULL;
	int cpu;

	if (!IS_ENABLED(CONFIG_PREEMPT_NOTIFIERS))
		kunit_skip(test, "needs CONFIG_PREEMPT_NOTIFIERS");
	c = ct_alloc_dtor(test, sizeof(*c), preempt_window_dtor);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->rt = kcalloc(nr_cpu_ids, sizeof(*c->rt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->rt);
	c->iters = 200;
	for_each_online_cpu(cpu) {
		k = kthread_create_on_cpu(rt_wakee_fn, NULL, cpu, "gmp_rt%u");
		if (IS_ERR(k))
			break;
		sched_set_fifo(k);
		get_task_struct(k);	/* put by preempt_window_dtor() */
		wake_up_process(k);
		c->rt[cpu] = k;
	}
	if (!IS_ERR(k))
		ct_run(test, preempt_window_body, c);
	for_each_possible_cpu(cpu)
		if (c->rt[cpu])
			kthread_stop(c->rt[cpu]);
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	/* Else nothing was tested: the wakeups never preempted the M. */
	KUNIT_EXPECT_GT(test, c->preempted, 0);
}

/* ---- timers ---------------------------------------------------------------- */

struct sleep_ctx {
	u64 ns;
	u64 elapsed;
	int ret;
	struct gmp_g *self;
	atomic_t done;
};

static void sleep_fn(void *arg)
{
	struct sleep_ctx *c = arg;
	u64 t0;

	/* Pairs with the test's load-acquire of ->self. */
	smp_store_release(&c->self, gmp_self());
	t0 = ktime_get_ns();
	c->ret = gmp_sleep(c->ns);
	c->elapsed = ktime_get_ns() - t0;
	atomic_inc(&c->done);
}

static void sleep_wakes_no_earlier_than_asked_and_within_bound(struct kunit *test)
{
	static const u64 durations[] = { 50 * NSEC_PER_USEC, NSEC_PER_MSEC,
					 20 * NSEC_PER_MSEC };
	int i;

	for (i = 0; i < ARRAY_SIZE(durations); i++) {
		struct sleep_ctx *c = ct_alloc(test, sizeof(*c));

		KUNIT_ASSERT_NOT_NULL(test, c);
		c->ns = durations[i];
		KUNIT_ASSERT_EQ(test, ct_go(c, sleep_fn, c), 0);
		KUNIT_ASSERT_TRUE(test, wait_count(&c->done, 1));
		KUNIT_EXPECT_EQ(test, c->ret, 0);
		KUNIT_EXPECT_GE(test, c->elapsed, c->ns);
		/* Emulated CPUs are slow: the bound is generous, not tight. */
		KUNIT_EXPECT_LT(test, c->elapsed, c->ns + 500 * NSEC_PER_MSEC);
	}
}

static void sleep_cancelled_wakes_early_with_error(struct kunit *test)
{
	struct sleep_ctx *c = ct_alloc(test, sizeof(*c));
	struct gmp_g *gp;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->ns = 30ULL * NSEC_PER_SEC;
	KUNIT_ASSERT_EQ(test, ct_go(c, sleep_fn, c), 0);
	/* Pairs with the store-release in sleep_fn(). */
	for (i = 0; i < WAIT_MS && !smp_load_acquire(&c->self); i++)
		usleep_range(1000, 2000);
	gp = READ_ONCE(c->self);
	KUNIT_ASSERT_NOT_NULL(test, gp);
	for (i = 0; i < WAIT_MS && atomic_read(&gp->status) != GMP_G_WAITING; i++)
		usleep_range(1000, 2000);
	gmp_g_cancel(gp);
	KUNIT_ASSERT_TRUE(test, wait_count(&c->done, 1));
	KUNIT_EXPECT_EQ(test, c->ret, -ECANCELED);
	KUNIT_EXPECT_LT(test, c->elapsed, 10ULL * NSEC_PER_SEC);
}

struct irq_ready {
	struct hrtimer timer;
	struct gmp_g *gp;
	bool in_hardirq;
	atomic_t done;
};

static enum hrtimer_restart irq_ready_fn(struct hrtimer *t)
{
	struct irq_ready *r = container_of(t, struct irq_ready, timer);

	r->in_hardirq = in_hardirq();
	gmp_ready(r->gp);
	return HRTIMER_NORESTART;
}

static bool irq_ready_arm(struct gmp_g *gp, void *arg)
{
	struct irq_ready *r = arg;

	r->gp = gp;
	hrtimer_start(&r->timer, ns_to_ktime(100 * NSEC_PER_USEC), HRTIMER_MODE_REL_HARD);
	return true;
}

static void irq_ready_g(void *arg)
{
	struct irq_ready *r = arg;

	gmp_park(irq_ready_arm, r, GMP_WAIT_PARK);
	atomic_inc(&r->done);
}

/* A G that parked late may have armed the timer after the case ended. */
static void irq_ready_dtor(void *ctx)
{
	struct irq_ready *r = ctx;

	if (r->timer.function)
		hrtimer_cancel(&r->timer);
}

static void ready_from_hardirq_hrtimer_wakes_parked_g(struct kunit *test)
{
	struct irq_ready *r = ct_alloc_dtor(test, sizeof(*r), irq_ready_dtor);

	KUNIT_ASSERT_NOT_NULL(test, r);
	hrtimer_init(&r->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	r->timer.function = irq_ready_fn;
	KUNIT_ASSERT_EQ(test, ct_go(r, irq_ready_g, r), 0);
	KUNIT_EXPECT_TRUE(test, wait_count(&r->done, 1));
	KUNIT_EXPECT_TRUE(test, r->in_hardirq);
	hrtimer_cancel(&r->timer);
}

/* ---- idle ---------------------------------------------------------------- */

static unsigned long gmp_kthread_switches(void)
{
	unsigned long flags, n;
	struct gmp_m *m;

	n = READ_ONCE(gmp_sched.sysmon->nvcsw) + READ_ONCE(gmp_sched.sysmon->nivcsw);
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	list_for_each_entry(m, &gmp_sched.allms, allmlink)
		n += READ_ONCE(m->task->nvcsw) + READ_ONCE(m->task->nivcsw);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	return n;
}

static void idle_count_fn(void *arg)
{
	atomic_inc(arg);
}

static unsigned long gmp_global_free_gs(void)
{
	unsigned long n = 0;
	int c;

	for (c = 0; c < GMP_STACK_NR_CLASSES; c++)
		n += READ_ONCE(gmp_sched.ngfree[c]);
	return n;
}

/*
 * The dead Gs a burst leaves on the global free lists stay for the next
 * burst, and are freed once the scheduler has been idle for a while.
 */
static void idle_scheduler_frees_global_free_lists(struct kunit *test)
{
	atomic_t *done = ct_alloc(test, sizeof(*done));
	long bytes;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, done);
	for (i = 0; i < 2000; i++)
		KUNIT_ASSERT_EQ(test, ct_go(done, idle_count_fn, done), 0);
	KUNIT_ASSERT_TRUE(test, wait_count(done, 2000));
	msleep(100);
	bytes = atomic_long_read(&gmp_sched.stack_bytes);
	KUNIT_EXPECT_GT(test, gmp_global_free_gs(), 0UL);
	/* 2 s of idleness, give or take a loaded host: wait up to 20 s. */
	for (i = 0; i < 200 && gmp_global_free_gs(); i++)
		msleep(100);
	KUNIT_EXPECT_EQ(test, gmp_global_free_gs(), 0UL);
	KUNIT_EXPECT_LT(test, atomic_long_read(&gmp_sched.stack_bytes), bytes);
}

/*
 * An idle module causes no periodic wakeups: sysmon and every M sleep
 * (after the one wakeup that frees the free lists, 2 s into idleness).
 */
static void idle_module_causes_no_periodic_wakeups(struct kunit *test)
{
	unsigned long before;

	msleep(2500);	/* let sysmon notice all Ps are idle, and scavenge */
	before = gmp_kthread_switches();
	msleep(1000);
	KUNIT_EXPECT_EQ(test, gmp_kthread_switches(), before);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(gmp_sched.sysmonwait));
}

/* ---- a yield on an M that lost its P ----------------------------------- */

struct nop_yield_ctx {
	atomic_t lost_p;
	atomic_t done;
};

/*
 * Sleep unannounced until sysmon takes the P (with the other Ps idle it
 * waits 10 ms, GMP_SYSCALL_IDLE_NS), then yield from the P-less M.
 */
static void nop_yield_fn(void *arg)
{
	struct nop_yield_ctx *x = arg;
	int i;

	for (i = 0; i < 50 && !atomic_read(&x->lost_p); i++) {
		msleep(30);
		if (!getg()->m->p) {	/* owner-only: our own M */
			atomic_set(&x->lost_p, 1);
			gmp_yield();
		}
	}
	atomic_set(&x->done, 1);
}

/*
 * The lost wakeup behind a hung mutex test: a G whose P was retaken
 * while it slept yields (gmp_yield(), or a mutex unlock in starvation
 * mode). Its M has no P and parks without looking at any queue, every
 * other M is parked, so only gmp_gosched_m()'s S2-S3 get it run again.
 * Without them the G stayed on the global queue for good. On failure
 * the context is leaked: the G may still run.
 */
static void yield_without_p_wakes_an_m(struct kunit *test)
{
	struct nop_yield_ctx *x = kzalloc(sizeof(*x), GFP_KERNEL);
	unsigned long end;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_EQ(test, gmp_go(nop_yield_fn, x), 0);
	for (i = 0; i < WAIT_MS && !atomic_read(&x->lost_p) &&
	     !atomic_read(&x->done); i++)
		usleep_range(1000, 2000);
	/*
	 * Once it yielded, it runs again within a wakeup's latency; 2 s is
	 * less than sysmon's stuck-G watchdog needs to rescue it (3 s).
	 */
	end = jiffies + 2 * HZ;
	while (!atomic_read(&x->done) && time_before(jiffies, end))
		usleep_range(1000, 2000);
	if (!atomic_read(&x->done)) {
		gmp_debug_dump("yield_without_p_wakes_an_m");
		KUNIT_FAIL(test, "a G that yielded without a P did not run again");
		return;
	}
	KUNIT_EXPECT_TRUE_MSG(test, atomic_read(&x->lost_p),
			      "sysmon never retook the sleeping G's P");
	kfree(x);
}

static struct kunit_case gmp_sysmon_cases[] = {
	KUNIT_CASE(preempt_lets_gs_behind_a_spinner_run),
	KUNIT_CASE(blocking_with_markers_hands_p_off),
	KUNIT_CASE(blocking_without_markers_is_detected_and_hands_p_off),
	KUNIT_CASE(preemption_before_schedule_is_not_blocking),
	KUNIT_CASE(sleep_wakes_no_earlier_than_asked_and_within_bound),
	KUNIT_CASE(sleep_cancelled_wakes_early_with_error),
	KUNIT_CASE(ready_from_hardirq_hrtimer_wakes_parked_g),
	KUNIT_CASE(yield_without_p_wakes_an_m),
	KUNIT_CASE(idle_scheduler_frees_global_free_lists),
	KUNIT_CASE(idle_module_causes_no_periodic_wakeups),
	{}
};

struct kunit_suite gmp_sysmon_test_suite = {
	.name = "gmp_sysmon",
	.test_cases = gmp_sysmon_cases,
};
