/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmp device layer private header (dev/): what userspace submits through
 * /dev/gmp (dev/device.c, dev/job.c), the limits it is charged against
 * (dev/limits.c) and the job kinds built into the module (dev/kind.c and
 * dev/kind_*.c). It sits on the sync layer and the scheduler, whose
 * headers it may include; neither of them names anything here. The
 * scheduler's design essay is at the top of sched/proc.c.
 *
 * Lock legend of the device layer, used as a tag on the fields below; the
 * scheduler's legend, and the module's lock order, are in sched/sched.h:
 *
 *  FL: gmp_file.lock -- the file's job counts and each job's table state
 *  J:  gmp_job.lock  -- the job's goroutine list and cancellation state;
 *      it is the GR lock (sched/sched.h) of the job's goroutine group
 *  A:  atomic
 *  I:  set before the job's first goroutine starts, stable afterwards
 *  R:  written by the job's goroutines, read once the last has exited
 *
 * Where they sit: both are plain spinlocks, above every lock of the
 * scheduler and of sync/. FL and J are never nested. FL is a leaf: no
 * other lock is taken under it. Under J only gmp_g_cancel() is called
 * (J -> G in sched/sched.h), and with it what ending a G's wait takes:
 * the wait's own lock (a channel's C) and the scheduler's L to ready the
 * G. The scheduler calls the group ops (gmp_job_group_ops, which take J)
 * with no gmp lock held. The default group (dev/limits.c) and the
 * charges have no lock: they are atomic. Neither FL nor J is held across
 * a context switch or a call that may sleep.
 */
#ifndef _GMP_DEV_H
#define _GMP_DEV_H

#include <linux/kref.h>
#include <linux/xarray.h>
#include <linux/wait.h>
#include <linux/spinlock.h>
#include <linux/completion.h>
#include <linux/workqueue.h>

#include "uapi/gmp.h"
#include "sched/sched.h"

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
	struct kref ref;		/* A */
	spinlock_t lock;		/* FL */
	struct xarray jobs;		/* its own lock; looked up and walked under FL */
	u32 next_id;			/* @jobs' lock */
	unsigned int njobs;		/* FL */
	unsigned int nfinished;		/* FL */
	wait_queue_head_t wq;		/* its own lock */
	atomic_t ngoroutines;		/* A */
	atomic_long_t stack_bytes;	/* A */
	atomic_long_t buf_bytes;	/* A */
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
	struct kref ref;		/* A */
	struct gmp_file *file;		/* I */
	const struct gmp_job_kind *kind;	/* I */
	struct gmp_job_submit p;	/* I */
	struct gmp_spawn_opts opts;	/* I */
	struct gmp_spawn_opts opts_inner;	/* I */
	u32 id;				/* I */
	spinlock_t lock;		/* J */
	struct gmp_group group;		/* I */
	struct list_head gs;		/* J */
	atomic_t nlive;			/* A */
	bool cancelled;			/* J, read with READ_ONCE() */
	bool done;			/* J */
	int error;			/* J */
	u64 created;			/* J */
	bool in_table;			/* FL */
	bool finished;			/* FL */
	u64 start_ns;			/* I */
	u64 end_ns;			/* R */
	u64 result;			/* R */
	u64 aux[4];			/* R */
	void *state;			/* I: the kind's, from @prepare */
	struct list_head flink;		/* whoever took it out of the table */
};

/* device.c: the device, and the extensible ioctl structs (see uapi/gmp.h). */
int gmp_dev_init(void);
void gmp_dev_exit(void);
int gmp_dev_register(unsigned int mode);
void gmp_dev_unregister(void);
void gmp_version_fill(struct gmp_version *v);
int gmp_uapi_copy_in(void *kbuf, size_t ksize, size_t minsize,
		     const void __user *uarg, u64 *usize);
int gmp_uapi_copy_out(void __user *uarg, const void *kbuf, size_t ksize,
		      u64 usize);

/* job.c: files and jobs, and the job ioctls device.c dispatches. */
struct gmp_file *gmp_file_open(void);
void gmp_file_release(struct gmp_file *f);
__poll_t gmp_file_poll(struct gmp_file *f, struct file *file,
		       struct poll_table_struct *wait);
long gmp_job_submit(struct gmp_file *f, void __user *uarg);
long gmp_job_wait(struct gmp_file *f, void __user *uarg);
long gmp_job_cancel_ioctl(struct gmp_file *f, void __user *uarg);
void gmp_job_fail(struct gmp_job *job, int err);
int gmp_job_task_start(struct gmp_job *job);
void gmp_job_task_done(struct gmp_job *job);

/* limits.c: the limits (module parameters), read with READ_ONCE(). */
extern unsigned int gmp_file_max_goroutines;
extern unsigned int gmp_file_max_jobs;
extern unsigned long gmp_max_job_bytes;
int gmp_g_charge(struct gmp_file *f, unsigned int class);
void gmp_g_uncharge(struct gmp_file *f, unsigned int class);
int gmp_task_charge(struct gmp_file *f);
void gmp_task_uncharge(struct gmp_file *f);
int gmp_job_charge_buf(struct gmp_job *job, size_t bytes);
void gmp_job_uncharge_buf(struct gmp_job *job, size_t bytes);
void gmp_limits_init(void);
void gmp_limits_exit(void);

/* kind.c: the table, indexed by GMP_JOB_*, and what the kinds share. */
extern const struct gmp_job_kind *const gmp_job_kinds[GMP_JOB_NR_KINDS];
extern struct workqueue_struct *gmp_bench_wq;
int gmp_kinds_init(void);
void gmp_kinds_exit(void);
u64 gmp_busy_unit(u64 x);
void gmp_kind_kfree_state(struct gmp_job *job);
void gmp_kind_no_state(struct gmp_job *job);

/* The kinds, one file each: dev/kind_<name>.c. */
extern const struct gmp_job_kind gmp_kind_spawn;
extern const struct gmp_job_kind gmp_kind_skynet;
extern const struct gmp_job_kind gmp_kind_pingpong;
extern const struct gmp_job_kind gmp_kind_ring;
extern const struct gmp_job_kind gmp_kind_cpu;
extern const struct gmp_job_kind gmp_kind_sleep;
extern const struct gmp_job_kind gmp_kind_block;
extern const struct gmp_job_kind gmp_kind_chan;
extern const struct gmp_job_kind gmp_kind_checksum;
extern const struct gmp_job_kind gmp_kind_fanout;
extern const struct gmp_job_kind gmp_kind_park;
int gmp_kind_skynet_init(void);
void gmp_kind_skynet_exit(void);

/*
 * The baseline modes' tasks (kind.c): kthreads and work items doing a
 * goroutine's work in GMP_MODE_KTHREAD and GMP_MODE_WORKQUEUE.
 */
static inline bool bl_cancelled(struct gmp_job *job)
{
	return READ_ONCE(job->cancelled);
}

int bl_kthread_start(struct gmp_job *job,
		     void (*fn)(struct gmp_job *job, void *arg),
		     void *arg, int cpu);
bool bl_wait(struct gmp_job *job, struct completion *c);

/* A work item of a job, one per would-be goroutine (spawn, fanout). */
struct bl_work {
	struct work_struct work;
	struct gmp_job *job;
};

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

#endif /* _GMP_DEV_H */
