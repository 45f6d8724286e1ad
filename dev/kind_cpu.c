// SPDX-License-Identifier: GPL-2.0
/*
 * The cpu job kind: n busy goroutines, and how evenly they progress.
 * uapi/gmp.h documents its parameters and result, dev/kind.c what the
 * kinds share. The design essay is at the top of sched/proc.c.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/overflow.h>

#include "dev.h"

/* ---- cpu: n busy goroutines, and how evenly they progress --------------- */

struct cpu_state {
	u64 n;
	u64 work;
	atomic_t first_done;
	u64 min_at_first;	/* R */
	u64 sink;
	u64 progress[];		/* written by goroutine i only */
};

static int cpu_prepare(struct gmp_job *job)
{
	struct cpu_state *st;

	if (!job->p.cpu.n)
		job->p.cpu.n = 4;
	if (!job->p.cpu.work)
		job->p.cpu.work = 100;
	if (job->p.cpu.n > GMP_JOB_MAX_N ||
	    job->p.cpu.work > div64_u64(GMP_JOB_MAX_ITERS, job->p.cpu.n))
		return -EINVAL;
	if (job->p.cpu.n > READ_ONCE(gmp_file_max_goroutines))
		return -EAGAIN;
	st = kvzalloc(struct_size(st, progress, job->p.cpu.n), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->n = job->p.cpu.n;
	st->work = job->p.cpu.work;
	job->state = st;
	return 0;
}

static void cpu_fn(void *arg)
{
	struct cpu_state *st = gmp_job_current()->state;
	u64 i = (unsigned long)arg, u, x = i + 1, min;

	for (u = 0; u < st->work && !gmp_cancelled(); u++) {
		x = gmp_busy_unit(x);
		WRITE_ONCE(st->progress[i], u + 1);
		gmp_checkpoint();
	}
	WRITE_ONCE(st->sink, x);
	if (u < st->work || atomic_cmpxchg(&st->first_done, 0, 1))
		return;
	/* The first to finish: how far behind is the slowest? */
	min = u;
	for (i = 0; i < st->n; i++)
		min = min(min, READ_ONCE(st->progress[i]));
	st->min_at_first = min;
}

static void cpu_root(void *arg)
{
	struct gmp_job *job = arg;
	struct cpu_state *st = job->state;
	u64 i;
	int err;

	for (i = 0; i < st->n; i++) {
		err = gmp_job_go(job, cpu_fn, (void *)(unsigned long)i);
		if (err) {
			gmp_job_fail(job, err);
			return;
		}
	}
}

static void cpu_finish(struct gmp_job *job)
{
	struct cpu_state *st = job->state;
	u64 i, sum = 0;

	for (i = 0; i < st->n; i++)
		sum += st->progress[i];
	job->result = sum;
	job->aux[0] = st->min_at_first;
	job->aux[1] = div64_u64(1000 * (st->work - st->min_at_first),
				st->work);
}

const struct gmp_job_kind gmp_kind_cpu = {
	.name = "cpu", .nparams = 2, .prepare = cpu_prepare,
	.root = cpu_root, .finish = cpu_finish,
	.release = gmp_kind_kfree_state,
};
