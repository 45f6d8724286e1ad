// SPDX-License-Identifier: GPL-2.0
/*
 * gmp bring-up and teardown (Go's schedinit): the Ps, one M per P, sysmon
 * and the hotplug hooks at load; waiting for every G, stopping every M and
 * freeing everything at unload. The design essay is at the top of
 * sched/proc.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched/clock.h>
#include <linux/sched/task.h>
#include <linux/sched/debug.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>

#include "sched.h"
#include "gmp_trace.h"

static void gmp_sched_free(void)
{
	struct gmp_m *m, *tmpm;
	int i;

	list_for_each_entry_safe(m, tmpm, &gmp_sched.allms, allmlink) {
		list_del(&m->allmlink);
		put_task_struct(m->task);
		kfree(m);
	}
	for (i = 0; gmp_sched.allp && i < gmp_sched.nallp; i++) {
		gmp_gfpurge(gmp_sched.allp[i]);
		kfree(gmp_sched.allp[i]);
	}
	gmp_gfree_all();
	/* Every G was dead and on a free list; gmp_g_free() unlinked it. */
	WARN_ON_ONCE(!list_empty(&gmp_sched.allgs));
	kfree(gmp_sched.allp);
	kfree(gmp_sched.steal_order.coprimes);
	gmp_sched.allp = NULL;
	gmp_sched.steal_order.coprimes = NULL;
	gmp_stack_cache_exit();
}

/**
 * gmp_schedinit() - bring the scheduler up (Go's schedinit + procresize)
 * @maxprocs: GOMAXPROCS; 0 for one P per online CPU
 *
 * Builds the Ps, then one M per P bound to the P's CPU. Each M enters
 * schedule(), finds nothing and parks: an idle scheduler costs no CPU.
 *
 * Context: process context, module init.
 * Return: 0 or -ENOMEM; on error nothing is left behind.
 */
int gmp_schedinit(unsigned int maxprocs)
{
	unsigned int n = maxprocs ?: num_online_cpus();
	int i, ret;

	memset(&gmp_sched, 0, sizeof(gmp_sched));
	raw_spin_lock_init(&gmp_sched.lock);
	raw_spin_lock_init(&gmp_sched.gflock);
	spin_lock_init(&gmp_sched.allglock);
	INIT_LIST_HEAD(&gmp_sched.allms);
	INIT_LIST_HEAD(&gmp_sched.allgs);
	init_swait_queue_head(&gmp_sched.gdone_wq);
	INIT_WORK(&gmp_sched.newm_work, gmp_newm_workfn);
	gmp_stack_cookie = get_random_long() | 1;
	gmp_stack_canary_init();

	ret = gmp_stack_cache_init();
	if (ret)
		return ret;
	ret = gmp_procresize_init(min(n, num_online_cpus()));
	if (ret)
		goto fail;
	gmp_blockdetect_init();
	for (i = 0; i < gmp_sched.gomaxprocs; i++) {
		ret = gmp_newm_start(gmp_sched.allp[i], gmp_sched.allp[i]->cpu,
				     false);
		if (ret)
			goto fail_ms;
	}
	ret = gmp_sysmon_start();
	if (ret)
		goto fail_ms;
	ret = gmp_hotplug_init();
	if (ret)
		goto fail_sysmon;
	return 0;

fail_sysmon:
	gmp_sysmon_stop();
fail_ms:
	gmp_stop_ms();
	gmp_blockdetect_exit();
fail:
	gmp_sched_free();
	return ret;
}

/**
 * gmp_sched_shutdown() - wait for every G, stop every M, free everything
 *
 * Context: process context, module exit. Sleeps until all Gs exited.
 */
void gmp_sched_shutdown(void)
{
	int n;

	while (!swait_event_timeout_exclusive(gmp_sched.gdone_wq,
					      !atomic_read(&gmp_sched.ngalive),
					      10 * HZ)) {
		n = atomic_read(&gmp_sched.ngalive);
		pr_info("unload waits for %d goroutine%s to exit\n", n,
			n == 1 ? "" : "s");
	}
	gmp_hotplug_exit();
	gmp_sysmon_stop();
	gmp_stop_ms();
	gmp_blockdetect_exit();
	gmp_sched_free();
}
