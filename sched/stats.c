// SPDX-License-Identifier: GPL-2.0
/*
 * gmp statistics and observability: the GMP_IOC_STATS snapshot, Go's
 * GODEBUG=schedtrace line, the goroutine dump, and their debugfs files
 * (gmp/schedtrace, gmp/schedtrace_detail, gmp/goroutines). The design
 * essay is at the top of sched/proc.c.
 *
 * Counters are read without stopping anything: per-P counters are written
 * by their owner only and read here with gmp_stat_read() -- a snapshot may mix
 * values from slightly different instants, as Go's schedtrace does. No
 * kernel address is printed: functions appear as symbol names (%ps/%pS).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/sched/clock.h>

#include "uapi/gmp.h"
#include "sched.h"

/*
 * Counters written by their owner (a P's M, or under a lock we do not
 * take here) and read racily: a stale value only skews one statistic.
 */
#define gmp_stat_read(x)	data_race(x)

static const char * const gmp_gstatus_names[GMP_G_NR_STATUS] = {
	[GMP_G_IDLE] = "idle",
	[GMP_G_RUNNABLE] = "runnable",
	[GMP_G_RUNNING] = "running",
	[GMP_G_SYSCALL] = "syscall",
	[GMP_G_WAITING] = "waiting",
	[GMP_G_DEAD] = "dead",
};

static const char * const gmp_wait_names[GMP_WAIT_NR] = {
	[GMP_WAIT_NONE] = "",
	[GMP_WAIT_PARK] = "park",
	[GMP_WAIT_CHAN_SEND] = "chan send",
	[GMP_WAIT_CHAN_RECV] = "chan receive",
	[GMP_WAIT_SELECT] = "select",
	[GMP_WAIT_SLEEP] = "sleep",
	[GMP_WAIT_SEMA] = "semacquire",
};

/* One P's counters, racy by design (owner-written, read here). */
static void gmp_stats_p_fill(struct gmp_p *p, struct gmp_stats_p *o)
{
	const struct gmp_pstats *s = &p->stats;

	o->id = p->id;
	o->cpu = p->cpu;
	o->status = READ_ONCE(p->status);
	o->runq_len = gmp_runq_len(p) + !!READ_ONCE(p->runnext);
	o->schedtick = gmp_stat_read(p->schedtick);
	o->syscalltick = gmp_stat_read(p->syscalltick);
	o->switches = gmp_stat_read(s->switches);
	o->runq_put = gmp_stat_read(s->runq_put);
	o->runq_get = gmp_stat_read(s->runq_get);
	o->glob_get = gmp_stat_read(s->glob_get);
	o->steals = gmp_stat_read(s->steals);
	o->steal_attempts = gmp_stat_read(s->steal_attempts);
	o->parks = gmp_stat_read(s->parks);
	o->preempts = gmp_stat_read(s->preempts);
	o->readies = gmp_stat_read(s->readies);
	o->created = gmp_stat_read(s->created);
	o->exited = gmp_stat_read(s->exited);
}

static void gmp_stats_sum(struct gmp_stats *st, const struct gmp_stats_p *o)
{
	st->switches += o->switches;
	st->runq_put += o->runq_put;
	st->runq_get += o->runq_get;
	st->glob_get += o->glob_get;
	st->steals += o->steals;
	st->steal_attempts += o->steal_attempts;
	st->parks += o->parks;
	st->preempts += o->preempts;
	st->readies += o->readies;
	st->goroutines_created += o->created;
	st->goroutines_exited += o->exited;
}

/* Ms and idle Ms, under the lock (short lists). */
static void gmp_stats_ms(struct gmp_stats *st)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	st->threads = gmp_sched.mcount;
	st->idlethreads = gmp_sched.nmidle;
	st->runqueue = gmp_sched.runqsize;
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
}

/*
 * Zero every output of @st and keep its inputs. GMP_IOC_STATS copies in
 * the caller's whole struct, outputs included, and the per-P counters are
 * added up into @st: a caller polling with one struct would otherwise get
 * its previous result added to the new one, and a created/exited pair
 * read while Gs were alive would stay unbalanced in every later reading.
 */
static void gmp_stats_reset(struct gmp_stats *st)
{
	struct gmp_stats in = *st;

	*st = (struct gmp_stats){
		.size = in.size,
		.flags = in.flags,
		.percpu_ptr = in.percpu_ptr,
		.percpu_cap = in.percpu_cap,
		.percpu_size = in.percpu_size,
	};
}

/**
 * gmp_stats_snapshot() - fill the global fields of @st, and @per_p
 * @st:	   output, whatever it held; the inputs (size, flags, percpu_*)
 *	   are left alone
 * @per_p: array of @cap entries, or NULL
 * @cap:   entries in @per_p
 *
 * Context: process context.
 * Return: the number of @per_p entries filled.
 */
