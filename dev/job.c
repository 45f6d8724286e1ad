// SPDX-License-Identifier: GPL-2.0
/*
 * gmp jobs: the life of a job submitted through /dev/gmp, and jobs as
 * goroutine groups. The design essay is at the top of sched/proc.c.
 *
 * A job is a kind built into the module (dev/kind.c) run as goroutines.
 * Its first goroutine is started by GMP_IOC_SUBMIT; every goroutine a
 * job's goroutine starts belongs to the same job (gmp_g.group is
 * inherited, like a Go context), is charged to the job's file and is on
 * the job's list, so that cancelling the job reaches all of them.
 *
 *   SUBMIT    prepare (checks, state, copy-in) -> table -> root goroutine;
 *             a failure at any step undoes the steps before it
 *   running   goroutines start and exit; nlive counts them
 *   finished  the last one exits: the kind computes the result, the job
 *             is marked finished, poll() and WAIT see it
 *   collected WAIT takes it out of the table and returns the result
 *
 * CANCEL, a failed goroutine start inside the job (gmp_job_fail()) and
 * closing the file all cancel: every goroutine of the job gets
 * gmp_g_cancel(), so its sleeps, channel operations and selects return
 * -ECANCELED, and the job's code unwinds. A closed file's jobs are not
 * waited for: they are taken out of the table and free themselves when
 * their last goroutine exits.
 *
 * The limits each goroutine is charged against are in dev/limits.c; the
 * ioctls are dispatched by dev/device.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>

#include "dev.h"

/* ---- files and jobs ------------------------------------------------------ */

static void gmp_file_free(struct kref *ref)
{
	struct gmp_file *f = container_of(ref, struct gmp_file, ref);

	WARN_ON_ONCE(!xa_empty(&f->jobs));
	xa_destroy(&f->jobs);
	kfree(f);
}

static void gmp_file_put(struct gmp_file *f)
{
	kref_put(&f->ref, gmp_file_free);
}

static void gmp_job_free(struct kref *ref)
{
	struct gmp_job *job = container_of(ref, struct gmp_job, ref);

	gmp_file_put(job->file);
	kfree(job);
}

static void gmp_job_put(struct gmp_job *job)
{
	kref_put(&job->ref, gmp_job_free);
}

/**
 * gmp_file_open() - the state of a newly opened /dev/gmp
 *
 * Context: process context; may sleep.
 * Return: the state, or NULL when out of memory.
 */
struct gmp_file *gmp_file_open(void)
{
	struct gmp_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	kref_init(&f->ref);
	spin_lock_init(&f->lock);
	xa_init_flags(&f->jobs, XA_FLAGS_ALLOC1);
	init_waitqueue_head(&f->wq);
	return f;
}

/* Cancel @job with @err, unless its goroutines have all exited. */
/* How many goroutines a canceller signals per hold of the job's lock. */
#define GMP_CANCEL_BATCH	64

static void gmp_job_cancel(struct gmp_job *job, int err)
{
	struct gmp_g *gp;
	LIST_HEAD(signalled);
	int n = 0;

	spin_lock(&job->lock);
	if (!job->error && !job->done)
		job->error = err;
	/*
	 * Once: after the first cancel no G can join (gmp_job_attach()), and
	 * every G it found gets gmp_g_cancel(). A later cancel or failure
	 * only records its error, so a million failing spawns cost no walk.
	 */
	if (job->done || job->cancelled) {
		spin_unlock(&job->lock);
		return;
	}
	WRITE_ONCE(job->cancelled, true);
	/*
	 * In batches, dropping the lock in between: the Gs signalled so far
	 * wait on a list of our own, which an exiting G leaves under the
	 * lock as it leaves ->gs; they go back to ->gs at the end. A G on
	 * either list is alive.
	 */
	while ((gp = list_first_entry_or_null(&job->gs, struct gmp_g,
					      grouplink))) {
		gmp_g_cancel(gp);
		list_move_tail(&gp->grouplink, &signalled);
		if (++n % GMP_CANCEL_BATCH)
			continue;
		spin_unlock(&job->lock);
		cond_resched();
		spin_lock(&job->lock);
	}
	list_splice(&signalled, &job->gs);
	spin_unlock(&job->lock);
}

/**
 * gmp_job_fail() - a job's goroutine gives up: record @err and cancel
 * @job: the job
 * @err: why (the first error is the one the job reports)
 *
 * Context: process context or a goroutine; may reschedule while the first
 * cancel signals the job's goroutines, a batch at a time.
 */
void gmp_job_fail(struct gmp_job *job, int err)
{
	gmp_job_cancel(job, err);
}

static void gmp_job_finish(struct gmp_job *job);

