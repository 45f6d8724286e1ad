// SPDX-License-Identifier: GPL-2.0
/*
 * The baselines: spawn, skynet, pingpong and sleep done with the kernel's
 * own tools, kthreads (GMP_MODE_KTHREAD) and work items on a dedicated
 * per-CPU workqueue (GMP_MODE_WORKQUEUE), so that the benchmarks and a
 * user with gmpctl can compare them with goroutines on the same machine.
 *
 * Each is written the way a kernel engineer would write that program with
 * that tool: a kthread per goroutine with completions where a goroutine
 * would block on a channel; work items that never block, where a parent
 * that would wait for its children instead counts them down and the last
 * child completes it (continuation passing). The result and aux fields
 * are the same as the goroutine version's, so one closed form checks all.
 *
 * A task (kthread or work item) counts in job->nlive like a goroutine
 * (gmp_job_task_start/done), so the job finishes when the last one has.
 * Tasks are not cancelled the way goroutines are: they poll
 * job->cancelled at each step, and a sleeping one finishes its sleep.
 * Each kthread holds a module reference and drops it with
 * module_put_and_kthread_exit(); work items are drained by
 * destroy_workqueue() at unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/jiffies.h>

#include "gmp.h"
#include "job.h"

static bool bl_cancelled(struct gmp_job *job)
{
	return READ_ONCE(job->cancelled);
}

/* ---- kthread tasks ---------------------------------------------------- */

struct bl_kthread {
	struct gmp_job *job;
	void (*fn)(struct gmp_job *job, void *arg);
	void *arg;
};

static int bl_kthread_fn(void *data)
{
	struct bl_kthread t = *(struct bl_kthread *)data;

	kfree(data);
	t.fn(t.job, t.arg);
	gmp_job_task_done(t.job);
	module_put_and_kthread_exit(0);
}

/*
 * Start fn(job, arg) in a new kthread, bound to @cpu unless it is -1.
 * Context: a goroutine or task of @job (so the job cannot finish meanwhile).
 */
static int bl_kthread_start(struct gmp_job *job,
			    void (*fn)(struct gmp_job *job, void *arg),
			    void *arg, int cpu)
{
	struct bl_kthread *t = kmalloc(sizeof(*t), GFP_KERNEL);
	struct task_struct *k;
	bool g = __gmp_self();

	if (!t)
		return -ENOMEM;
	t->job = job;
	t->fn = fn;
	t->arg = arg;
	if (gmp_job_task_start(job)) {
		kfree(t);
		return -EAGAIN;
	}
	__module_get(THIS_MODULE);
	if (g)
		gmp_enter_blocking();	/* kthread_create() waits for kthreadd */
	k = kthread_create(bl_kthread_fn, t, "gmp_%s", job->kind->name);
	if (g)
		gmp_exit_blocking();
	if (IS_ERR(k)) {
		kfree(t);
		gmp_job_task_done(job);	/* never the last: the caller lives */
		module_put(THIS_MODULE);
		return PTR_ERR(k);
	}
	if (cpu >= 0)
		kthread_bind(k, cpu);
	wake_up_process(k);
	return 0;
}

/* ---- spawn ------------------------------------------------------------ */

static void spawn_kt(struct gmp_job *job, void *arg)
{
	struct spawn_state *st = arg;

	atomic64_inc(&st->ran);
}

