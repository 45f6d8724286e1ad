/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmp jobs: what userspace submits through /dev/gmp (sched/job.c), and the
 * kinds built into the module (sched/jobkinds.c).
 *
 * Lock legend (see sched/gmp.h for the scheduler's):
 *
 *  FL: gmp_file.lock -- the file's job counts and each job's table state
 *  J:  gmp_job.lock  -- the job's goroutine list and cancellation state
 *  A:  atomic
 *  I:  set before the job's first goroutine starts, stable afterwards
 *  R:  written by the job's goroutines, read once the last has exited
 *
 * Lock order: FL and J are never nested; J -> gmp_g.lock (gmp_g_cancel()).
 * J is the lock of the jobs' goroutine groups (GR in sched/gmp.h).
 */
#ifndef _GMP_JOB_H
#define _GMP_JOB_H

#include <linux/kref.h>
#include <linux/xarray.h>
#include <linux/wait.h>
#include <linux/spinlock.h>
#include <linux/completion.h>
#include <linux/workqueue.h>

#include "uapi/gmp.h"
#include "gmp.h"

/**
 * struct gmp_file - one open /dev/gmp: its jobs and what they may use
 * @ref:	the open file's, plus one per job
 * @lock:	FL
 * @jobs:	id -> struct gmp_job, ids allocated cyclically from 1
 * @next_id:	xa_alloc_cyclic() cursor
 * @njobs:	FL: jobs in @jobs, running or finished
 * @nfinished:	FL: finished jobs in @jobs, for poll()
 * @wq:		woken when one of its jobs finishes
 * @ngoroutines: A: live goroutines of its jobs
 * @stack_bytes: A: their stacks
 * @buf_bytes:	A: user data its jobs copied in
 */
struct gmp_file {
	struct kref ref;
	spinlock_t lock;		/* FL */
	struct xarray jobs;
	u32 next_id;
	unsigned int njobs;
	unsigned int nfinished;
	wait_queue_head_t wq;
	atomic_t ngoroutines;
	atomic_long_t stack_bytes;
	atomic_long_t buf_bytes;
};

struct gmp_job;

/**
 * struct gmp_job_kind - one kind of job
 * @name:	as gmpctl spells it; also the goroutines' name in dumps
 * @nparams:	how many of gmp_job_submit.raw[] it reads; the rest must be 0
 * @prepare:	check the parameters, apply defaults and allocate the kind's
 *		state, in the submitter's context (may copy from user)
 * @root:	the job's first goroutine, with the job as its argument
 * @root_mode:	the same for GMP_MODE_KTHREAD and GMP_MODE_WORKQUEUE: a
 *		goroutine that starts kthreads or work items (tasks, see
 *		gmp_job_task_start()); NULL where the kind has no such mode
 * @finish:	compute the result, once the last goroutine has exited and
 *		only if the job did not fail; may be NULL
 * @release:	free what @prepare allocated; also after a failed submit
 */
struct gmp_job_kind {
	const char *name;
	unsigned int nparams;
	int (*prepare)(struct gmp_job *job);
	gmp_fn_t root;
	gmp_fn_t root_mode[GMP_MODE_NR];
	void (*finish)(struct gmp_job *job);
	void (*release)(struct gmp_job *job);
};

/**
 * struct gmp_job - a submitted job
 * @ref:	the file's table, one while goroutines run, and lookups
 * @file:	I: its file (holds a reference)
 * @kind:	I
 * @p:		I: the parameters as submitted, defaults applied
 * @opts:	I: stack class and name for its leaf goroutines: the small
 *		class with GMP_SUBMIT_SMALL_STACK
 * @opts_inner:	I: the same for goroutines that spawn or allocate: always
 *		the default class (a small-stack G cannot spawn)
 * @id:		I: its id in @file
 * @lock:	J
 * @group:	I: the scheduler's hook: its goroutines' group (gmp_job_group_ops)
 * @gs:		J: its live goroutines, through gmp_g.grouplink
 * @nlive:	A: live goroutines and tasks; the job finishes at 0
 * @cancelled:	J, read with READ_ONCE()
 * @done:	J: the last goroutine has exited; cancel no longer applies
 * @error:	J: the first error, 0 if none
 * @created:	J: goroutines started
 * @in_table:	FL: still in @file's table (not yet collected or closed)
 * @finished:	FL: its goroutines have all exited and @result is final
 * @start_ns:	I
 * @end_ns:	R
 * @result:	R: see uapi/gmp.h
 * @aux:	R
 * @state:	the kind's, from @prepare
 * @flink:	for closing a file: jobs taken out of its table
 */
struct gmp_job {
	struct kref ref;
	struct gmp_file *file;
	const struct gmp_job_kind *kind;
	struct gmp_job_submit p;
	struct gmp_spawn_opts opts;
	struct gmp_spawn_opts opts_inner;
	u32 id;
	spinlock_t lock;		/* J */
	struct gmp_group group;
	struct list_head gs;
	atomic_t nlive;
	bool cancelled;
	bool done;
	int error;
	u64 created;
	bool in_table;
	bool finished;
	u64 start_ns;
	u64 end_ns;
	u64 result;
	u64 aux[4];
	void *state;
	struct list_head flink;
};

extern const struct gmp_job_kind gmp_job_kinds[GMP_JOB_NR_KINDS];

/* Limits (module parameters in sched/job.c), read with READ_ONCE(). */
extern unsigned int gmp_file_max_goroutines;
extern unsigned long gmp_max_job_bytes;

void gmp_job_fail(struct gmp_job *job, int err);
int gmp_job_task_start(struct gmp_job *job);
void gmp_job_task_done(struct gmp_job *job);
extern struct workqueue_struct *gmp_bench_wq;
int gmp_job_charge_buf(struct gmp_job *job, size_t bytes);
void gmp_job_uncharge_buf(struct gmp_job *job, size_t bytes);
int gmp_jobkinds_init(void);
void gmp_jobkinds_exit(void);

/* ---- kind state shared by sched/jobkinds.c and sched/baseline.c ---- */

struct spawn_state {
	atomic64_t ran;
	void *works;		/* GMP_MODE_WORKQUEUE: the work items */
};

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

struct sleep_state {
	u64 n;
	u64 ns;
	void *works;		/* GMP_MODE_WORKQUEUE: the delayed works */
	u64 late[];		/* written by goroutine (or task) i only */
};

struct fanout_state {
	struct gmp_waitgroup wg;
	atomic64_t finished;
	atomic_t left;		/* baselines: workers still running */
	struct completion all_done;	/* baselines: the last one completes */
	u64 sink;
	void *works;		/* GMP_MODE_WORKQUEUE: the work items */
};

struct park_state {
	struct gmp_chan *c;
	atomic64_t woken;
	struct completion release;	/* GMP_MODE_KTHREAD */
};

u64 gmp_busy_unit(u64 x);

/* The baseline modes' root goroutines (sched/baseline.c). */
void fanout_root_kthread(void *arg);
void fanout_root_wq(void *arg);
void park_root_kthread(void *arg);
void spawn_root_kthread(void *arg);
void spawn_root_wq(void *arg);
void skynet_root_kthread(void *arg);
void skynet_root_wq(void *arg);
void pp_root_kthread(void *arg);
void pp_root_wq(void *arg);
void sleep_root_kthread(void *arg);
void sleep_root_wq(void *arg);

extern const struct gmp_group_ops gmp_job_group_ops;

/* The running goroutine's job, or NULL. */
static inline struct gmp_job *gmp_job_current(void)
{
	struct gmp_g *gp = gmp_self();

	if (!gp || !gp->group || gp->group->ops != &gmp_job_group_ops)
		return NULL;
	return container_of(gp->group, struct gmp_job, group);
}

/*
 * Start a leaf goroutine of the caller's job @job: one that neither spawns
 * nor allocates, so it may run on a small stack.
 */
static inline int gmp_job_go(struct gmp_job *job, gmp_fn_t fn, void *arg)
{
	return __gmp_go(THIS_MODULE, fn, arg, &job->opts);
}

/* Start a goroutine of the caller's job that spawns, allocates or blocks. */
static inline int gmp_job_go_inner(struct gmp_job *job, gmp_fn_t fn,
				   void *arg)
{
	return __gmp_go(THIS_MODULE, fn, arg, &job->opts_inner);
}

#endif /* _GMP_JOB_H */
