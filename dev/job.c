// SPDX-License-Identifier: GPL-2.0
/*
 * gmp jobs: the life of a job submitted through /dev/gmp, and the limits
 * every goroutine is charged against.
 *
 * A job is a kind built into the module (sched/jobkinds.c) run as
 * goroutines. Its first goroutine is started by GMP_IOC_SUBMIT; every
 * goroutine a job's goroutine starts belongs to the same job (gmp_g.job
 * is inherited, like a Go context), is charged to the job's file and is
 * on the job's list, so that cancelling the job reaches all of them.
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
 * Limits. Each file's goroutines, their stack memory and the user data
 * its jobs copy in are capped per file first, then globally, so a flood
 * through one file runs into its own cap long before the global one.
 * Every goroutine, a driver's included, counts against the global caps.
 * Going over is -EAGAIN (goroutines, jobs) or -ENOMEM (memory).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>

#include "gmp.h"
#include "job.h"

/* ---- limits -------------------------------------------------------------- */

static unsigned int max_goroutines = 1U << 22;
module_param(max_goroutines, uint, 0644);
MODULE_PARM_DESC(max_goroutines, "live goroutines, all users together (default 4194304)");

static unsigned int max_stack_mb;
module_param(max_stack_mb, uint, 0644);
MODULE_PARM_DESC(max_stack_mb, "goroutine stack memory in MiB, all users together (0 at load = half of RAM)");

unsigned int gmp_file_max_goroutines = 1U << 20;
module_param_named(file_max_goroutines, gmp_file_max_goroutines, uint, 0644);
MODULE_PARM_DESC(file_max_goroutines, "live goroutines of the jobs of one open /dev/gmp (default 1048576)");

static unsigned int file_max_stack_mb;
module_param(file_max_stack_mb, uint, 0644);
MODULE_PARM_DESC(file_max_stack_mb, "stack memory of the jobs of one open /dev/gmp, in MiB (0 at load = a quarter of RAM)");

static unsigned int file_max_jobs = 64;
module_param(file_max_jobs, uint, 0644);
MODULE_PARM_DESC(file_max_jobs, "jobs, running or not yet collected, per open /dev/gmp (default 64)");

unsigned long gmp_max_job_bytes = 64UL << 20;
module_param_named(max_job_bytes, gmp_max_job_bytes, ulong, 0644);
MODULE_PARM_DESC(max_job_bytes, "user data the jobs of one open /dev/gmp may copy in, in bytes (default 64 MiB)");

static atomic_t gmp_charged_gs = ATOMIC_INIT(0);
static atomic_long_t gmp_charged_stack = ATOMIC_LONG_INIT(0);

/* Add @n to @v unless that goes over @max; false (and no change) if so. */
static bool gmp_charge_long(atomic_long_t *v, long n, unsigned long max)
{
	if ((unsigned long)atomic_long_add_return(n, v) <= max)
		return true;
	atomic_long_sub(n, v);
	return false;
}

static bool gmp_charge_int(atomic_t *v, unsigned int max)
{
	if ((unsigned int)atomic_inc_return(v) <= max)
		return true;
	atomic_dec(v);
	return false;
}

/*
 * Count a goroutine of stack @class against @f's limits (none for a
 * driver's goroutine, @f NULL) and the module-wide ones. Returns 0;
 * -EAGAIN over a goroutine cap, -ENOMEM over a stack cap.
 */
static int gmp_g_charge(struct gmp_file *f, unsigned int class)
{
	long sz = gmp_stack_class_size(class);
	int err;

	if (f) {
		if (!gmp_charge_int(&f->ngoroutines,
				    READ_ONCE(gmp_file_max_goroutines)))
			return -EAGAIN;
		err = -ENOMEM;
		if (!gmp_charge_long(&f->stack_bytes, sz,
				     (unsigned long)READ_ONCE(file_max_stack_mb) << 20))
			goto undo_fg;
	}
	err = -EAGAIN;
	if (!gmp_charge_int(&gmp_charged_gs, READ_ONCE(max_goroutines)))
		goto undo_fs;
	err = -ENOMEM;
	if (!gmp_charge_long(&gmp_charged_stack, sz,
			     (unsigned long)READ_ONCE(max_stack_mb) << 20))
		goto undo_g;
	return 0;

undo_g:
	atomic_dec(&gmp_charged_gs);
undo_fs:
	if (f)
		atomic_long_sub(sz, &f->stack_bytes);
undo_fg:
	if (f)
		atomic_dec(&f->ngoroutines);
	return err;
}

/* Undo gmp_g_charge(@f, @class). */
static void gmp_g_uncharge(struct gmp_file *f, unsigned int class)
{
	long sz = gmp_stack_class_size(class);

	atomic_long_sub(sz, &gmp_charged_stack);
	atomic_dec(&gmp_charged_gs);
	if (f) {
		atomic_long_sub(sz, &f->stack_bytes);
		atomic_dec(&f->ngoroutines);
	}
}

/* ---- the default group: drivers' goroutines, module-wide caps only ---- */

