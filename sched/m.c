// SPDX-License-Identifier: GPL-2.0
/*
 * gmp Ms: the kthreads that run Gs, each bound to its P's CPU (Go's
 * newm/mstart), the stack-protector canary they share, spare Ms made on
 * demand, and how they stop at unload. Each M's loop is gmp_mstart_loop()
 * in sched/proc.c, where the design essay is.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/stackprotector.h>
#include <linux/sched/clock.h>
#include <linux/sched/task.h>
#include <linux/sched/debug.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>

#include "sched.h"
#include "gmp_trace.h"

#if defined(CONFIG_STACKPROTECTOR) && defined(CONFIG_X86_64)
static unsigned long gmp_stack_canary __read_mostly;

/*
 * A G parked on one M may resume on another, that is in another task, so
 * every M runs with the same stack-protector canary: a frame that stored
 * the canary under one M is checked under another. The per-CPU copy the
 * compiler reads and the task's copy that context switches restore change
 * together, with preemption off. Only functions called after the change
 * (and returning before the restore) may carry a canary, so this runs in
 * gmp_mstart(), which has no protected locals.
 */
static __always_inline unsigned long gmp_m_canary_set(unsigned long canary)
{
	unsigned long old;

	preempt_disable();
	old = current->stack_canary;
	current->stack_canary = canary;
	this_cpu_write(fixed_percpu_data.stack_canary, canary);
	preempt_enable();
	return old;
}

static unsigned long gmp_stack_canary_value(void)
{
	return gmp_stack_canary;
}

void gmp_stack_canary_init(void)
{
	gmp_stack_canary = get_random_canary();
}

#else
static __always_inline unsigned long gmp_m_canary_set(unsigned long canary)
{
	return 0;
}

static unsigned long gmp_stack_canary_value(void)
{
	return 0;
}

void gmp_stack_canary_init(void)
{
}

#endif

/* The M's kthread function; see gmp_mstart_loop() and gmp_m_canary_set(). */
static int gmp_mstart(void *data)
{
	struct gmp_m *m = data;
	unsigned long own;

	own = gmp_m_canary_set(gmp_stack_canary_value());
	gmp_mstart_loop(m);
	gmp_m_canary_set(own);
	complete(&m->exited);
	return 0;
}

static struct gmp_m *gmp_newm(int cpu)
{
	unsigned long flags;
	struct gmp_m *m;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return NULL;
	m->cpu = cpu;
	m->rand = get_random_u32() | 1;
	init_completion(&m->exited);
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	m->id = gmp_sched.mcount++;
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	/*
	 * Bound like a per-CPU kthread, but not marked as one: an M is not
	 * parked by CPU hotplug, gmp moves its P away itself.
	 */
	m->task = kthread_create_on_node(gmp_mstart, m, cpu_to_node(cpu),
					 "gmp_m%d/%d", m->id, cpu);
	if (IS_ERR(m->task)) {
		kfree(m);
		return NULL;
	}
	kthread_bind(m->task, cpu);
	get_task_struct(m->task);
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	list_add_tail(&m->allmlink, &gmp_sched.allms);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	return m;
}

/* Start a new M that will run @p (may be NULL: it parks idle). */
int gmp_newm_start(struct gmp_p *p, int cpu, bool spinning)
{
	struct gmp_m *m = gmp_newm(cpu);

	if (!m)
		return -ENOMEM;
	m->nextp = NULL;
	if (p)
		gmp_acquirep(m, p);
	m->spinning = spinning;
	wake_up_process(m->task);
	return 0;
}

/* Create Ms for the Ps that startm() found no idle M for. */
void gmp_newm_workfn(struct work_struct *work)
{
	unsigned long flags;
	struct gmp_p *p;

	for (;;) {
		raw_spin_lock_irqsave(&gmp_sched.lock, flags);
		p = gmp_sched.needm;
		if (p && !gmp_sched.stopping) {
			gmp_sched.needm = p->link;
			p->link = NULL;
		} else {
			p = NULL;
		}
		raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
		if (!p)
			return;
		if (gmp_newm_start(p, p->cpu, false)) {
			pr_warn_ratelimited("cannot create an M for P%d\n", p->id);
			raw_spin_lock_irqsave(&gmp_sched.lock, flags);
			__gmp_pidleput(p);
			raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
			return;
		}
	}
}

void gmp_stop_ms(void)
{
	unsigned long flags;
	struct gmp_m *m;

	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	WRITE_ONCE(gmp_sched.stopping, true);
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	/*
	 * The new-M work creates no M once it sees stopping; wait for one
	 * that looked before, so every M that will ever exist is listed.
	 */
	cancel_work_sync(&gmp_sched.newm_work);
	list_for_each_entry(m, &gmp_sched.allms, allmlink)
		gmp_m_wake(m);
	list_for_each_entry(m, &gmp_sched.allms, allmlink) {
		/* An M that does not stop is a gmp bug: say where it is. */
		while (!wait_for_completion_timeout(&m->exited, 10 * HZ)) {
			pr_warn("M%d (cpu %d, P %d) does not stop\n", m->id,
				m->cpu, m->p ? m->p->id : -1);
			sched_show_task(m->task);
			gmp_m_wake(m);
		}
		kthread_stop(m->task);
	}
	/*
	 * No M runs now, so nothing can queue the new-M work or a sysmon
	 * kick again: flush both, their code goes away with the module.
	 */
	cancel_work_sync(&gmp_sched.newm_work);
	gmp_sysmon_release();
}
