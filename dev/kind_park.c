// SPDX-License-Identifier: GPL-2.0
/*
 * The park job kind: n goroutines parked on a channel, released
 * together; as a baseline, n kthreads asleep on one completion.
 * uapi/gmp.h documents its parameters and result; dev/kind.c has what the
 * kinds share and how the baselines work. The design essay is at the top
 * of sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/completion.h>

#include "dev.h"

/* ---- park: n goroutines parked on a channel --------------------------- */

struct park_state {
	struct gmp_chan *c;
	atomic64_t woken;
	struct completion release;	/* GMP_MODE_KTHREAD */
};

static void park_release(struct gmp_job *job)
{
	struct park_state *st = job->state;

	if (st && !IS_ERR_OR_NULL(st->c))
		gmp_chan_put(st->c);
	gmp_kind_kfree_state(job);
}

static int park_prepare(struct gmp_job *job)
{
	struct park_state *st;

	if (!job->p.park.n)
		job->p.park.n = 1000;
	if (!job->p.park.hold_ms)
		job->p.park.hold_ms = 1000;
	if (job->p.park.n > GMP_JOB_MAX_N ||
	    job->p.park.hold_ms > GMP_JOB_MAX_BLOCK_MS)
		return -EINVAL;
	if (job->p.park.n >= READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	job->state = st;
	init_completion(&st->release);
	st->c = gmp_chan_create(sizeof(u64), 0);
	if (IS_ERR(st->c)) {
		park_release(job);
		return -ENOMEM;
	}
	return 0;
}

static void park_fn(void *arg)
{
	struct park_state *st = arg;
	bool ok = true;

	if (!gmp_chan_recv(st->c, NULL, &ok) && !ok)
		atomic64_inc(&st->woken);
}

static void park_root(void *arg)
{
	struct gmp_job *job = arg;
	struct park_state *st = job->state;
	u64 i;
	int err;

	for (i = 0; i < job->p.park.n; i++) {
		err = gmp_job_go(job, park_fn, st);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
	if (!gmp_sleep(job->p.park.hold_ms * NSEC_PER_MSEC))
		gmp_chan_close(st->c);
}

static void park_finish(struct gmp_job *job)
{
	struct park_state *st = job->state;

	job->result = atomic64_read(&st->woken);
}

/* ---- the baseline: GMP_MODE_KTHREAD ------------------------------------ */

static void park_kt(struct gmp_job *job, void *arg)
{
	struct park_state *st = arg;

	if (bl_wait(job, &st->release))
		atomic64_inc(&st->woken);
}

/* n kthreads asleep on one completion, released together after hold_ms. */
static void park_root_kthread(void *arg)
{
	struct gmp_job *job = arg;
	struct park_state *st = job->state;
	u64 i;
	int err;

	for (i = 0; i < job->p.park.n && !bl_cancelled(job); i++) {
		err = bl_kthread_start(job, park_kt, st, -1);
		if (err) {
			gmp_job_fail(job, err);
			break;
		}
	}
	gmp_sleep(job->p.park.hold_ms * NSEC_PER_MSEC);
	complete_all(&st->release);
}

const struct gmp_job_kind gmp_kind_park = {
	.name = "park", .nparams = 2, .prepare = park_prepare,
	.root = park_root, .finish = park_finish,
	.root_mode = { [GMP_MODE_KTHREAD] = park_root_kthread },
	.release = park_release,
};