int gmp_stats_snapshot(struct gmp_stats *st, struct gmp_stats_p *per_p, int cap)
{
	struct gmp_stats_p one;
	int i, n = READ_ONCE(gmp_sched.gomaxprocs), filled = 0;

	gmp_stats_reset(st);
	st->gomaxprocs = n;
	st->idleprocs = atomic_read(&gmp_sched.npidle);
	st->spinningthreads = atomic_read(&gmp_sched.nmspinning);
	gmp_stats_ms(st);
	st->goroutines_alive = atomic_read(&gmp_sched.ngalive);
	st->goroutines_peak = atomic_read(&gmp_sched.ngpeak);
	for (i = 0; i < READ_ONCE(gmp_sched.nallp); i++) {
		gmp_stats_p_fill(gmp_sched.allp[i], &one);
		gmp_stats_sum(st, &one);
		if (i < n && per_p && filled < cap)
			per_p[filled++] = one;
	}
	st->goroutines_created += atomic64_read(&gmp_sched.created_remote);
	st->goroutines_exited += atomic64_read(&gmp_sched.exited_nop);
	st->readies_remote = atomic64_read(&gmp_sched.readies_remote);
	st->preempt_requests = atomic64_read(&gmp_sched.preempts);
	st->handoffs = atomic64_read(&gmp_sched.handoffs);
	st->auto_blocks = atomic64_read(&gmp_sched.auto_blocks);
	st->blockdetect = IS_ENABLED(CONFIG_PREEMPT_NOTIFIERS) ?
			  GMP_BLOCKDETECT_NOTIFIER : GMP_BLOCKDETECT_MARKERS;
	st->stw_count = gmp_stat_read(gmp_sched.stw_count);
	st->stw_last_ns = gmp_stat_read(gmp_sched.stw_last_ns);
	st->stw_max_ns = gmp_stat_read(gmp_sched.stw_max_ns);
	st->stw_total_ns = gmp_stat_read(gmp_sched.stw_total_ns);
	st->hotplug_events = gmp_stat_read(gmp_sched.hotplug_events);
	st->stack_bytes = atomic_long_read(&gmp_sched.stack_bytes);
	return filled;
}

/* Go's schedtrace line; with @detail, a line per P and per M as well. */
static void gmp_schedtrace_print(struct seq_file *m, bool detail)
{
	struct gmp_stats st = {};
	struct gmp_m *mp;
	unsigned long flags;
	int i;

	gmp_stats_snapshot(&st, NULL, 0);
	seq_printf(m, "SCHED %llums: gomaxprocs=%llu idleprocs=%llu threads=%llu spinningthreads=%llu idlethreads=%llu runqueue=%llu [",
		   div_u64(local_clock(), NSEC_PER_MSEC), st.gomaxprocs,
		   st.idleprocs, st.threads, st.spinningthreads,
		   st.idlethreads, st.runqueue);
	for (i = 0; i < st.gomaxprocs; i++)
		seq_printf(m, i ? " %u" : "%u", gmp_runq_len(gmp_sched.allp[i]));
	seq_puts(m, "]\n");
	if (!detail)
		return;
	seq_printf(m, "  goroutines: alive=%llu created=%llu exited=%llu preempt_requests=%llu handoffs=%llu stw=%llu (max %lluns)\n",
		   st.goroutines_alive, st.goroutines_created,
		   st.goroutines_exited, st.preempt_requests, st.handoffs,
		   st.stw_count, st.stw_max_ns);
	for (i = 0; i < st.gomaxprocs; i++) {
		struct gmp_stats_p o;

		gmp_stats_p_fill(gmp_sched.allp[i], &o);
		seq_printf(m, "  P%llu: cpu=%llu status=%llu schedtick=%llu syscalltick=%llu runqsize=%llu switches=%llu steals=%llu\n",
			   o.id, o.cpu, o.status, o.schedtick, o.syscalltick,
			   o.runq_len, o.switches, o.steals);
	}
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	list_for_each_entry(mp, &gmp_sched.allms, allmlink) {
		struct gmp_p *p = READ_ONCE(mp->p);
		struct gmp_g *g = READ_ONCE(mp->curg);

		seq_printf(m, "  M%d: cpu=%d p=%d curg=%llu spinning=%d blocked=%d\n",
			   mp->id, mp->cpu, p ? p->id : -1,
			   g ? READ_ONCE(g->goid) : 0, READ_ONCE(mp->spinning),
			   READ_ONCE(mp->in_syscall) || READ_ONCE(mp->auto_blocked));
	}
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
}

