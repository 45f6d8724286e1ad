// SPDX-License-Identifier: GPL-2.0
/*
 * gmp stop-the-world, GOMAXPROCS changes and CPU hotplug. The design
 * essay is at the top of sched/proc.c.
 *
 * Stop-the-world (Go's stopTheWorld): set gcwaiting, take every idle P,
 * take every P in SYSCALL by cmpxchg (its M is blocked), and ask the G on
 * every running P to yield; each M then stops its P at its next schedule()
 * (gmp_gcstopm()). When stopwait reaches 0 no M holds a P: the Ps can be
 * renumbered, added or removed. There is no asynchronous preemption, so a
 * G that never reaches a preemption point delays the stop; the stopper
 * keeps asking every millisecond and logs every second.
 *
 * procresize then maps Ps 0..n-1 onto the first n CPUs of the allowed
 * mask. A removed P's Gs (ring, runnext, inbox) go to the global queue, in
 * order, so nothing is lost or run twice; its free Gs go to the global
 * free list. Ps are never freed before module exit: readers that raced
 * with the change (gmp_goready() picking an inbox) stay memory-safe, and
 * findrunnable() drains the inboxes of Ps beyond gomaxprocs.
 *
 * CPU hotplug is a resize: when a CPU that carries a P goes down, the Ps
 * move to the remaining CPUs (GOMAXPROCS shrinks if there are fewer CPUs
 * than asked for); when it comes back, the asked-for GOMAXPROCS returns.
 * Ms follow their P's CPU (gmp_m_follow_p()); the ones that were bound to
 * the dead CPU park and are reused or rebound later.
 *
 * Lock order: cpu_hotplug_lock -> gmp_sched.resize_lock -> gmp_sched.lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "sched.h"

static void gmp_stw_preempt_all(void)
{
	int i;

	for (i = 0; i < gmp_sched.gomaxprocs; i++) {
		struct gmp_p *p = gmp_sched.allp[i];
		struct gmp_m *m;
		struct gmp_g *gp;

		/* Take Ps whose M is blocked; the M finds them gone. */
		if (READ_ONCE(p->status) == GMP_P_SYSCALL &&
		    cmpxchg_acquire(&p->status, GMP_P_SYSCALL, GMP_P_IDLE) ==
		    GMP_P_SYSCALL) {
			raw_spin_lock_irq(&gmp_sched.lock);
			__gmp_p_stopped(p);
			raw_spin_unlock_irq(&gmp_sched.lock);
			continue;
		}
		/* Racy reads: Ms and Gs are never freed while we run. */
		m = READ_ONCE(p->m);
		gp = m ? READ_ONCE(m->curg) : NULL;
		if (gp)
			WRITE_ONCE(gp->preempt, true);
	}
}

/* Go's stopTheWorld. Caller holds gmp_sched.resize_lock. */
static void gmp_stop_the_world(void)
{
	struct gmp_p *p;
	int waited = 0;

	lockdep_assert_held(&gmp_sched.resize_lock);
	reinit_completion(&gmp_sched.stopnote);
	raw_spin_lock_irq(&gmp_sched.lock);
	WRITE_ONCE(gmp_sched.gcwaiting, true);
	gmp_sched.stopwait = gmp_sched.gomaxprocs;
	while ((p = __gmp_pidleget()))
		__gmp_p_stopped(p);
	while ((p = gmp_sched.needm)) {
		gmp_sched.needm = p->link;
		p->link = NULL;
		__gmp_p_stopped(p);
	}
	raw_spin_unlock_irq(&gmp_sched.lock);

	/* Every M must see gcwaiting before it takes another P. */
	smp_mb();
	while (!completion_done(&gmp_sched.stopnote)) {
		gmp_stw_preempt_all();
		if (wait_for_completion_timeout(&gmp_sched.stopnote,
						msecs_to_jiffies(1)))
			break;
		if (++waited % 1000 == 0)
			pr_warn("stop-the-world waits for %d P(s): a goroutine runs without reaching gmp_checkpoint()\n",
				READ_ONCE(gmp_sched.stopwait));
	}
}

/* Go's startTheWorld: hand the Ps with work to Ms, the rest go idle. */
static void gmp_start_the_world(void)
{
	struct gmp_p *busy = NULL, *p;
	int i;

	raw_spin_lock_irq(&gmp_sched.lock);
	WRITE_ONCE(gmp_sched.gcwaiting, false);
	for (i = gmp_sched.gomaxprocs - 1; i >= 0; i--) {
		p = gmp_sched.allp[i];
		if (!gmp_runq_empty(p) || !llist_empty(&p->inbox)) {
			p->link = busy;
			busy = p;
		} else {
			__gmp_pidleput(p);
		}
	}
	raw_spin_unlock_irq(&gmp_sched.lock);
	while ((p = busy)) {
		busy = p->link;
		p->link = NULL;
		gmp_startm(p, false);
	}
	gmp_wakep();
	if (READ_ONCE(gmp_sched.sysmonwait))
		gmp_sysmon_wake();
}

