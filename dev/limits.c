// SPDX-License-Identifier: GPL-2.0
/*
 * gmp limits: the caps every goroutine is charged against, as module
 * parameters, and the default group that charges drivers' goroutines.
 * The jobs' own group is in dev/job.c. The design essay is at the top of
 * sched/proc.c.
 *
 * Each file's goroutines, their stack memory and the user data its jobs
 * copy in are capped per file first, then globally, so a flood through
 * one file runs into its own cap long before the global one. Every
 * goroutine, a driver's included, counts against the global caps; so do
 * the baseline modes' tasks (kthreads and work items), against the
 * goroutine caps. Going over is -EAGAIN (goroutines, jobs) or -ENOMEM
 * (memory).
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/atomic.h>

#include "dev.h"

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

unsigned int gmp_file_max_jobs = 64;
module_param_named(file_max_jobs, gmp_file_max_jobs, uint, 0644);
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
int gmp_g_charge(struct gmp_file *f, unsigned int class)
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
void gmp_g_uncharge(struct gmp_file *f, unsigned int class)
{
	long sz = gmp_stack_class_size(class);

	atomic_long_sub(sz, &gmp_charged_stack);
	atomic_dec(&gmp_charged_gs);
	if (f) {
		atomic_long_sub(sz, &f->stack_bytes);
		atomic_dec(&f->ngoroutines);
	}
}

/**
 * gmp_task_charge() - count a baseline task (see gmp_job_task_start())
 * against @f's goroutine cap and the module-wide one; it has no gmp stack
 * @f: its job's file
 *
 * Context: any.
 * Return: 0, or -EAGAIN over a cap.
 */
int gmp_task_charge(struct gmp_file *f)
{
	if (!gmp_charge_int(&f->ngoroutines,
			    READ_ONCE(gmp_file_max_goroutines)))
		return -EAGAIN;
	if (!gmp_charge_int(&gmp_charged_gs, READ_ONCE(max_goroutines))) {
		atomic_dec(&f->ngoroutines);
		return -EAGAIN;
	}
	return 0;
}

/* Undo gmp_task_charge(@f). */
void gmp_task_uncharge(struct gmp_file *f)
{
	atomic_dec(&gmp_charged_gs);
	atomic_dec(&f->ngoroutines);
}

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
 * gmp_limits_init() - set the memory limits left at 0 from the RAM size,
 * and make the default group the one of goroutines spawned from outside
 *
 * Context: module init, before the scheduler starts.
 */
void gmp_limits_init(void)
{
	unsigned long ram_mb = totalram_pages() >> (20 - PAGE_SHIFT);

	if (!max_stack_mb)
		max_stack_mb = max(ram_mb / 2, 1UL);
	if (!file_max_stack_mb)
		file_max_stack_mb = max(ram_mb / 4, 1UL);
	gmp_group_set_default(&gmp_global_group);
}

/* Module exit, after every goroutine has exited. */
void gmp_limits_exit(void)
{
	gmp_group_set_default(NULL);
}
