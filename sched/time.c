// SPDX-License-Identifier: GPL-2.0
/*
 * gmp timers: gmp_sleep() parks the G on an hrtimer, which gmp_g_cancel()
 * (sched/cancel.c) may stop early. The design essay is at the top of
 * sched/proc.c.
 *
 * The hrtimer lives on the sleeping G's stack (the stack stays valid while
 * the G is parked; DEBUG_OBJECTS accepts it because current->stack is the
 * G's stack). It is armed by the park's unlock function, on g0 after the
 * switch, so its callback -- gmp_ready() from hardirq, through a P's inbox
 * -- can never see a G that is still on its stack.
 *
 * Cancellation and the timer race under gp->lock: the arming side checks
 * ->cancelled and arms under the lock; gmp_g_cancel() sets ->cancelled and,
 * under the same lock, readies the G only if it removed the armed timer
 * before it fired. Exactly one of the timer and the canceller readies it.
 */
#include <linux/hrtimer.h>
#include <linux/delay.h>
#include <linux/slab.h>

#include "sched.h"

struct gmp_sleeper {
	struct hrtimer timer;
	struct gmp_g *gp;
	u64 ns;
};

static enum hrtimer_restart gmp_sleep_wake(struct hrtimer *t)
{
	struct gmp_sleeper *s = container_of(t, struct gmp_sleeper, timer);

	gmp_ready(s->gp);
	return HRTIMER_NORESTART;
}

/* The park's unlock function: runs on g0, interrupts off. */
static bool gmp_sleep_arm(struct gmp_g *gp, void *arg)
{
	struct gmp_sleeper *s = arg;
	bool park = false;

	raw_spin_lock(&gp->lock);
	if (!gp->cancelled) {
		gp->sleep_timer = &s->timer;
		hrtimer_start(&s->timer, ns_to_ktime(s->ns), HRTIMER_MODE_REL);
		park = true;
	}
	raw_spin_unlock(&gp->lock);
	return park;
}

/**
 * gmp_sleep() - sleep the running goroutine for @ns nanoseconds
 * @ns: how long; the G wakes no earlier
 *
 * Parks the G, not the M: other goroutines run meanwhile. Outside a
 * goroutine it falls back to fsleep().
 *
 * Context: a goroutine, or any sleepable context.
 * Return: 0, or -ECANCELED if the G was cancelled (before or during).
 */
int gmp_sleep(u64 ns)
{
	struct gmp_g *gp = __gmp_self();
	struct gmp_sleeper s = { .ns = ns };
	unsigned long flags;

	if (!gp) {
		fsleep(div_u64(ns, NSEC_PER_USEC));
		return 0;
	}
	gmp_preempt_point();
	if (READ_ONCE(gp->cancelled))
		return -ECANCELED;
	s.gp = gp;
	hrtimer_init_on_stack(&s.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	s.timer.function = gmp_sleep_wake;
	gmp_gopark(gmp_sleep_arm, &s, GMP_WAIT_SLEEP);

	raw_spin_lock_irqsave(&gp->lock, flags);
	gp->sleep_timer = NULL;
	raw_spin_unlock_irqrestore(&gp->lock, flags);
	/* Fired or cancelled by now; wait out a callback still returning. */
	hrtimer_cancel(&s.timer);
	destroy_hrtimer_on_stack(&s.timer);
	return READ_ONCE(gp->cancelled) ? -ECANCELED : 0;
}
EXPORT_SYMBOL_GPL(gmp_sleep);