static int gmp_schedtrace_show(struct seq_file *m, void *v)
{
	gmp_schedtrace_print(m, false);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gmp_schedtrace);

static int gmp_schedtrace_detail_show(struct seq_file *m, void *v)
{
	gmp_schedtrace_print(m, true);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gmp_schedtrace_detail);

/* ---- goroutine dump ------------------------------------------------------ */

static void *gmp_gdump_start(struct seq_file *m, loff_t *pos)
	__acquires(&gmp_sched.allglock)
{
	spin_lock(&gmp_sched.allglock);
	return seq_list_start(&gmp_sched.allgs, *pos);
}

static void *gmp_gdump_next(struct seq_file *m, void *v, loff_t *pos)
{
	return seq_list_next(v, &gmp_sched.allgs, pos);
}

static void gmp_gdump_stop(struct seq_file *m, void *v)
	__releases(&gmp_sched.allglock)
{
	spin_unlock(&gmp_sched.allglock);
}

/*
 * One line per live G: id, status, wait reason and time, name, creator.
 * Return: false for a G that is not alive (nothing written).
 */
static bool gmp_g_describe(struct gmp_g *gp, char *buf, size_t len)
{
	int st = atomic_read(&gp->status);
	u8 wr = READ_ONCE(gp->waitreason);
	int n;

	if (st == GMP_G_DEAD || st == GMP_G_IDLE)
		return false;
	n = scnprintf(buf, len, "goroutine %llu [%s", READ_ONCE(gp->goid),
		      gmp_gstatus_names[st]);
	if (st == GMP_G_WAITING && wr < GMP_WAIT_NR)
		n += scnprintf(buf + n, len - n, ", %s, %ums", gmp_wait_names[wr],
			       jiffies_to_msecs(jiffies - READ_ONCE(gp->waitsince)));
	scnprintf(buf + n, len - n, "]: %s fn=%ps created by %pS", gp->name,
		  READ_ONCE(gp->fn), (void *)READ_ONCE(gp->gopc));
	return true;
}

static int gmp_gdump_show(struct seq_file *m, void *v)
{
	struct gmp_g *gp = list_entry(v, struct gmp_g, allglink);
	char line[160];

	if (gmp_g_describe(gp, line, sizeof(line)))
		seq_printf(m, "%s\n", line);
	return 0;
}

static const struct seq_operations gmp_gdump_sops = {
	.start = gmp_gdump_start,
	.next = gmp_gdump_next,
	.stop = gmp_gdump_stop,
	.show = gmp_gdump_show,
};
DEFINE_SEQ_ATTRIBUTE(gmp_gdump);

/* ---- the dump of a stuck scheduler ----------------------------------- */

/*
 * Where a runnable G is queued: the global queue (under its lock), a P's
 * runnext or ring (racy reads of slots that only ever hold live Gs).
 * Inboxes are not walked: their nodes move under us.
 */
static void gmp_g_where(struct gmp_g *gp, char *buf, size_t len)
	__must_hold(&gmp_sched.lock)
{
	struct gmp_g *q;
	int i;
	u32 h, t;

	for (q = gmp_sched.runq.head; q; q = q->schedlink)
		if (q == gp) {
			scnprintf(buf, len, "on the global queue");
			return;
		}
	for (i = 0; i < READ_ONCE(gmp_sched.nallp); i++) {
		struct gmp_p *p = gmp_sched.allp[i];

		if (READ_ONCE(p->runnext) == gp) {
			scnprintf(buf, len, "in P%d's runnext", i);
			return;
		}
		/* As a thief reads them (runq.c): pairs with their releases. */
		h = smp_load_acquire(&p->runqhead);
		/* The owner's store-release of the tail publishes the slots. */
		t = smp_load_acquire(&p->runqtail);
		for (; t - h <= GMP_RUNQ_SIZE && h != t; h++)
			if (READ_ONCE(p->runq[h % GMP_RUNQ_SIZE]) == gp) {
				scnprintf(buf, len, "on P%d's ring", i);
				return;
			}
	}
	scnprintf(buf, len, "in an inbox or on its way to a queue");
}

/**
 * gmp_debug_dump() - log the scheduler's state and every live goroutine
 * @why: what the caller waited for, printed first
 *
 * For a wait that timed out (a test, the stuck-G watchdog): each P and M,
 * and each live G with its status, wait reason and time, and where a
 * runnable G is queued. Reads racily what it cannot lock.
 *
 * Context: process context; not on a hot path.
 */