void spawn_root_kthread(void *arg)
{
	struct gmp_job *job = arg;
	u64 i;
	int err;

	for (i = 0; i < job->p.spawn.n && !bl_cancelled(job); i++) {
		err = bl_kthread_start(job, spawn_kt, job->state, -1);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
}

struct bl_work {
	struct work_struct work;
	struct gmp_job *job;
};

static void spawn_work(struct work_struct *work)
{
	struct gmp_job *job = container_of(work, struct bl_work, work)->job;
	struct spawn_state *st = job->state;

	atomic64_inc(&st->ran);
	gmp_job_task_done(job);
}

void spawn_root_wq(void *arg)
{
	struct gmp_job *job = arg;
	struct spawn_state *st = job->state;
	struct bl_work *w;
	u64 i;

	w = kvcalloc(job->p.spawn.n, sizeof(*w), GFP_KERNEL);
	if (!w) {
		gmp_job_fail(job, -ENOMEM);
		return;
	}
	st->works = w;		/* freed by spawn_release() */
	for (i = 0; i < job->p.spawn.n && !bl_cancelled(job); i++) {
		if (gmp_job_task_start(job)) {
			gmp_job_fail(job, -EAGAIN);
			return;
		}
		INIT_WORK(&w[i].work, spawn_work);
		w[i].job = job;
		queue_work(gmp_bench_wq, &w[i].work);
	}
}

/* ---- skynet ----------------------------------------------------------- */

/* A node of the tree; the kthread version also waits on @done. */
struct bl_sky {
	struct work_struct work;
	struct gmp_job *job;
	struct bl_sky *parent;
	u64 num;
	u64 size;
	atomic_t pending;	/* children still to report */
	atomic64_t sum;
	struct completion done;
};

static struct bl_sky *bl_sky_new(struct gmp_job *job, struct bl_sky *parent,
				 u64 num, u64 size)
{
	struct bl_sky *n = kmalloc(sizeof(*n), GFP_KERNEL);

	if (!n)
		return NULL;
	n->job = job;
	n->parent = parent;
	n->num = num;
	n->size = size;
	atomic_set(&n->pending, 0);
	atomic64_set(&n->sum, 0);
	init_completion(&n->done);
	return n;
}

/* kthread: start a kthread per child, wait for all, report to the parent. */
static void sky_kt(struct gmp_job *job, void *arg)
{
	u64 branch = job->p.skynet.branch, q, r, i, off, sub;
	struct bl_sky *n = arg, *c;
	int err = 0;

	if (n->size == 1) {
		atomic64_set(&n->sum, n->num);
		goto report;
	}
	q = div64_u64_rem(n->size, branch, &r);
	atomic_set(&n->pending, 1);	/* our own, dropped below */
	for (i = 0, off = n->num; i < branch && !bl_cancelled(job); i++) {
		sub = q + (i < r);
		if (!sub)
			break;
		c = bl_sky_new(job, n, off, sub);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		atomic_inc(&n->pending);
		err = bl_kthread_start(job, sky_kt, c, -1);
		if (err) {
			atomic_dec(&n->pending);
			kfree(c);
			break;
		}
		off += sub;
	}
	if (err)
		gmp_job_fail(job, err);
	if (!atomic_dec_and_test(&n->pending))
		wait_for_completion(&n->done);
report:
	if (n->parent) {
		atomic64_add(atomic64_read(&n->sum), &n->parent->sum);
		if (atomic_dec_and_test(&n->parent->pending))
			complete(&n->parent->done);
	} else {
		job->result = atomic64_read(&n->sum);
	}
	kfree(n);
}

void skynet_root_kthread(void *arg)
{
	struct gmp_job *job = arg;
	struct bl_sky *n = bl_sky_new(job, NULL, 0, job->p.skynet.size);
	int err = -ENOMEM;

	if (n)
		err = bl_kthread_start(job, sky_kt, n, -1);
	if (err) {
		kfree(n);
		gmp_job_fail(job, err);
	}
}

/* Work items: @v from a finished child; the last one finishes @n too. */
static void sky_wq_report(struct bl_sky *n, u64 v)
{
	struct gmp_job *job = n->job;
	struct bl_sky *parent;

	for (;;) {
		atomic64_add(v, &n->sum);
		if (!atomic_dec_and_test(&n->pending))
			return;
		parent = n->parent;
		v = atomic64_read(&n->sum);
		if (!parent)
			job->result = v;
		kfree(n);
		gmp_job_task_done(job);
		if (!parent)
			return;
		n = parent;
	}
}

static void sky_work(struct work_struct *work)
{
	struct bl_sky *n = container_of(work, struct bl_sky, work), *c;
	struct gmp_job *job = n->job;
	u64 branch = job->p.skynet.branch, q, r, i, off, sub;

	if (n->size == 1) {
		atomic_set(&n->pending, 1);
		sky_wq_report(n, n->num);
		return;
	}
	q = div64_u64_rem(n->size, branch, &r);
	atomic_set(&n->pending, 1);	/* our own, dropped below */
	for (i = 0, off = n->num; i < branch && !bl_cancelled(job); i++) {
		sub = q + (i < r);
		if (!sub)
			break;
		if (gmp_job_task_start(job)) {
			gmp_job_fail(job, -EAGAIN);
			break;
		}
		c = bl_sky_new(job, n, off, sub);
		if (!c) {
			gmp_job_task_done(job);	/* not the last: n is live */
			gmp_job_fail(job, -ENOMEM);
			break;
		}
		atomic_inc(&n->pending);
		INIT_WORK(&c->work, sky_work);
		queue_work(gmp_bench_wq, &c->work);
		off += sub;
	}
	sky_wq_report(n, 0);
}

void skynet_root_wq(void *arg)
{
	struct gmp_job *job = arg;
	struct bl_sky *n = bl_sky_new(job, NULL, 0, job->p.skynet.size);

	if (!n || gmp_job_task_start(job)) {
		kfree(n);
		gmp_job_fail(job, n ? -EAGAIN : -ENOMEM);
		return;
	}
	INIT_WORK(&n->work, sky_work);
	queue_work(gmp_bench_wq, &n->work);
}

/* ---- pingpong --------------------------------------------------------- */

/* Wait for @c, giving up when the job is cancelled; false if so. */
static bool bl_wait(struct gmp_job *job, struct completion *c)
{
	while (!wait_for_completion_timeout(c, HZ))
		if (bl_cancelled(job))
			return false;
	return true;
}

static void pp_kt_ponger(struct gmp_job *job, void *arg)
{
	struct pp_state *st = arg;

	while (bl_wait(job, &st->c_ping) && !READ_ONCE(st->stop))
		complete(&st->c_pong);
}

static void pp_kt_pinger(struct gmp_job *job, void *arg)
{
	struct pp_state *st = arg;
	u64 i, t0 = ktime_get_ns();

	for (i = 0; i < job->p.pingpong.iters; i++) {
		complete(&st->c_ping);
		if (!bl_wait(job, &st->c_pong))
			break;
	}
	st->ns = i ? div64_u64(ktime_get_ns() - t0, i) : 0;
	st->done = i;
	WRITE_ONCE(st->stop, true);
	complete(&st->c_ping);
}

/* Both kthreads on the CPU the root runs on: the same-CPU case. */
void pp_root_kthread(void *arg)
{
	struct gmp_job *job = arg;
	int cpu = raw_smp_processor_id(), err;

	err = bl_kthread_start(job, pp_kt_ponger, job->state, cpu);
	if (!err)
		err = bl_kthread_start(job, pp_kt_pinger, job->state, cpu);
	if (err)
		gmp_job_fail(job, err);
}

static void pp_work_ping(struct work_struct *work)
{
	struct pp_state *st = container_of(work, struct pp_state, w_ping);
	struct gmp_job *job = st->job;

	if (st->done == job->p.pingpong.iters || bl_cancelled(job)) {
		st->ns = st->done ? div64_u64(ktime_get_ns() - st->t0,
					      st->done) : 0;
		gmp_job_task_done(job);
		return;
	}
	st->done++;
	queue_work_on(st->cpu, gmp_bench_wq, &st->w_pong);
}

static void pp_work_pong(struct work_struct *work)
{
	struct pp_state *st = container_of(work, struct pp_state, w_pong);

	queue_work_on(st->cpu, gmp_bench_wq, &st->w_ping);
}

/* Two work items queueing each other on one CPU. */
void pp_root_wq(void *arg)
{
	struct gmp_job *job = arg;
	struct pp_state *st = job->state;

	st->job = job;
	st->cpu = raw_smp_processor_id();
	INIT_WORK(&st->w_ping, pp_work_ping);
	INIT_WORK(&st->w_pong, pp_work_pong);
	if (gmp_job_task_start(job)) {
		gmp_job_fail(job, -EAGAIN);
		return;
	}
	st->t0 = ktime_get_ns();
	queue_work_on(st->cpu, gmp_bench_wq, &st->w_ping);
}

/* ---- sleep ------------------------------------------------------------ */

static void sleep_kt(struct gmp_job *job, void *arg)
{
	struct sleep_state *st = job->state;
	u64 i = (unsigned long)arg, t0, dt;
	ktime_t exp = ns_to_ktime(st->ns);

	t0 = ktime_get_ns();
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_hrtimeout_range(&exp, 0, HRTIMER_MODE_REL);
	dt = ktime_get_ns() - t0;
	st->late[i] = dt > st->ns ? dt - st->ns : 0;
}

void sleep_root_kthread(void *arg)
{
	struct gmp_job *job = arg;
	struct sleep_state *st = job->state;
	u64 i;
	int err;

	for (i = 0; i < st->n && !bl_cancelled(job); i++) {
		err = bl_kthread_start(job, sleep_kt, (void *)(unsigned long)i,
				       -1);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
}

struct bl_sleep {
	struct delayed_work dw;
	struct gmp_job *job;
	u64 i;
	u64 t0;
};

static void sleep_work(struct work_struct *work)
{
	struct bl_sleep *w = container_of(to_delayed_work(work),
					  struct bl_sleep, dw);
	struct sleep_state *st = w->job->state;
	u64 dt = ktime_get_ns() - w->t0;

	st->late[w->i] = dt > st->ns ? dt - st->ns : 0;
	gmp_job_task_done(w->job);
}

/* Delayed work: the workqueue's timer is the jiffies timer wheel. */
void sleep_root_wq(void *arg)
{
	struct gmp_job *job = arg;
	struct sleep_state *st = job->state;
	unsigned long delay = nsecs_to_jiffies(st->ns + TICK_NSEC - 1);
	struct bl_sleep *w;
	u64 i;

	w = kvcalloc(st->n, sizeof(*w), GFP_KERNEL);
	if (!w) {
		gmp_job_fail(job, -ENOMEM);
		return;
	}
	st->works = w;		/* freed by sleep_release() */
	for (i = 0; i < st->n && !bl_cancelled(job); i++) {
		if (gmp_job_task_start(job)) {
			gmp_job_fail(job, -EAGAIN);
			return;
		}
		INIT_DELAYED_WORK(&w[i].dw, sleep_work);
		w[i].job = job;
		w[i].i = i;
		w[i].t0 = ktime_get_ns();
		queue_delayed_work(gmp_bench_wq, &w[i].dw, delay);
	}
}

/* ---- fanout ----------------------------------------------------------- */

static void fanout_work_step(struct gmp_job *job, struct fanout_state *st)
{
	u64 u, x = (unsigned long)st;

	for (u = 0; u < job->p.fanout.work && !bl_cancelled(job); u++) {
		x = gmp_busy_unit(x);
		cond_resched();
	}
	WRITE_ONCE(st->sink, x);
	atomic64_inc(&st->finished);
	if (atomic_dec_and_test(&st->left))
		complete(&st->all_done);
}

static void fanout_kt(struct gmp_job *job, void *arg)
{
	fanout_work_step(job, arg);
}

/* The root waits for the last worker, as the goroutine version's does. */
static void fanout_root_wait(struct gmp_job *job, struct fanout_state *st,
			     u64 started)
{
	/* Workers never started will not count down: do it for them. */
	if (started < job->p.fanout.n &&
	    atomic_sub_and_test(job->p.fanout.n - started, &st->left))
		complete(&st->all_done);
	gmp_enter_blocking();
	wait_for_completion(&st->all_done);
	gmp_exit_blocking();
}

void fanout_root_kthread(void *arg)
{
	struct gmp_job *job = arg;
	struct fanout_state *st = job->state;
	u64 i;
	int err = 0;

	for (i = 0; i < job->p.fanout.n && !bl_cancelled(job); i++) {
		err = bl_kthread_start(job, fanout_kt, st, -1);
		if (err)
			break;
	}
	if (err)
		gmp_job_fail(job, err);
	fanout_root_wait(job, st, i);
}

static void fanout_work(struct work_struct *work)
{
	struct gmp_job *job = container_of(work, struct bl_work, work)->job;

	fanout_work_step(job, job->state);
	gmp_job_task_done(job);
}

void fanout_root_wq(void *arg)
{
	struct gmp_job *job = arg;
	struct fanout_state *st = job->state;
	struct bl_work *w;
	u64 i;

	w = kvcalloc(job->p.fanout.n, sizeof(*w), GFP_KERNEL);
	if (!w) {
		gmp_job_fail(job, -ENOMEM);
		fanout_root_wait(job, st, 0);
		return;
	}
	st->works = w;		/* freed by fanout_release() */
	for (i = 0; i < job->p.fanout.n && !bl_cancelled(job); i++) {
		if (gmp_job_task_start(job)) {
			gmp_job_fail(job, -EAGAIN);
			break;
		}
		INIT_WORK(&w[i].work, fanout_work);
		w[i].job = job;
		queue_work(gmp_bench_wq, &w[i].work);
	}
	fanout_root_wait(job, st, i);
}

/* ---- park ------------------------------------------------------------- */

static void park_kt(struct gmp_job *job, void *arg)
{
	struct park_state *st = arg;

	if (bl_wait(job, &st->release))
		atomic64_inc(&st->woken);
}

/* n kthreads asleep on one completion, released together after hold_ms. */
void park_root_kthread(void *arg)
{
	struct gmp_job *job = arg;
	struct park_state *st = job->state;
	u64 i;
	int err;

	for (i = 0; i < job->p.park.n && !bl_cancelled(job); i++) {
		err = bl_kthread_start(job, park_kt, st, -1);
		if (err) {
			gmp_job_fail(job, err);
			break;
		}
	}
	gmp_sleep(job->p.park.hold_ms * NSEC_PER_MSEC);
	complete_all(&st->release);
}
