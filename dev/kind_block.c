// SPDX-License-Identifier: GPL-2.0
/*
 * The block job kind: goroutines in blocking kernel calls beside a
 * CPU-bound one. uapi/gmp.h documents its parameters and result,
 * dev/kind.c what the kinds share. The design essay is at the top of
 * sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/delay.h>
#include <linux/ktime.h>

#include "dev.h"

/* ---- block: blocking kernel calls beside a CPU-bound goroutine ---------- */

struct block_state {
	u64 deadline;
	atomic64_t calls;
	u64 units;		/* R: the CPU goroutine's */
	u64 run_ns;		/* R */
	u64 sink;
};

static int block_prepare(struct gmp_job *job)
{
	struct block_state *st;

	if (!job->p.block.n)
		job->p.block.n = 4;
	if (!job->p.block.duration_ms)
		job->p.block.duration_ms = 200;
	if (job->p.block.n > GMP_JOB_MAX_N ||
	    job->p.block.duration_ms > GMP_JOB_MAX_BLOCK_MS ||
	    job->p.block.markers > GMP_BLOCK_UNMARKED)
		return -EINVAL;
	if (job->p.block.n >= READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	job->state = st;
	return st ? 0 : -ENOMEM;
}

static void block_cpu_fn(void *arg)
{
	struct block_state *st = arg;
	u64 t0 = ktime_get_ns(), x = t0, units = 0;

	/* At least one unit: a sibling that ran late still has a rate. */
	do {
		x = gmp_busy_unit(x);
		units++;
		gmp_checkpoint();
	} while (ktime_get_ns() < st->deadline && !gmp_cancelled());
	st->sink = x;
	st->units = units;
	st->run_ns = ktime_get_ns() - t0;
}

/* Even goroutines use the markers in GMP_BLOCK_MIXED. */
static void block_fn(void *arg)
{
	struct gmp_job *job = gmp_job_current();
	struct block_state *st = job->state;
	u64 i = (unsigned long)arg;
	bool marked;

	marked = job->p.block.markers == GMP_BLOCK_MARKED ||
		 (job->p.block.markers == GMP_BLOCK_MIXED && !(i & 1));
	while (ktime_get_ns() < st->deadline && !gmp_cancelled()) {
		if (marked)
			gmp_enter_blocking();
		usleep_range(1000, 2000);
		if (marked)
			gmp_exit_blocking();
		atomic64_inc(&st->calls);
	}
}

static void block_root(void *arg)
{
	struct gmp_job *job = arg;
	struct block_state *st = job->state;
	u64 i;
	int err;

	st->deadline = ktime_get_ns() +
		       job->p.block.duration_ms * NSEC_PER_MSEC;
	err = gmp_job_go(job, block_cpu_fn, st);
	for (i = 0; i < job->p.block.n && !err; i++)
		err = gmp_job_go_inner(job, block_fn,
				       (void *)(unsigned long)i);
	if (err)
		gmp_job_fail(job, err);
}

static void block_finish(struct gmp_job *job)
{
	struct block_state *st = job->state;

	job->result = st->run_ns ?
		      div64_u64(st->units * NSEC_PER_SEC, st->run_ns) : 0;
	job->aux[0] = atomic64_read(&st->calls);
}

const struct gmp_job_kind gmp_kind_block = {
	.name = "block", .nparams = 3, .prepare = block_prepare,
	.root = block_root, .finish = block_finish,
	.release = gmp_kind_kfree_state,
};
