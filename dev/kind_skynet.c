// SPDX-License-Identifier: GPL-2.0
/*
 * The skynet job kind: a tree of goroutines summing their ids; as a
 * baseline, a tree of kthreads or of work items. uapi/gmp.h documents its
 * parameters and result; dev/kind.c has what the kinds share and how the
 * baselines work. The design essay is at the top of sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/math64.h>
#include <linux/completion.h>
#include <linux/workqueue.h>

#include "dev.h"

/* ---- skynet: a tree of goroutines summing their ids --------------------- */

/*
 * Go's skynet: goroutine (num, size) with size 1 sends num to its parent;
 * otherwise it starts branch children over equal parts of [num, num+size)
 * (the first size % branch get one more), and sends the sum of what they
 * send it over an unbuffered channel. The root is the job's first
 * goroutine and stores the sum in the job.
 */
struct sky_arg {
	struct gmp_chan *out;	/* a reference of its own; NULL for the root */
	u64 num;
	u64 size;
};

static struct kmem_cache *sky_cache;

static int skynet_prepare(struct gmp_job *job)
{
	if (!job->p.skynet.size)
		job->p.skynet.size = 1000000;
	if (!job->p.skynet.branch)
		job->p.skynet.branch = 10;
	if (job->p.skynet.size > GMP_JOB_MAX_ITERS ||
	    job->p.skynet.branch < 2 || job->p.skynet.branch > 1024)
		return -EINVAL;
	return 0;
}

static void sky_fn(void *arg);

/* Start the children of @s; returns how many started. */
static u64 sky_spawn(struct gmp_job *job, struct sky_arg *s,
		     struct gmp_chan *rc)
{
	u64 branch = job->p.skynet.branch, off = s->num, n, q, r, sub;
	struct sky_arg *c;
	int err = 0;

	q = div64_u64_rem(s->size, branch, &r);
	for (n = 0; n < branch; n++) {
		sub = q + (n < r);
		if (!sub)
			break;
		c = kmem_cache_alloc(sky_cache, GFP_KERNEL);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		c->out = gmp_chan_get(rc);
		c->num = off;
		c->size = sub;
		/* Leaves only send: they may take small stacks. */
		if (sub == 1)
			err = gmp_job_go(job, sky_fn, c);
		else
			err = gmp_job_go_inner(job, sky_fn, c);
		if (err) {
			gmp_chan_put(rc);
			kmem_cache_free(sky_cache, c);
			break;
		}
		off += sub;
	}
	if (err)
		gmp_job_fail(job, err);
	return n;
}

static void sky_fn(void *arg)
{
	struct gmp_job *job = gmp_job_current();
	struct sky_arg *s = arg;
	struct gmp_chan *rc;
	u64 sum = 0, v = 0, n, i;
	int err = 0;

	if (s->size == 1) {
		sum = s->num;
		goto out;
	}
	rc = gmp_chan_create(sizeof(u64), 0);
	if (IS_ERR(rc)) {
		gmp_job_fail(job, PTR_ERR(rc));
		goto free;
	}
	n = sky_spawn(job, s, rc);
	for (i = 0; i < n && !err; i++) {
		err = gmp_chan_recv(rc, &v, NULL);
		sum += v;
	}
	gmp_chan_put(rc);
	if (err)
		goto free;
out:
	if (s->out)
		gmp_chan_send(s->out, &sum);	/* fails only if cancelled */
	else
		job->result = sum;
free:
	if (s->out)
		gmp_chan_put(s->out);
	kmem_cache_free(sky_cache, s);
}

static void skynet_root(void *arg)
{
	struct gmp_job *job = arg;
	struct sky_arg *s = kmem_cache_alloc(sky_cache, GFP_KERNEL);

	if (!s) {
		gmp_job_fail(job, -ENOMEM);
		return;
	}
	s->out = NULL;
	s->num = 0;
	s->size = job->p.skynet.size;
	sky_fn(s);
}

static void skynet_finish(struct gmp_job *job)
{
	/* The baselines' root goroutine only starts the tree's root task. */
	job->aux[0] = job->created - (job->p.mode != GMP_MODE_GOROUTINE);
}

/* ---- the baselines: GMP_MODE_KTHREAD, GMP_MODE_WORKQUEUE --------------- */

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

static void skynet_root_kthread(void *arg)
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

static void skynet_root_wq(void *arg)
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

/* The tree's nodes come from a cache made at load (gmp_kinds_init()). */
int gmp_kind_skynet_init(void)
{
	sky_cache = KMEM_CACHE(sky_arg, 0);
	return sky_cache ? 0 : -ENOMEM;
}

void gmp_kind_skynet_exit(void)
{
	kmem_cache_destroy(sky_cache);
}

const struct gmp_job_kind gmp_kind_skynet = {
	.name = "skynet", .nparams = 2, .prepare = skynet_prepare,
	.root = skynet_root, .finish = skynet_finish,
	.root_mode = { [GMP_MODE_KTHREAD] = skynet_root_kthread,
		       [GMP_MODE_WORKQUEUE] = skynet_root_wq },
	.release = gmp_kind_no_state,
};
