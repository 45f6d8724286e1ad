// SPDX-License-Identifier: GPL-2.0
/*
 * The sleep job kind: n goroutines on timers, and how late they wake; as
 * a baseline, n kthreads on hrtimers or n delayed work items. uapi/gmp.h
 * documents its parameters and result; dev/kind.c has what the kinds
 * share and how the baselines work. The design essay is at the top of
 * sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/sort.h>
#include <linux/ktime.h>
#include <linux/hrtimer.h>
#include <linux/sched.h>
#include <linux/jiffies.h>
#include <linux/workqueue.h>

#include "dev.h"

/* ---- sleep: n goroutines on timers, and how late they wake ------------- */

struct sleep_state {
	u64 n;
	u64 ns;
	void *works;		/* GMP_MODE_WORKQUEUE: the delayed works */
	u64 late[];		/* written by goroutine (or task) i only */
};

static int sleep_prepare(struct gmp_job *job)
{
	struct sleep_state *st;

	if (!job->p.sleep.n)
		job->p.sleep.n = 100;
	if (!job->p.sleep.ns)
		job->p.sleep.ns = NSEC_PER_MSEC;
	if (job->p.sleep.n > GMP_JOB_MAX_N ||
	    job->p.sleep.ns > GMP_JOB_MAX_SLEEP_NS)
		return -EINVAL;
	if (job->p.sleep.n > READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(struct_size(st, late, job->p.sleep.n), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->n = job->p.sleep.n;
	st->ns = job->p.sleep.ns;
	job->state = st;
	return 0;
}

static void sleep_fn(void *arg)
{
	struct sleep_state *st = gmp_job_current()->state;
	u64 i = (unsigned long)arg, t0, dt;

	t0 = ktime_get_ns();
	if (gmp_sleep(st->ns))
		return;
	dt = ktime_get_ns() - t0;
	st->late[i] = dt > st->ns ? dt - st->ns : 0;
}

static void sleep_root(void *arg)
{
	struct gmp_job *job = arg;
	struct sleep_state *st = job->state;
	u64 i;
	int err;

	for (i = 0; i < st->n; i++) {
		err = gmp_job_go(job, sleep_fn, (void *)(unsigned long)i);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
}

static void sleep_release(struct gmp_job *job)
{
	struct sleep_state *st = job->state;

	if (st)
		kvfree(st->works);
	gmp_kind_kfree_state(job);
}

static int gmp_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void sleep_finish(struct gmp_job *job)
{
	struct sleep_state *st = job->state;
	u64 n = st->n;

	sort(st->late, n, sizeof(u64), gmp_cmp_u64, NULL);
	job->result = n;
	job->aux[0] = st->late[div64_u64(n * 50, 100)];
	job->aux[1] = st->late[min(div64_u64(n * 99, 100), n - 1)];
	job->aux[2] = st->late[n - 1];
}

/* ---- the baselines: GMP_MODE_KTHREAD, GMP_MODE_WORKQUEUE --------------- */

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

static void sleep_root_kthread(void *arg)
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
static void sleep_root_wq(void *arg)
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

const struct gmp_job_kind gmp_kind_sleep = {
	.name = "sleep", .nparams = 2, .prepare = sleep_prepare,
	.root = sleep_root, .finish = sleep_finish,
	.root_mode = { [GMP_MODE_KTHREAD] = sleep_root_kthread,
		       [GMP_MODE_WORKQUEUE] = sleep_root_wq },
	.release = sleep_release,
};