void gmp_debug_dump(const char *why)
{
	char line[160], where[48];
	struct gmp_m *mp;
	struct gmp_g *gp;
	unsigned long flags;
	int i;

	pr_info("dump (%s): gomaxprocs=%d idleprocs=%d spinning=%d runqueue=%d alive=%d\n",
		why, READ_ONCE(gmp_sched.gomaxprocs),
		atomic_read(&gmp_sched.npidle),
		atomic_read(&gmp_sched.nmspinning),
		READ_ONCE(gmp_sched.runqsize), atomic_read(&gmp_sched.ngalive));
	for (i = 0; i < READ_ONCE(gmp_sched.gomaxprocs); i++) {
		struct gmp_p *p = gmp_sched.allp[i];
		struct gmp_m *pm = READ_ONCE(p->m);

		pr_info("  P%d: cpu=%d status=%d m=%d runq=%u inbox=%s\n", i,
			p->cpu, READ_ONCE(p->status), pm ? pm->id : -1,
			gmp_runq_len(p), llist_empty(&p->inbox) ? "empty" : "busy");
	}
	raw_spin_lock_irqsave(&gmp_sched.lock, flags);
	list_for_each_entry(mp, &gmp_sched.allms, allmlink) {
		struct gmp_p *p = READ_ONCE(mp->p);
		struct gmp_g *g = READ_ONCE(mp->curg);

		pr_info("  M%d: cpu=%d p=%d curg=%llu spinning=%d blocked=%d\n",
			mp->id, mp->cpu, p ? p->id : -1,
			g ? READ_ONCE(g->goid) : 0, READ_ONCE(mp->spinning),
			READ_ONCE(mp->in_syscall) || READ_ONCE(mp->auto_blocked));
	}
	raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
	/* The dump's only nesting: allglock -> gmp_sched.lock. */
	spin_lock(&gmp_sched.allglock);
	list_for_each_entry(gp, &gmp_sched.allgs, allglink) {
		if (!gmp_g_describe(gp, line, sizeof(line)))
			continue;
		where[0] = '\0';
		if (atomic_read(&gp->status) == GMP_G_RUNNABLE) {
			raw_spin_lock_irqsave(&gmp_sched.lock, flags);
			gmp_g_where(gp, where, sizeof(where));
			raw_spin_unlock_irqrestore(&gmp_sched.lock, flags);
		}
		pr_info("  %s%s%s\n", line, where[0] ? "; " : "", where);
	}
	spin_unlock(&gmp_sched.allglock);
}
EXPORT_SYMBOL_GPL(gmp_debug_dump);

/* ---- periodic schedtrace and debugfs ----------------------------------- */

unsigned int gmp_schedtrace_ms;
static struct dentry *gmp_debugfs;		/* gmp/ in debugfs */
static struct delayed_work gmp_schedtrace_work;	/* every gmp_schedtrace_ms */

static void gmp_schedtrace_workfn(struct work_struct *work)
{
	struct gmp_stats st = {};

	gmp_stats_snapshot(&st, NULL, 0);
	pr_info("SCHED: gomaxprocs=%llu idleprocs=%llu threads=%llu spinningthreads=%llu idlethreads=%llu runqueue=%llu goroutines=%llu\n",
		st.gomaxprocs, st.idleprocs, st.threads, st.spinningthreads,
		st.idlethreads, st.runqueue, st.goroutines_alive);
	schedule_delayed_work(&gmp_schedtrace_work,
			      msecs_to_jiffies(gmp_schedtrace_ms));
}

/**
 * gmp_stats_reset_peak() - start the goroutines' high-water mark afresh
 *
 * From the goroutines alive now; a spawn racing with the reset itself may
 * be counted only from the next spawn on.
 *
 * Context: any.
 */
void gmp_stats_reset_peak(void)
{
	atomic_set(&gmp_sched.ngpeak, atomic_read(&gmp_sched.ngalive));
}

void gmp_stats_init(void)
{
	struct dentry *d = debugfs_create_dir("gmp", NULL);

	gmp_debugfs = d;
	debugfs_create_file("schedtrace", 0400, d, NULL,
			    &gmp_schedtrace_fops);
	debugfs_create_file("schedtrace_detail", 0400, d, NULL,
			    &gmp_schedtrace_detail_fops);
	debugfs_create_file("goroutines", 0400, d, NULL, &gmp_gdump_fops);
	INIT_DELAYED_WORK(&gmp_schedtrace_work, gmp_schedtrace_workfn);
	if (gmp_schedtrace_ms)
		schedule_delayed_work(&gmp_schedtrace_work,
				      msecs_to_jiffies(gmp_schedtrace_ms));
}

void gmp_stats_exit(void)
{
	cancel_delayed_work_sync(&gmp_schedtrace_work);
	debugfs_remove_recursive(gmp_debugfs);
}
