// SPDX-License-Identifier: GPL-2.0
/*
 * The fanout job kind: n busy workers and a WaitGroup; as a baseline, n
 * kthreads or n work items and a completion. uapi/gmp.h documents its
 * parameters and result; dev/kind.c has what the kinds share and how the
 * baselines work. The design essay is at the top of sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/completion.h>
#include <linux/workqueue.h>

#include "dev.h"

/* ---- fanout: workers and a WaitGroup ---------------------------------- */

struct fanout_state {
	struct gmp_waitgroup wg;
	atomic64_t finished;
	atomic_t left;		/* baselines: workers still running */
	struct completion all_done;	/* baselines: the last one completes */
	u64 sink;
	void *works;		/* GMP_MODE_WORKQUEUE: the work items */
};

static void fanout_release(struct gmp_job *job)
{
	struct fanout_state *st = job->state;

	if (st)
		kvfree(st->works);
	gmp_kind_kfree_state(job);
}

static int fanout_prepare(struct gmp_job *job)
{
	struct fanout_state *st;

	if (!job->p.fanout.n)
		job->p.fanout.n = 1000;
	if (!job->p.fanout.work)
		job->p.fanout.work = 1;
	if (job->p.fanout.n > GMP_JOB_MAX_N || job->p.fanout.n > INT_MAX ||
	    job->p.fanout.work > div64_u64(GMP_JOB_MAX_ITERS, job->p.fanout.n))
		return -EINVAL;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	gmp_wg_init(&st->wg);
	init_completion(&st->all_done);
	atomic_set(&st->left, job->p.fanout.n);
	job->state = st;
	return 0;
}

static void fanout_worker(void *arg)
{
	struct gmp_job *job = gmp_job_current();
	struct fanout_state *st = arg;
	u64 u, x = (unsigned long)st;

	for (u = 0; u < job->p.fanout.work && !gmp_cancelled(); u++) {
		x = gmp_busy_unit(x);
		gmp_checkpoint();	/* else a long job owns every CPU */
	}
	WRITE_ONCE(st->sink, x);
	atomic64_inc(&st->finished);
	gmp_wg_done(&st->wg);
}

static void fanout_root(void *arg)
{
	struct gmp_job *job = arg;
	struct fanout_state *st = job->state;
	int n = job->p.fanout.n, i, err = 0;

	gmp_wg_add(&st->wg, n);
	for (i = 0; i < n; i++) {
		err = gmp_job_go(job, fanout_worker, st);
		if (err)
			break;
	}
	if (err) {
		gmp_wg_add(&st->wg, -(n - i));	/* the ones never started */
		gmp_job_fail(job, err);
	}
	gmp_wg_wait(&st->wg);
}

static void fanout_finish(struct gmp_job *job)
{
	struct fanout_state *st = job->state;

	job->result = atomic64_read(&st->finished);
}

/* ---- the baselines: GMP_MODE_KTHREAD, GMP_MODE_WORKQUEUE --------------- */

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

static void fanout_root_kthread(void *arg)
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

static void fanout_root_wq(void *arg)
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

const struct gmp_job_kind gmp_kind_fanout = {
	.name = "fanout", .nparams = 2, .prepare = fanout_prepare,
	.root = fanout_root, .finish = fanout_finish,
	.root_mode = { [GMP_MODE_KTHREAD] = fanout_root_kthread,
		       [GMP_MODE_WORKQUEUE] = fanout_root_wq },
	.release = fanout_release,
};