/* Move every G queued on @p to the global queue, in order. */
static void gmp_p_drain_to_global(struct gmp_p *p)
{
	struct gmp_gqueue q = {};
	struct llist_node *first;
	struct gmp_g *gp, *tmp;
	bool inherit;
	int n = 0;

	while ((gp = gmp_runq_get(p, &inherit))) {
		gmp_gqueue_push(&q, gp);
		n++;
	}
	first = llist_reverse_order(llist_del_all(&p->inbox));
	llist_for_each_entry_safe(gp, tmp, first, readylink) {
		gmp_gqueue_push(&q, gp);
		n++;
	}
	raw_spin_lock_irq(&gmp_sched.lock);
	__gmp_globrunq_putbatch(&q, n);
	raw_spin_unlock_irq(&gmp_sched.lock);
}

/* Make sure there are at least @n Ms: idle ones park until given a P. */
static int gmp_ensure_ms(int n, const struct cpumask *cpus)
{
	int have, ret;

	raw_spin_lock_irq(&gmp_sched.lock);
	have = gmp_sched.mcount;
	raw_spin_unlock_irq(&gmp_sched.lock);
	for (; have < n; have++) {
		ret = gmp_newm_start(NULL, cpumask_first(cpus), false);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Go's procresize, with the world stopped: Ps 0..n-1 on the first n CPUs
 * of @cpus, the rest DEAD.
 */
static int gmp_procresize(int n, const struct cpumask *cpus)
{
	int old = gmp_sched.gomaxprocs, i = 0, cpu;
	struct gmp_p *p;

	for_each_cpu(cpu, cpus) {
		if (i == n)
			break;
		p = gmp_sched.allp[i];
		if (!p) {
			p = gmp_p_alloc(i, cpu);
			if (!p)
				break;
			gmp_sched.allp[i] = p;
			WRITE_ONCE(gmp_sched.nallp, i + 1);
		}
		p->cpu = cpu;
		WRITE_ONCE(p->status, GMP_P_STOPPED);
		i++;
	}
	n = i;
	for (i = n; i < old; i++) {
		p = gmp_sched.allp[i];
		gmp_p_drain_to_global(p);
		gmp_gfpurge(p);
		WRITE_ONCE(p->status, GMP_P_DEAD);
	}
	gmp_steal_order_reset(&gmp_sched.steal_order, n);
	WRITE_ONCE(gmp_sched.gomaxprocs, n);
	return n;
}

/* Resize under a stop-the-world to min(target, CPUs in @cpus). */
static int __gmp_resize(unsigned int target, const struct cpumask *cpus)
{
	int n = min_t(int, target, cpumask_weight(cpus)), ret;
	u64 t0, pause;

	lockdep_assert_held(&gmp_sched.resize_lock);
	if (n < 1)
		return -EINVAL;
	ret = gmp_ensure_ms(n, cpus);
	if (ret)
		return ret;
	t0 = ktime_get_ns();
	gmp_stop_the_world();
	n = gmp_procresize(n, cpus);
	gmp_start_the_world();
	pause = ktime_get_ns() - t0;

	gmp_sched.stw_count++;
	gmp_sched.stw_last_ns = pause;
	gmp_sched.stw_total_ns += pause;
	gmp_sched.stw_max_ns = max(gmp_sched.stw_max_ns, pause);
	return n;
}

/**
 * gmp_set_maxprocs() - change GOMAXPROCS at run time
 * @n: the number of Ps; 0 for one per online CPU
 *
 * Stops the world, resizes, restarts it. Queued Gs of removed Ps move to
 * the global queue; none is lost or run twice. The pause is recorded in
 * the stats. A P is bound to a CPU, so with fewer online CPUs than @n,
 * one P per online CPU runs, and @n comes back into force as CPUs come
 * online.
 *
 * Context: process context, not a goroutine (the world would wait for
 * the caller itself). Sleeps.
 * Return: the GOMAXPROCS now in force, -EINVAL for @n above
 * GMP_MAXPROCS_MAX, -EDEADLK from a goroutine, -ENOMEM.
 */
int gmp_set_maxprocs(unsigned int n)
{
	int ret;

	if (n > GMP_MAXPROCS_MAX)
		return -EINVAL;
	if (__gmp_self())
		return -EDEADLK;
	cpus_read_lock();
	mutex_lock(&gmp_sched.resize_lock);
	gmp_sched.maxprocs_target = n ?: nr_cpu_ids;
	ret = __gmp_resize(gmp_sched.maxprocs_target, cpu_online_mask);
	mutex_unlock(&gmp_sched.resize_lock);
	cpus_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(gmp_set_maxprocs);

/**
 * gmp_get_maxprocs() - the current GOMAXPROCS
 *
 * Context: any.
 * Return: the number of Ps in use.
 */
unsigned int gmp_get_maxprocs(void)
{
	return READ_ONCE(gmp_sched.gomaxprocs);
}
EXPORT_SYMBOL_GPL(gmp_get_maxprocs);

/* ---- CPU hotplug -------------------------------------------------------- */

static enum cpuhp_state gmp_cpuhp_state;

static bool gmp_cpu_has_p(unsigned int cpu)
{
	int i;

	for (i = 0; i < gmp_sched.gomaxprocs; i++)
		if (gmp_sched.allp[i]->cpu == cpu)
			return true;
	return false;
}

/* Runs before @cpu goes down: move its P elsewhere. */
static int gmp_cpu_offline(unsigned int cpu, struct hlist_node *node)
{
	struct cpumask *left;
	int ret = 0;

	left = kmalloc(cpumask_size(), GFP_KERNEL);
	if (!left)
		return -ENOMEM;
	cpumask_andnot(left, cpu_online_mask, cpumask_of(cpu));
	mutex_lock(&gmp_sched.resize_lock);
	if (gmp_cpu_has_p(cpu) && !cpumask_empty(left)) {
		ret = __gmp_resize(gmp_sched.maxprocs_target, left);
		ret = ret < 0 ? ret : 0;
		gmp_sched.hotplug_events++;
	}
	mutex_unlock(&gmp_sched.resize_lock);
	kfree(left);
	return ret;
}

/* Runs once @cpu is up: give it a P again, within GOMAXPROCS. */
static int gmp_cpu_online(unsigned int cpu, struct hlist_node *node)
{
	int ret = 0;

	mutex_lock(&gmp_sched.resize_lock);
	if (gmp_sched.gomaxprocs < gmp_sched.maxprocs_target) {
		ret = __gmp_resize(gmp_sched.maxprocs_target, cpu_online_mask);
		ret = ret < 0 ? ret : 0;
		gmp_sched.hotplug_events++;
	}
	mutex_unlock(&gmp_sched.resize_lock);
	return ret;
}

int gmp_hotplug_init(void)
{
	int ret;

	mutex_init(&gmp_sched.resize_lock);
	init_completion(&gmp_sched.stopnote);
	ret = cpuhp_setup_state_multi(CPUHP_AP_ONLINE_DYN, "gmp:online",
				      gmp_cpu_online, gmp_cpu_offline);
	if (ret < 0)
		return ret;
	gmp_cpuhp_state = ret;
	ret = cpuhp_state_add_instance_nocalls(gmp_cpuhp_state,
					       &gmp_sched.cpuhp_node);
	if (ret) {
		cpuhp_remove_multi_state(gmp_cpuhp_state);
		return ret;
	}
	return 0;
}

void gmp_hotplug_exit(void)
{
	cpuhp_state_remove_instance_nocalls(gmp_cpuhp_state,
					    &gmp_sched.cpuhp_node);
	cpuhp_remove_multi_state(gmp_cpuhp_state);
}

/* ---- P allocation ------------------------------------------------------- */

struct gmp_p *gmp_p_alloc(int id, int cpu)
{
	struct gmp_p *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	p->id = id;
	p->cpu = cpu;
	p->status = GMP_P_STOPPED;
	gmp_runq_init(p);
	return p;
}

int gmp_procresize_init(unsigned int nprocs)
{
	unsigned int i = 0;
	int cpu;

	/* Room for every CPU: GOMAXPROCS and hotplug only add Ps. */
	gmp_sched.allp = kcalloc(nr_cpu_ids, sizeof(*gmp_sched.allp), GFP_KERNEL);
	gmp_sched.steal_order.coprimes = kcalloc(nr_cpu_ids, sizeof(unsigned int),
						 GFP_KERNEL);
	if (!gmp_sched.allp || !gmp_sched.steal_order.coprimes)
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		struct gmp_p *p;

		if (i == nprocs)
			break;
		p = gmp_p_alloc(i, cpu);
		if (!p)
			return -ENOMEM;
		p->status = GMP_P_RUNNING;
		gmp_sched.allp[i++] = p;
		gmp_sched.nallp = i;	/* what gmp_sched_free() frees */
		gmp_sched.gomaxprocs = i;
	}
	gmp_sched.maxprocs_target = nprocs;
	gmp_steal_order_reset(&gmp_sched.steal_order, i);
	return 0;
}