static int gmp_global_charge(struct gmp_group *grp, unsigned int class)
{
	return gmp_g_charge(NULL, class);
}

static void gmp_global_uncharge(struct gmp_group *grp, unsigned int class)
{
	gmp_g_uncharge(NULL, class);
}

static int gmp_global_attach(struct gmp_group *grp, struct gmp_g *gp)
{
	return 0;
}

static void gmp_global_exit(struct gmp_group *grp, struct gmp_g *gp)
{
	gmp_g_uncharge(NULL, gp->stack_class);
}

static const struct gmp_group_ops gmp_global_group_ops = {
	.charge = gmp_global_charge,
	.uncharge = gmp_global_uncharge,
	.attach = gmp_global_attach,
	.exit = gmp_global_exit,
};

static struct gmp_group gmp_global_group = {
	.ops = &gmp_global_group_ops,
};

/**
 * gmp_job_charge_buf() - charge user data copied in for @job to its file
 * @job:   the job
 * @bytes: how much
 *
 * Context: any.
 * Return: 0, or -ENOMEM over max_job_bytes.
 */
int gmp_job_charge_buf(struct gmp_job *job, size_t bytes)
{
	return gmp_charge_long(&job->file->buf_bytes, bytes,
			       READ_ONCE(gmp_max_job_bytes)) ? 0 : -ENOMEM;
}

void gmp_job_uncharge_buf(struct gmp_job *job, size_t bytes)
{
	atomic_long_sub(bytes, &job->file->buf_bytes);
}

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
static void gmp_job_cancel(struct gmp_job *job, int err)
{
	struct gmp_g *gp;

	spin_lock(&job->lock);
	if (!job->done) {
		if (!job->error)
			job->error = err;
		WRITE_ONCE(job->cancelled, true);
		/* A G leaves ->gs under J before it dies: each one is alive. */
		list_for_each_entry(gp, &job->gs, grouplink)
			gmp_g_cancel(gp);
	}
	spin_unlock(&job->lock);
}

/**
 * gmp_job_fail() - a job's goroutine gives up: record @err and cancel
 * @job: the job
 * @err: why (the first error is the one the job reports)
 *
 * Context: process context or a goroutine.
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
	struct gmp_file *f = job->file;

	if (!gmp_charge_int(&f->ngoroutines,
			    READ_ONCE(gmp_file_max_goroutines)))
		return -EAGAIN;
	if (!gmp_charge_int(&gmp_charged_gs, READ_ONCE(max_goroutines))) {
		atomic_dec(&f->ngoroutines);
		return -EAGAIN;
	}
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
 * Context: process context (a kthread or a work item).
 */
void gmp_job_task_done(struct gmp_job *job)
{
	atomic_dec(&gmp_charged_gs);
	atomic_dec(&job->file->ngoroutines);
	if (atomic_dec_and_test(&job->nlive))
		gmp_job_finish(job);
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

static long gmp_job_submit(struct gmp_file *f, void __user *uarg)
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
	kind = &gmp_job_kinds[js.kind];
	root = js.mode ? kind->root_mode[js.mode] : kind->root;
	if (!root)
		return -EOPNOTSUPP;
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
	if (f->njobs >= READ_ONCE(file_max_jobs)) {
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

static long gmp_job_wait(struct gmp_file *f, void __user *uarg)
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

static long gmp_job_cancel_ioctl(struct gmp_file *f, void __user *uarg)
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
 * gmp_file_ioctl() - the job ioctls of an open /dev/gmp
 * @f:	  the file's state
 * @cmd:  GMP_IOC_SUBMIT, GMP_IOC_WAIT or GMP_IOC_CANCEL
 * @uarg: the user's argument
 *
 * Context: process context; may sleep.
 * Return: as documented in uapi/gmp.h; -ENOTTY for another @cmd.
 */
long gmp_file_ioctl(struct gmp_file *f, unsigned int cmd, void __user *uarg)
{
	switch (cmd) {
	case GMP_IOC_SUBMIT:
		return gmp_job_submit(f, uarg);
	case GMP_IOC_WAIT:
		return gmp_job_wait(f, uarg);
	case GMP_IOC_CANCEL:
		return gmp_job_cancel_ioctl(f, uarg);
	default:
		return -ENOTTY;
	}
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

/**
 * gmp_job_init() - set the memory limits left at 0 from the RAM size
 *
 * Context: module init.
 * Return: 0 or -ENOMEM.
 */
int gmp_job_init(void)
{
	unsigned long ram_mb = totalram_pages() >> (20 - PAGE_SHIFT);

	if (!max_stack_mb)
		max_stack_mb = max(ram_mb / 2, 1UL);
	if (!file_max_stack_mb)
		file_max_stack_mb = max(ram_mb / 4, 1UL);
	gmp_group_set_default(&gmp_global_group);
	return gmp_jobkinds_init();
}

void gmp_job_exit(void)
{
	gmp_jobkinds_exit();
	gmp_group_set_default(NULL);
}