/**
 * gmp_job_task_start() - count a baseline task (a kthread or a work item
 * doing a goroutine's work in GMP_MODE_KTHREAD/WORKQUEUE) as live in @job
 * @job: the job; the caller is one of its live goroutines or tasks
 *
 * Tasks are not goroutines: cancellation does not reach them, they poll
 * READ_ONCE(job->cancelled). They count against the goroutine caps.
 *
 * Context: any.
 * Return: 0, or -EAGAIN over a cap.
 */
int gmp_job_task_start(struct gmp_job *job)
{
	int err = gmp_task_charge(job->file);

	if (err)
		return err;
	/*
	 * The task pins the module until gmp_job_task_done() returns: a
	 * delayed work whose timer is still pending must keep rmmod refused,
	 * since destroy_workqueue() waits for queued work, not for timers.
	 * Our caller runs module code, so the module is live (__module_get).
	 */
	__module_get(THIS_MODULE);
	atomic_inc(&job->nlive);
	spin_lock(&job->lock);
	job->created++;
	spin_unlock(&job->lock);
	return 0;
}

/**
 * gmp_job_task_done() - a baseline task of @job has finished its work
 * @job: the job; the last task (or goroutine) finishes it
 *
 * Drops the task's module reference last. The caller returns into module
 * code afterwards, which is safe: a work item of gmp_bench_wq is waited
 * for by destroy_workqueue() at unload, and a kthread holds a reference
 * of its own (module_put_and_kthread_exit()).
 *
 * Context: process context (a kthread or a work item of gmp_bench_wq).
 */
void gmp_job_task_done(struct gmp_job *job)
{
	gmp_task_uncharge(job->file);
	if (atomic_dec_and_test(&job->nlive))
		gmp_job_finish(job);
	module_put(THIS_MODULE);
}

/* The last goroutine of @job has exited: compute the result, tell WAIT. */
static void gmp_job_finish(struct gmp_job *job)
{
	struct gmp_file *f = job->file;
	bool failed;

	spin_lock(&job->lock);
	job->done = true;
	failed = job->error;
	spin_unlock(&job->lock);
	job->end_ns = ktime_get_ns();
	if (!failed && job->kind->finish)
		job->kind->finish(job);
	job->kind->release(job);

	spin_lock(&f->lock);
	job->finished = true;
	if (job->in_table)
		f->nfinished++;
	spin_unlock(&f->lock);
	wake_up_all(&f->wq);
	gmp_job_put(job);	/* the running goroutines' reference */
}

/* ---- a job's group: its goroutines, charged to its file ---------------- */

static struct gmp_job *gmp_group_job(struct gmp_group *grp)
{
	return container_of(grp, struct gmp_job, group);
}

static int gmp_job_charge(struct gmp_group *grp, unsigned int class)
{
	return gmp_g_charge(gmp_group_job(grp)->file, class);
}

static void gmp_job_uncharge(struct gmp_group *grp, unsigned int class)
{
	gmp_g_uncharge(gmp_group_job(grp)->file, class);
}

/* A new G joins the job's list, unless the job is cancelled. */
static int gmp_job_attach(struct gmp_group *grp, struct gmp_g *gp)
{
	struct gmp_job *job = gmp_group_job(grp);

	spin_lock(&job->lock);
	if (job->cancelled) {
		spin_unlock(&job->lock);
		return -ECANCELED;
	}
	list_add_tail(&gp->grouplink, &job->gs);
	job->created++;
	atomic_inc(&job->nlive);
	spin_unlock(&job->lock);
	return 0;
}

/*
 * A goroutine is exiting, on its own stack: uncharge it, leave its job.
 * The last goroutine of a job finishes the job, from here.
 */
static void gmp_job_gexit(struct gmp_group *grp, struct gmp_g *gp)
{
	struct gmp_job *job = gmp_group_job(grp);

	gmp_g_uncharge(job->file, gp->stack_class);
	spin_lock(&job->lock);
	list_del_init(&gp->grouplink);
	spin_unlock(&job->lock);
	if (atomic_dec_and_test(&job->nlive))
		gmp_job_finish(job);
}

const struct gmp_group_ops gmp_job_group_ops = {
	.charge = gmp_job_charge,
	.uncharge = gmp_job_uncharge,
	.attach = gmp_job_attach,
	.exit = gmp_job_gexit,
};

/* ---- the ioctls ------------------------------------------------------ */

/**
 * gmp_job_submit() - GMP_IOC_SUBMIT: check, prepare and start a job
 * @f:	  the file's state
 * @uarg: the user's struct gmp_job_submit
 *
 * Context: process context; may sleep.
 * Return: as documented in uapi/gmp.h.
 */
