// SPDX-License-Identifier: GPL-2.0
/*
 * The pingpong job kind: two goroutines, an unbuffered channel each way;
 * as a baseline, two kthreads or two work items on one CPU. uapi/gmp.h
 * documents its parameters and result; dev/kind.c has what the kinds
 * share and how the baselines work. The design essay is at the top of
 * sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/ktime.h>
#include <linux/smp.h>
#include <linux/completion.h>
#include <linux/workqueue.h>

#include "dev.h"

/* ---- pingpong: two goroutines, an unbuffered channel each way ---------- */

struct pp_state {
	struct gmp_chan *ping;
	struct gmp_chan *pong;
	u64 done;		/* R: round trips made */
	u64 ns;			/* R: per round trip */
	/* GMP_MODE_KTHREAD */
	struct completion c_ping;
	struct completion c_pong;
	bool stop;
	/* GMP_MODE_WORKQUEUE */
	struct work_struct w_ping;
	struct work_struct w_pong;
	struct gmp_job *job;
	int cpu;
	u64 t0;
};

static void pp_release(struct gmp_job *job)
{
	struct pp_state *st = job->state;

	if (!st)
		return;
	if (!IS_ERR_OR_NULL(st->ping))
		gmp_chan_put(st->ping);
	if (!IS_ERR_OR_NULL(st->pong))
		gmp_chan_put(st->pong);
	gmp_kind_kfree_state(job);
}

static int pp_prepare(struct gmp_job *job)
{
	struct pp_state *st;

	if (!job->p.pingpong.iters)
		job->p.pingpong.iters = 10000;
	if (job->p.pingpong.iters > GMP_JOB_MAX_ITERS)
		return -EINVAL;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	job->state = st;
	init_completion(&st->c_ping);
	init_completion(&st->c_pong);
	st->ping = gmp_chan_create(sizeof(u64), 0);
	st->pong = gmp_chan_create(sizeof(u64), 0);
	if (IS_ERR(st->ping) || IS_ERR(st->pong)) {
		pp_release(job);
		return -ENOMEM;
	}
	return 0;
}

static void pp_ponger(void *arg)
{
	struct pp_state *st = arg;
	bool ok;
	u64 v;

	for (;;) {
		if (gmp_chan_recv(st->ping, &v, &ok) || !ok)
			return;
		if (gmp_chan_send(st->pong, &v))
			return;
	}
}

static void pp_root(void *arg)
{
	struct gmp_job *job = arg;
	struct pp_state *st = job->state;
	u64 i, v, t0;
	int err;

	err = gmp_job_go(job, pp_ponger, st);
	if (err) {
		gmp_job_fail(job, err);
		return;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < job->p.pingpong.iters; i++) {
		if (gmp_chan_send(st->ping, &i) ||
		    gmp_chan_recv(st->pong, &v, NULL))
			break;
		if (v != i) {
			gmp_job_fail(job, -EPROTO);
			break;
		}
	}
	st->ns = i ? div64_u64(ktime_get_ns() - t0, i) : 0;
	st->done = i;
	gmp_chan_close(st->ping);
}

static void pp_finish(struct gmp_job *job)
{
	struct pp_state *st = job->state;

	job->result = st->done;
	job->aux[0] = st->ns;
}

/* ---- the baselines: GMP_MODE_KTHREAD, GMP_MODE_WORKQUEUE --------------- */

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
static void pp_root_kthread(void *arg)
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
static void pp_root_wq(void *arg)
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

const struct gmp_job_kind gmp_kind_pingpong = {
	.name = "pingpong", .nparams = 1, .prepare = pp_prepare,
	.root = pp_root, .finish = pp_finish, .release = pp_release,
	.root_mode = { [GMP_MODE_KTHREAD] = pp_root_kthread,
		       [GMP_MODE_WORKQUEUE] = pp_root_wq },
};
