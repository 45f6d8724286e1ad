// SPDX-License-Identifier: GPL-2.0
/*
 * The job kinds built into gmp: small programs written the way Go code is
 * (goroutines, channels), each with a result userspace can check against
 * a closed form. uapi/gmp.h documents the parameters and results; the
 * benchmark suite runs the same programs as Go code. Each kind is one
 * file, dev/kind_<name>.c; this one holds the table the ioctls walk and
 * what the kinds share. The design essay is at the top of sched/proc.c.
 *
 * Every kind unwinds when its job is cancelled: blocking calls return
 * -ECANCELED, busy loops poll gmp_cancelled(). A goroutine that cannot
 * start another calls gmp_job_fail(), which cancels the rest. State a
 * kind allocates lives until release(), after the last goroutine exited.
 *
 * The baselines: spawn, skynet, pingpong, sleep, fanout and park done
 * with the kernel's own tools, kthreads (GMP_MODE_KTHREAD) and work items
 * on a dedicated per-CPU workqueue (GMP_MODE_WORKQUEUE), so that the
 * benchmarks and a user with gmpctl can compare them with goroutines on
 * the same machine.
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
 * Every task holds a module reference from gmp_job_task_start() to the
 * end of gmp_job_task_done(), so a delayed work whose timer is pending
 * keeps rmmod refused; each kthread also holds one of its own, dropped by
 * module_put_and_kthread_exit(); work items still running at unload are
 * waited for by destroy_workqueue().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/jiffies.h>
#include <linux/completion.h>
#include <linux/workqueue.h>

#include "dev.h"

/* ---- the table -------------------------------------------------------- */

const struct gmp_job_kind *const gmp_job_kinds[GMP_JOB_NR_KINDS] = {
	[GMP_JOB_SPAWN]		= &gmp_kind_spawn,
	[GMP_JOB_SKYNET]	= &gmp_kind_skynet,
	[GMP_JOB_PINGPONG]	= &gmp_kind_pingpong,
	[GMP_JOB_RING]		= &gmp_kind_ring,
	[GMP_JOB_CPU]		= &gmp_kind_cpu,
	[GMP_JOB_SLEEP]		= &gmp_kind_sleep,
	[GMP_JOB_BLOCK]		= &gmp_kind_block,
	[GMP_JOB_CHAN]		= &gmp_kind_chan,
	[GMP_JOB_CHECKSUM]	= &gmp_kind_checksum,
	[GMP_JOB_FANOUT]	= &gmp_kind_fanout,
	[GMP_JOB_PARK]		= &gmp_kind_park,
};

/* ---- what the kinds share --------------------------------------------- */

/* Enough busy work per unit to dwarf a checkpoint, not a time slice. */
#define GMP_BUSY_ITERS	2048

/* One unit of busy work: an xorshift chain the compiler cannot drop. */
u64 gmp_busy_unit(u64 x)
{
	int i;

	for (i = 0; i < GMP_BUSY_ITERS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

void gmp_kind_kfree_state(struct gmp_job *job)
{
	kvfree(job->state);
	job->state = NULL;
}

void gmp_kind_no_state(struct gmp_job *job)
{
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
int bl_kthread_start(struct gmp_job *job,
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

/* Wait for @c, giving up when the job is cancelled; false if so. */
bool bl_wait(struct gmp_job *job, struct completion *c)
{
	while (!wait_for_completion_timeout(c, HZ))
		if (bl_cancelled(job))
			return false;
	return true;
}

/* ---- load and unload ------------------------------------------------- */

struct workqueue_struct *gmp_bench_wq;

int gmp_kinds_init(void)
{
	int err = gmp_kind_skynet_init();

	if (err)
		return err;
	/* Per-CPU, so a work item runs where it was queued, as Gs do. */
	gmp_bench_wq = alloc_workqueue("gmp_bench", 0, 0);
	if (!gmp_bench_wq) {
		gmp_kind_skynet_exit();
		return -ENOMEM;
	}
	return 0;
}

/* After every goroutine has exited: runs what work is left, then frees. */
void gmp_kinds_exit(void)
{
	destroy_workqueue(gmp_bench_wq);
	gmp_kind_skynet_exit();
}
