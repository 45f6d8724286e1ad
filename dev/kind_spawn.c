// SPDX-License-Identifier: GPL-2.0
/*
 * The spawn job kind: n goroutines that do nothing; as a baseline, n
 * kthreads or n work items. uapi/gmp.h documents its parameters and
 * result; dev/kind.c has what the kinds share and how the baselines
 * work. The design essay is at the top of sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/workqueue.h>

#include "dev.h"

/* ---- spawn: n goroutines that do nothing ---------------------------- */

struct spawn_state {
	atomic64_t ran;
	void *works;		/* GMP_MODE_WORKQUEUE: the work items */
};

static int spawn_prepare(struct gmp_job *job)
{
	struct spawn_state *st;

	if (!job->p.spawn.n)
		job->p.spawn.n = 1000;
	if (job->p.spawn.n > GMP_JOB_MAX_N)
		return -EINVAL;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	job->state = st;
	return st ? 0 : -ENOMEM;
}

static void spawn_leaf(void *arg)
{
	struct spawn_state *st = arg;

	atomic64_inc(&st->ran);
}

static void spawn_root(void *arg)
{
	struct gmp_job *job = arg;
	u64 i;
	int err;

	for (i = 0; i < job->p.spawn.n; i++) {
		err = gmp_job_go(job, spawn_leaf, job->state);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
}

static void spawn_release(struct gmp_job *job)
{
	struct spawn_state *st = job->state;

	if (st)
		kvfree(st->works);
	gmp_kind_kfree_state(job);
}

static void spawn_finish(struct gmp_job *job)
{
	struct spawn_state *st = job->state;

	job->result = atomic64_read(&st->ran);
}

/* ---- the baselines: GMP_MODE_KTHREAD, GMP_MODE_WORKQUEUE --------------- */

static void spawn_kt(struct gmp_job *job, void *arg)
{
	struct spawn_state *st = arg;

	atomic64_inc(&st->ran);
}

static void spawn_root_kthread(void *arg)
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

static void spawn_work(struct work_struct *work)
{
	struct gmp_job *job = container_of(work, struct bl_work, work)->job;
	struct spawn_state *st = job->state;

	atomic64_inc(&st->ran);
	gmp_job_task_done(job);
}

static void spawn_root_wq(void *arg)
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

const struct gmp_job_kind gmp_kind_spawn = {
	.name = "spawn", .nparams = 1, .prepare = spawn_prepare,
	.root = spawn_root, .finish = spawn_finish,
	.root_mode = { [GMP_MODE_KTHREAD] = spawn_root_kthread,
		       [GMP_MODE_WORKQUEUE] = spawn_root_wq },
	.release = spawn_release,
};