long gmp_job_submit(struct gmp_file *f, void __user *uarg)
{
	const struct gmp_job_kind *kind;
	struct gmp_job_submit js;
	struct gmp_job *job;
	gmp_fn_t root;
	struct gmp_g *gp;
	u64 usize;
	u32 id;
	int i, err;

	err = gmp_uapi_copy_in(&js, sizeof(js), GMP_JOB_SUBMIT_SIZE_VER0, uarg,
			       &usize);
	if (err)
		return err;
	if (js.flags & ~GMP_SUBMIT_SMALL_STACK || js.id)
		return -EINVAL;
	if (js.kind == 0 || js.kind >= GMP_JOB_NR_KINDS ||
	    js.mode >= GMP_MODE_NR)
		return -EINVAL;
	kind = gmp_job_kinds[js.kind];
	root = js.mode ? kind->root_mode[js.mode] : kind->root;
	if (!root)
		return -EOPNOTSUPP;
	/* Real kernel threads, one per goroutine: the administrator's. */
	if (js.mode == GMP_MODE_KTHREAD && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	for (i = kind->nparams; i < ARRAY_SIZE(js.raw); i++)
		if (js.raw[i])
			return -EINVAL;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	kref_init(&job->ref);		/* the table's */
	kref_get(&f->ref);
	job->file = f;
	job->kind = kind;
	job->p = js;
	job->opts.stack = js.flags & GMP_SUBMIT_SMALL_STACK ?
			  GMP_STACK_SMALL : GMP_STACK_DEFAULT;
	job->opts.name = kind->name;
	job->opts_inner.stack = GMP_STACK_DEFAULT;
	job->opts_inner.name = kind->name;
	job->group.ops = &gmp_job_group_ops;
	job->opts.group = &job->group;
	job->opts_inner.group = &job->group;
	spin_lock_init(&job->lock);
	INIT_LIST_HEAD(&job->gs);
	INIT_LIST_HEAD(&job->flink);

	err = kind->prepare(job);
	if (err)
		goto put;
	spin_lock(&f->lock);
	if (f->njobs >= READ_ONCE(gmp_file_max_jobs)) {
		spin_unlock(&f->lock);
		err = -EAGAIN;
		goto release;
	}
	f->njobs++;
	job->in_table = true;
	spin_unlock(&f->lock);
	err = xa_alloc_cyclic(&f->jobs, &id, job, XA_LIMIT(1, INT_MAX),
			      &f->next_id, GFP_KERNEL);
	if (err < 0)
		goto unaccount;
	job->id = id;
	/* Tell the caller its id before anything runs: nothing to undo after. */
	js.id = id;
	js.size = sizeof(js);
	err = gmp_uapi_copy_out(uarg, &js, sizeof(js), usize);
	if (err)
		goto erase;

	kref_get(&job->ref);		/* the running goroutines' */
	job->start_ns = ktime_get_ns();
	gp = gmp_newproc(THIS_MODULE, root, job, &job->opts_inner, &err);
	if (!gp) {
		kref_put(&job->ref, gmp_job_free);	/* never the last */
		goto erase;
	}
	gp->gopc = _RET_IP_;
	gmp_g_start(gp);
	return 0;

erase:
	xa_erase(&f->jobs, id);
unaccount:
	spin_lock(&f->lock);
	f->njobs--;
	job->in_table = false;
	spin_unlock(&f->lock);
	wake_up_all(&f->wq);	/* a WAIT for any job may have seen it */
release:
	kind->release(job);
put:
	gmp_job_put(job);
	return err;
}

/*
 * Take a finished job out of @f's table: job @id, or with @any the first
 * finished one. 0 with *@jobp set; -EAGAIN while it (or, with @any, every
 * job) still runs; -ENOENT if there is no such job.
 */
static int gmp_file_take(struct gmp_file *f, u64 id, bool any,
			 struct gmp_job **jobp)
{
	struct gmp_job *job = NULL, *j;
	unsigned long idx;
	int ret = -ENOENT;

	spin_lock(&f->lock);
	if (any) {
		xa_for_each(&f->jobs, idx, j) {
			ret = -EAGAIN;
			if (j->finished) {
				job = j;
				break;
			}
		}
	} else if (id <= INT_MAX) {
		job = xa_load(&f->jobs, id);
		if (job && !job->finished) {
			job = NULL;
			ret = -EAGAIN;
		}
	}
	if (job) {
		xa_erase(&f->jobs, job->id);
		job->in_table = false;
		f->njobs--;
		f->nfinished--;
		ret = 0;
	}
	spin_unlock(&f->lock);
	*jobp = job;
	return ret;
}

/**
 * gmp_job_wait() - GMP_IOC_WAIT: collect a finished job
 * @f:	  the file's state
 * @uarg: the user's struct gmp_job_wait
 *
 * Context: process context; may sleep.
 * Return: as documented in uapi/gmp.h.
 */
long gmp_job_wait(struct gmp_file *f, void __user *uarg)
{
	struct gmp_job_wait jw;
	struct gmp_job *job;
	ktime_t timeout;
	bool any;
	u64 usize;
	long ret;
	int err;

	ret = gmp_uapi_copy_in(&jw, sizeof(jw), GMP_JOB_WAIT_SIZE_VER0, uarg,
			       &usize);
	if (ret)
		return ret;
	if (jw.flags & ~GMP_WAIT_ANY)
		return -EINVAL;
	if (jw.kind || jw.error || jw.result || jw.elapsed_ns ||
	    jw.goroutines || memchr_inv(jw.aux, 0, sizeof(jw.aux)))
		return -EINVAL;
	any = jw.flags & GMP_WAIT_ANY;
	if (any && jw.id)
		return -EINVAL;

	timeout = ns_to_ktime(min_t(u64, jw.timeout_ns, KTIME_MAX));
#define TAKEN	((err = gmp_file_take(f, jw.id, any, &job)) != -EAGAIN)
	ret = 0;
	if (TAKEN || !jw.timeout_ns)
		;
	else if (jw.timeout_ns == GMP_WAIT_FOREVER)
		ret = wait_event_interruptible(f->wq, TAKEN);
	else
		ret = wait_event_interruptible_hrtimeout(f->wq, TAKEN, timeout);
#undef TAKEN
	if (ret == -ERESTARTSYS)
		return -EINTR;
	if (err == -EAGAIN)
		return -ETIMEDOUT;
	if (err)
		return err;

	jw.id = job->id;
	jw.kind = job->p.kind;
	jw.error = job->error;
	jw.result = job->result;
	memcpy(jw.aux, job->aux, sizeof(jw.aux));
	jw.elapsed_ns = job->end_ns - job->start_ns;
	jw.goroutines = job->created;
	gmp_job_put(job);		/* the table's */
	jw.size = sizeof(jw);
	return gmp_uapi_copy_out(uarg, &jw, sizeof(jw), usize);
}

/**
 * gmp_job_cancel_ioctl() - GMP_IOC_CANCEL: cancel a running job
 * @f:	  the file's state
 * @uarg: the user's struct gmp_job_cancel
 *
 * Context: process context; may sleep.
 * Return: as documented in uapi/gmp.h.
 */
long gmp_job_cancel_ioctl(struct gmp_file *f, void __user *uarg)
{
	struct gmp_job_cancel jc;
	struct gmp_job *job = NULL;
	u64 usize;
	int err;

	err = gmp_uapi_copy_in(&jc, sizeof(jc), GMP_JOB_CANCEL_SIZE_VER0, uarg,
			       &usize);
	if (err)
		return err;
	if (jc.flags)
		return -EINVAL;
	spin_lock(&f->lock);
	if (jc.id && jc.id <= INT_MAX)
		job = xa_load(&f->jobs, jc.id);
	if (job)
		kref_get(&job->ref);
	spin_unlock(&f->lock);
	if (!job)
		return -ENOENT;
	gmp_job_cancel(job, -ECANCELED);
	gmp_job_put(job);
	return 0;
}

/**
 * gmp_file_poll() - EPOLLIN while a finished job waits to be collected
 * @f:	  the file's state
 * @file: the file
 * @wait: the poll table
 *
 * Context: process context.
 * Return: the poll mask.
 */
__poll_t gmp_file_poll(struct gmp_file *f, struct file *file,
		       struct poll_table_struct *wait)
{
	__poll_t mask = 0;

	poll_wait(file, &f->wq, wait);
	spin_lock(&f->lock);
	if (f->nfinished)
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock(&f->lock);
	return mask;
}

/**
 * gmp_file_release() - the file is closed: cancel and forget its jobs
 * @f: the file's state
 *
 * Running jobs unwind on their own and free themselves when their last
 * goroutine exits; nothing here waits for them.
 *
 * Context: process context.
 */
void gmp_file_release(struct gmp_file *f)
{
	struct gmp_job *job, *tmp;
	unsigned long idx;
	LIST_HEAD(jobs);

	spin_lock(&f->lock);
	xa_for_each(&f->jobs, idx, job) {
		xa_erase(&f->jobs, idx);
		job->in_table = false;
		list_add_tail(&job->flink, &jobs);
	}
	f->njobs = 0;
	f->nfinished = 0;
	spin_unlock(&f->lock);
	list_for_each_entry_safe(job, tmp, &jobs, flink) {
		gmp_job_cancel(job, -ECANCELED);
		gmp_job_put(job);	/* the table's */
	}
	gmp_file_put(f);
}
