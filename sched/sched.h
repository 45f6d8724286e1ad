/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmp scheduler private header (sched/): the G, M and P structures, the
 * scheduler's global state and the core's internal calls. The layers
 * above (sync/, dev/) include it; nothing here names them. Other modules
 * use include/gmp.h; userspace uses uapi/gmp.h. The design essay is at
 * the top of sched/proc.c.
 *
 * Lock legend, used as a tag on every shared field below:
 *
 *  L:  gmp_sched.lock (raw, IRQ-safe: readies may come from hardirq)
 *  R:  gmp_sched.resize_lock (a mutex: GOMAXPROCS changes and hotplug)
 *  W:  written only with the world stopped, under R (sched/procresize.c);
 *      read without a lock (READ_ONCE() where it may change under a reader)
 *  F:  gmp_sched.gflock (raw: the global G free lists, sched/stack.c)
 *  AG: gmp_sched.allglock (the list of all Gs, for dumps)
 *  G:  gmp_g.lock (raw, IRQ-safe: a G's cancellation against its sleep
 *      timer and its registered wait, sched/cancel.c)
 *  GR: the lock of the G's group, whoever implements the group's ops
 *  A:  accessed atomically; the comment at each access names its ordering
 *  O:  owner only -- the M that holds the P (for P fields), or the M itself
 *      (for M fields); others may read it racily for stats (data_race())
 *  I:  set at init (or when the G is allocated) and stable afterwards
 *
 * Lock order, the whole module's (the sync/ and dev/ headers describe
 * their own locks and point here):
 *
 *   cpu_hotplug_lock -> R -> L
 *                       R -> F
 *   AG -> L                       (gmp_debug_dump() only)
 *   dev/'s job lock (J) -> G      (cancelling a job's goroutines)
 *   sync/'s channel locks (C) -> G   (gmp_g_wait_register())
 *   G -> the hrtimer base lock    (gmp_sleep() arming its timer)
 *
 * Every other gmp lock is a leaf: no other lock is taken under it. No
 * gmp lock is held across a context switch, except the lock a parking G
 * published itself under, which its gopark() unlock function drops right
 * after the switch, on g0 or on the next G's stack, interrupts still off.
 */
#ifndef _GMP_SCHED_H
#define _GMP_SCHED_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/atomic.h>
#include <linux/llist.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/swait.h>
#include <linux/workqueue.h>
#include <linux/sched.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/preempt.h>
#include <linux/mutex.h>
#include <linux/completion.h>

#include "include/gmp.h"
#include "arch/x86/gmp_switch.h"

struct gmp_m;
struct gmp_p;

/*
 * G statuses. Who owns the G's stack in each, and the legal transitions
 * (asserted by gmp_g_casstatus()):
 *
 *  status    stack owned by            may become
 *  IDLE      the allocator (fresh G)   RUNNABLE (newproc)
 *  RUNNABLE  the run queue holding it  RUNNING (execute)
 *  RUNNING   the M running it          WAITING (park_m), RUNNABLE (gosched,
 *                                      preempt), DEAD (goexit0), SYSCALL
 *                                      (gmp_enter_blocking; a sleep the
 *                                      preempt notifier sees moves only
 *                                      the P, to its SYSCALL status)
 *  SYSCALL   the M running it, which   RUNNING (gmp_exit_blocking)
 *            may have lost its P
 *  WAITING   whoever will ready it     RUNNABLE (goready; park_m when the
 *                                      unlock function says "don't park")
 *  DEAD      the free list             RUNNABLE (newproc reuses it)
 */
enum gmp_gstatus {
	GMP_G_IDLE,
	GMP_G_RUNNABLE,
	GMP_G_RUNNING,
	GMP_G_SYSCALL,
	GMP_G_WAITING,
	GMP_G_DEAD,
	GMP_G_NR_STATUS
};

/* The word at the base of every G stack (and of each M's g0 stack). */
struct gmp_stack_hdr {
	unsigned long end_magic;	/* STACK_END_MAGIC: end_of_stack() */
	struct gmp_g *g;		/* the G that owns this stack */
	unsigned long cookie;		/* gmp_stack_cookie ^ (long)g */
};

/**
 * struct gmp_g - a goroutine
 *
 * Fields without a tag belong to whoever owns the G in its current status
 * (see enum gmp_gstatus).
 */
struct gmp_g {
	struct gmp_ctx sched;		/* saved sp while not running */
	void *stack;			/* I: lowest address, the header */
	unsigned int stack_size;	/* I */
	u8 stack_class;			/* I */
	u8 waitreason;			/* enum gmp_wait_reason */
	bool preempt;			/* A: set by sysmon, read at checkpoints */
	atomic_t status;		/* A: enum gmp_gstatus */
	u64 goid;
	gmp_fn_t fn;
	void *arg;
	unsigned long gopc;		/* creator's return address */
	struct module *owner;		/* pinned until the G exits */
	struct gmp_m *m;		/* M running it, while RUNNING */
	struct gmp_g *schedlink;	/* run queue / free list link */
	struct llist_node readylink;	/* A: P inbox link (gmp_ready) */
	unsigned long waitsince;	/* jiffies at park: dumps only need ms */
	raw_spinlock_t lock;		/* G: cancellation vs. its waits */
	bool cancelled;			/* G, read with READ_ONCE() */
	struct hrtimer *sleep_timer;	/* G: armed gmp_sleep() timer */
	/* G: its cancellable parked wait; cleared with a barrier (CW:A) */
	struct gmp_waitcancel *waitcancel;
	struct list_head allglink;	/* AG: gmp_sched.allgs */
	struct gmp_group *group;	/* I: its group, or NULL */
	struct list_head grouplink;	/* GR: for the group's own list */
	char name[16];
};

struct gmp_group;

/**
 * struct gmp_group_ops - a layer's hooks into a G's life
 * @charge:	a G of stack @class is about to be made, before anything is
 *		allocated: count it against the group's limits. Return 0,
 *		or -EAGAIN / -ENOMEM to refuse the spawn.
 * @uncharge:	undo @charge: the spawn failed after it
 * @attach:	the G is made but not queued: link it (->grouplink).
 *		Return 0, or an error (-ECANCELED) to refuse; the core then
 *		frees the G and calls @uncharge.
 * @exit:	the G is exiting, still on its own stack and preemptible:
 *		unlink it, and undo @charge.
 *
 * Context of each: the spawner's (process context or a goroutine; must
 * not sleep), and the exiting G's for @exit.
 */
struct gmp_group_ops {
	int (*charge)(struct gmp_group *grp, unsigned int class);
	void (*uncharge)(struct gmp_group *grp, unsigned int class);
	int (*attach)(struct gmp_group *grp, struct gmp_g *gp);
	void (*exit)(struct gmp_group *grp, struct gmp_g *gp);
};

/**
 * struct gmp_group - the owner of a set of Gs, opaque to the scheduler
 * @ops: its hooks
 *
 * A layer above embeds it (the device layer's jobs do) and passes it in
 * &struct gmp_spawn_opts; a G spawned without one joins its spawner's
 * group, and a G spawned from outside any goroutine the default group
 * (gmp_group_set_default()), if any. The core calls the ops and never
 * looks further.
 */
struct gmp_group {
	const struct gmp_group_ops *ops;
};

void gmp_group_set_default(struct gmp_group *grp);

struct gmp_waitcancel;

/**
 * struct gmp_waitcancel_ops - how gmp_g_cancel() ends a parked wait
 * @claim:  take the wait from its wakers, under the G's lock with
 *	    interrupts off; false if a waker got there first
 * @cancel: end a claimed wait and ready the G, with no gmp lock held
 */
struct gmp_waitcancel_ops {
	bool (*claim)(struct gmp_waitcancel *wc);
	void (*cancel)(struct gmp_waitcancel *wc);
};

/**
 * struct gmp_waitcancel - a G's parked wait, as a canceller reaches it
 * @ops: the waiting primitive's hooks
 *
 * A primitive that parks Gs (the channels do) embeds it in its wait and
 * registers it with gmp_g_wait_register() before parking, so that the
 * core can cancel the wait without knowing what it is.
 */
struct gmp_waitcancel {
	const struct gmp_waitcancel_ops *ops;
};

bool gmp_g_wait_register(struct gmp_g *gp, struct gmp_waitcancel *wc);
void gmp_g_wait_unregister(struct gmp_g *gp);

/* A singly linked queue of Gs through ->schedlink. */
struct gmp_gqueue {
	struct gmp_g *head;
	struct gmp_g *tail;
};

#define GMP_RUNQ_SIZE		256
#define GMP_MAXPROCS_MAX	1024	/* GOMAXPROCS asked for; Ps <= CPUs */
#define GMP_GOID_BATCH		16
#define GMP_GFREE_MAX		64	/* per P and class, before spilling */

/*
 * P statuses. IDLE <-> RUNNING move under gmp_sched.lock (pidle list);
 * the others by cmpxchg, so that a blocked M and sysmon agree on who owns
 * a P in a syscall:
 *
 *  IDLE      on pidle (or handed to startm)
 *  RUNNING   held by an M (p->m)
 *  SYSCALL   its M blocked in the kernel: RUNNING again if that M gets it
 *            back first (exitsyscall), IDLE if sysmon retakes it first
 *  STOPPED   stopped for a stop-the-world (procresize)
 *  DEAD      beyond GOMAXPROCS; its Gs have moved to the global queue
 */
enum gmp_pstatus {
	GMP_P_IDLE,
	GMP_P_RUNNING,
	GMP_P_SYSCALL,
	GMP_P_STOPPED,
	GMP_P_DEAD,
};

/* What sysmon last saw of a P (Go's sysmontick). Sysmon only. */
struct gmp_sysmontick {
	u32 schedtick;
	u32 syscalltick;
	u64 schedwhen;
	u64 syscallwhen;
};

/* Per-P counters: written by the owner M only, read racily by stats. */
struct gmp_pstats {
	u64 switches;
	u64 runq_put;
	u64 runq_get;
	u64 glob_get;
	u64 steals;
	u64 steal_attempts;
	u64 parks;
	u64 preempts;
	u64 readies;
	u64 readies_remote;
	u64 created;
	u64 exited;
};

/**
 * struct gmp_p - a processor: the right to run Gs, and their queues
 */
struct gmp_p {
	int id;				/* I: index in gmp_sched.allp */
	int cpu;			/* W: where its Ms are bound */
	int status;			/* A/L: enum gmp_pstatus, see above */
	struct gmp_m *m;		/* O: M holding it, NULL when idle */
	struct gmp_p *link;		/* L: pidle / needm list */
	u32 schedtick;			/* O: per schedule(); sysmon reads */
	u32 syscalltick;		/* O: per syscall; sysmon reads */
	struct gmp_sysmontick sysmontick;	/* sysmon only */

	/*
	 * The run ring: single producer (the owner), many consumers (the
	 * owner's runqget() and thieves' runqgrab()). See sched/runq.c.
	 */
	u32 runqhead ____cacheline_aligned;	/* A: load-acquire, CAS-release */
	u32 runqtail;			/* A: store-release by the owner only */
	struct gmp_g *runq[GMP_RUNQ_SIZE];	/* A: slots read by thieves */
	struct gmp_g *runnext;		/* A: cmpxchg by owner and thieves */

	struct llist_head inbox ____cacheline_aligned;	/* A: remote readies */

	struct gmp_gqueue gfree[GMP_STACK_NR_CLASSES];	/* O */
	int ngfree[GMP_STACK_NR_CLASSES];		/* O */
	u64 goidcache;			/* O */
	u64 goidcacheend;		/* O */
	struct gmp_pstats stats;	/* O */
};

typedef struct gmp_g *(*gmp_mcall_fn)(struct gmp_g *gp);

/**
 * struct gmp_m - a machine: a kthread bound to one CPU
 *
 * The kthread's own stack is g0's stack: schedule() runs there, and every
 * G switches back to it to reschedule (gmp_mcall()).
 */
struct gmp_m {
	struct gmp_g g0;		/* O: g0's saved context and header */
	struct task_struct *task;	/* I */
	void *kstack;			/* I: the kthread's own stack (g0) */
	int id;				/* I */
	int cpu;			/* I */
	struct gmp_g *curg;		/* O: the G running, or NULL on g0 */
	struct gmp_p *p;		/* O: the P held, or NULL */
	struct gmp_p *nextp;		/* L: handed over by startm() */
	struct gmp_p *oldp;		/* O: the P it had when it blocked */
	bool in_syscall;		/* O: between enter/exit_blocking */
	bool auto_blocked;		/* O: the notifier saw it sleep */
#ifdef CONFIG_PREEMPT_NOTIFIERS
	struct preempt_notifier pn;	/* O: sees the kthread sleep */
#endif
	bool spinning;			/* O: looking for work, counted in nmspinning */
	int wakeup;			/* A: the note, see gmp_m_park() */
	struct gmp_m *schedlink;	/* L: midle link */
	/* O: what g0, or the next G after a direct hand-off, runs next */
	gmp_mcall_fn mcall_fn;
	struct gmp_g *mcall_g;		/* O: the G that asked for it */
	struct gmp_g *handoff_g;	/* O: taken for a hand-off, run by g0 */
	unsigned int ndirect;		/* O: direct hand-offs since g0 ran */
	bool (*waitunlockf)(struct gmp_g *gp, void *arg);	/* O */
	void *waitlock;			/* O */
	u32 rand;			/* O: fastrand state */
	struct list_head allmlink;	/* L: gmp_sched.allms */
	struct completion exited;	/* mstart returned */
};

/*
 * Random coprime order over [0, count): Go's randomOrder, used to visit
 * every P exactly once when stealing.
 */
struct gmp_steal_order {
	unsigned int count;
	unsigned int ncoprimes;
	unsigned int *coprimes;	/* I: ncoprimes entries */
};

struct gmp_steal_enum {
	unsigned int i, count, pos, inc;
};

/**
 * struct gmp_sched - the one global scheduler (Go's schedt)
 */
struct gmp_sched {
	raw_spinlock_t lock;		/* L: see the legend above */
	struct gmp_gqueue runq;		/* L: global run queue */
	int runqsize;			/* L, read racily as a hint */
	struct gmp_p *pidle;		/* L */
	atomic_t npidle;		/* A, written under L */
	struct gmp_p *needm;		/* L: Ps startm() found no M for */
	struct gmp_m *midle;		/* L */
	int nmidle;			/* L */
	int mcount;			/* L */
	atomic_t nmspinning;		/* A: see the protocol in proc.c */
	atomic64_t goidgen;		/* A */
	int gomaxprocs;			/* W: Ps in use, allp[0..gomaxprocs) */
	struct gmp_p **allp;		/* W: nallp Ps, never freed before exit */
	struct gmp_steal_order steal_order;	/* W */
	struct list_head allms;		/* L */
	struct list_head allgs;		/* AG: every G ever allocated */
	spinlock_t allglock;		/* AG: allgs (dumps walk it) */
	atomic_t ngalive;		/* A: Gs created and not yet exited */
	atomic_t ngpeak;		/* A: ngalive's high-water mark */
	/*
	 * Woken when ngalive drops to 0, by goexit0 with interrupts off: a
	 * swait queue, whose lock is raw (a waitqueue's sleeps on PREEMPT_RT).
	 * Its one waiter is gmp_sched_shutdown().
	 */
	struct swait_queue_head gdone_wq;
	bool stopping;			/* L, read with READ_ONCE() */
	struct work_struct newm_work;	/* creates Ms for gmp_sched.needm */

	/* Sysmon: owned by sched/sysmon.c. */
	struct task_struct *sysmon;	/* I */
	bool sysmonwait;		/* A: sysmon sleeps until kicked */
	unsigned int sysmon_delay_us;	/* A: sysmon's current poll period */
	struct irq_work sysmon_kick;	/* wakes sysmon from any context */
	atomic64_t handoffs;		/* A: Ps retaken from blocked Ms */
	atomic64_t preempts;		/* A: preemption requests by sysmon */
	atomic64_t auto_blocks;		/* A: sleeps seen by the notifier */

	/* Stop-the-world, resize and hotplug: owned by sched/procresize.c. */
	struct mutex resize_lock;	/* R: serializes resizes and hotplug */
	bool gcwaiting;			/* L, read with READ_ONCE() */
	int stopwait;			/* L: Ps still to stop */
	struct completion stopnote;	/* completed when stopwait hits 0 */
	int nallp;			/* A, written under R: Ps ever allocated */
	unsigned int maxprocs_target;	/* R: GOMAXPROCS asked for */
	u64 stw_count;			/* R: STW pauses ... */
	u64 stw_last_ns;		/* R */
	u64 stw_max_ns;			/* R */
	u64 stw_total_ns;		/* R */
	u64 hotplug_events;		/* R */
	struct hlist_node cpuhp_node;	/* I: our cpuhp instance */

	/*
	 * The global free lists: owned by sched/stack.c. Raw: goexit0 frees
	 * a G on g0 with interrupts off, where PREEMPT_RT cannot sleep.
	 */
	raw_spinlock_t gflock;		/* F: the global free lists below */
	struct gmp_gqueue gfree[GMP_STACK_NR_CLASSES];	/* F */
	int ngfree[GMP_STACK_NR_CLASSES];		/* F, read racily by stats */
	atomic_long_t stack_bytes;	/* A: stack memory allocated */

	/* Events with no P to count them on; sched/stats.c sums them. */
	atomic64_t readies_remote;	/* A: gmp_ready() via an inbox */
	atomic64_t created_remote;	/* A: spawned from outside gmp */
	atomic64_t exited_nop;		/* A: exited on an M with no P */
};

extern struct gmp_sched gmp_sched;
extern unsigned long gmp_stack_cookie;

/**
 * getg() - the running goroutine, in O(1) from any depth
 *
 * current->stack points at the running G's stack (execute() sets it), and
 * every gmp stack starts with a struct gmp_stack_hdr naming its G. The
 * cookie tells a gmp stack from any other task's.
 *
 * Context: any; returns NULL outside task context and outside gmp.
 */
static __always_inline struct gmp_g *getg(void)
{
	struct gmp_stack_hdr *h;

	if (!in_task())
		return NULL;
	h = gmp_arch_current()->stack;	/* never a cached current */
	if (h->cookie != (gmp_stack_cookie ^ (unsigned long)h->g))
		return NULL;
	return h->g;
}

static inline bool gmp_g_is_g0(struct gmp_g *gp)
{
	return gp->m && &gp->m->g0 == gp;
}

/* gmp_self() inlined, for gmp's own hot paths (every channel operation). */
static __always_inline struct gmp_g *__gmp_self(void)
{
	struct gmp_g *gp = getg();

	return gp && !gmp_g_is_g0(gp) ? gp : NULL;
}

/* proc.c */
int gmp_schedinit(unsigned int maxprocs);
void gmp_sched_shutdown(void);
bool gmp_g_casstatus_fail(struct gmp_g *gp, int old, int new);

/*
 * Legal G status transitions: the table above enum gmp_gstatus. A switch,
 * so that it folds away where @old and @new are constants.
 */
static __always_inline bool gmp_g_legal(int old, int new)
{
	switch (old) {
	case GMP_G_IDLE:
	case GMP_G_DEAD:
	case GMP_G_WAITING:
		return new == GMP_G_RUNNABLE;
	case GMP_G_RUNNABLE:
	case GMP_G_SYSCALL:
		return new == GMP_G_RUNNING;
	case GMP_G_RUNNING:
		return new == GMP_G_WAITING || new == GMP_G_RUNNABLE ||
		       new == GMP_G_DEAD || new == GMP_G_SYSCALL;
	}
	return false;
}

/**
 * gmp_g_casstatus() - move a G from status @old to @new
 * @gp:	 the G
 * @old: the status it must be in
 * @new: the status it goes to; must be a legal transition from @old
 *
 * Inline: it is on every park, ready and switch.
 *
 * Context: any.
 * Return: true on success; false (with a warning) on an illegal
 * transition or a G not in @old -- a bug in gmp or in an API user.
 */
static __always_inline bool gmp_g_casstatus(struct gmp_g *gp, int old, int new)
{
	int cur = old;

	if (unlikely(!gmp_g_legal(old, new)))
		return gmp_g_casstatus_fail(gp, old, new);
	/* Fully ordered: the status publishes everything before it. */
	if (likely(atomic_try_cmpxchg(&gp->status, &cur, new)))
		return true;
	return gmp_g_casstatus_fail(gp, old, new);
}

/* switch.c */
void gmp_mcall(struct gmp_g *gp, gmp_mcall_fn fn);
void gmp_mcall_handoff(struct gmp_g *gp, gmp_mcall_fn fn);
struct gmp_g *gmp_execute(struct gmp_m *m, struct gmp_g *gp,
			  bool inherit_time);
struct gmp_g *gmp_gosched_m(struct gmp_g *gp);

/* Go's dropg: unlink the M and its current G. Executed on g0. */
static inline void gmp_dropg(struct gmp_m *m, struct gmp_g *gp)
{
	gp->m = NULL;
	WRITE_ONCE(m->curg, NULL);	/* sysmon and STW read it */
}

void gmp_goready(struct gmp_g *gp);
void gmp_gopark(bool (*unlockf)(struct gmp_g *gp, void *arg), void *arg,
		enum gmp_wait_reason reason);
void gmp_gosched(void);
void gmp_wakep(void);

/*
 * Steps S2 and S3 of the parking protocol (sched/proc.c), after S1
 * published a G.
 */
static inline void gmp_wakeup_after_submit(void)
{
	/* PK:A: orders S1's publish before reading npidle/nmspinning. */
	smp_mb();
	if (atomic_read(&gmp_sched.npidle) && !atomic_read(&gmp_sched.nmspinning))
		gmp_wakep();
}

/* proc.c */
void gmp_m_wake(struct gmp_m *m);
void gmp_mstart_loop(struct gmp_m *m);

/* m.c */
void gmp_stack_canary_init(void);
void gmp_newm_workfn(struct work_struct *work);
void gmp_stop_ms(void);
void gmp_g_start(struct gmp_g *gp);
asmlinkage __visible __noreturn void gmp_goexit(void);
struct gmp_g *gmp_newproc(struct module *owner, gmp_fn_t fn, void *arg,
			  const struct gmp_spawn_opts *opts, int *err);
void gmp_steal_order_reset(struct gmp_steal_order *o, unsigned int count);
void gmp_steal_enum_start(struct gmp_steal_enum *e,
			  const struct gmp_steal_order *o, u32 rand);
bool gmp_steal_enum_done(const struct gmp_steal_enum *e);
unsigned int gmp_steal_enum_position(const struct gmp_steal_enum *e);
void gmp_steal_enum_next(struct gmp_steal_enum *e);

/* sysmon.c */
int gmp_sysmon_start(void);
void gmp_sysmon_stop(void);
void gmp_sysmon_release(void);
void gmp_sysmon_wake(void);
void gmp_handoffp(struct gmp_p *p);
void gmp_m_notifier_register(struct gmp_m *m);
void gmp_m_notifier_unregister(struct gmp_m *m);
void gmp_blockdetect_init(void);
void gmp_blockdetect_exit(void);
const char *gmp_blockdetect_mechanism(void);
extern unsigned int gmp_timeslice_us;
extern unsigned int gmp_handoff_grace_us;

/* proc.c, the syscall path */
void gmp_m_block_start(struct gmp_m *m);
void gmp_m_block_end(struct gmp_m *m);
void gmp_startm(struct gmp_p *p, bool spinning);
void __gmp_pidleput(struct gmp_p *p);
struct gmp_p *__gmp_pidleget(void);
void __gmp_p_stopped(struct gmp_p *p);
void gmp_acquirep(struct gmp_m *m, struct gmp_p *p);
void gmp_stopm(struct gmp_m *m);
void gmp_gcstopm(struct gmp_m *m);
void gmp_m_follow_p(struct gmp_m *m);
bool gmp_any_work(void);
int gmp_newm_start(struct gmp_p *p, int cpu, bool spinning);
struct gmp_p *gmp_p_alloc(int id, int cpu);
int gmp_procresize_init(unsigned int nprocs);

/* stats.c */
struct gmp_stats;
struct gmp_stats_p;
int gmp_stats_snapshot(struct gmp_stats *st, struct gmp_stats_p *per_p,
		       int cap);
void gmp_stats_init(void);
void gmp_stats_exit(void);
void gmp_debug_dump(const char *why);
void gmp_stats_reset_peak(void);
extern unsigned int gmp_schedtrace_ms;

/* procresize.c */
int gmp_hotplug_init(void);
void gmp_hotplug_exit(void);
void gmp_preempt_point(void);
void gmp_g_cancel(struct gmp_g *gp);

/* runq.c */
void gmp_runq_init(struct gmp_p *p);
bool gmp_runq_empty(struct gmp_p *p);
u32 gmp_runq_len(struct gmp_p *p);
void gmp_runq_put(struct gmp_p *p, struct gmp_g *gp, bool next);
struct gmp_g *gmp_runq_get(struct gmp_p *p, bool *inherit_time);
struct gmp_g *gmp_runq_steal(struct gmp_p *p, struct gmp_p *p2,
			     bool steal_runnext);
u32 gmp_runq_grab(struct gmp_p *p, struct gmp_g **batch, u32 batch_head,
		  bool steal_runnext);
void gmp_gqueue_push(struct gmp_gqueue *q, struct gmp_g *gp);
void gmp_gqueue_push_head(struct gmp_gqueue *q, struct gmp_g *gp);
struct gmp_g *gmp_gqueue_pop(struct gmp_gqueue *q);
void gmp_globrunq_put(struct gmp_g *gp);
void __gmp_globrunq_put(struct gmp_g *gp);
void __gmp_globrunq_putbatch(struct gmp_gqueue *batch, int n);
struct gmp_g *__gmp_globrunq_get(struct gmp_p *p, int max);
bool gmp_inbox_drain(struct gmp_p *p, struct gmp_p *to);

/* stack.c */
struct gmp_g *gmp_gfget(struct gmp_p *p, unsigned int class);
void gmp_gfput(struct gmp_p *p, struct gmp_g *gp);
void gmp_gfpurge(struct gmp_p *p);
void gmp_gfree_all(void);
unsigned long gmp_gfree_trim(unsigned long max);
struct gmp_g *gmp_malg(unsigned int class);
void gmp_g_free(struct gmp_g *gp);
void gmp_stack_hdr_init(void *stack, struct gmp_g *gp);

/* Bytes of stack a G of @class gets (charged on every spawn: inline). */
static inline unsigned int gmp_stack_class_size(unsigned int class)
{
	return class == GMP_STACK_SMALL ? PAGE_SIZE << KASAN_STACK_ORDER :
					  THREAD_SIZE;
}

int gmp_stack_cache_init(void);
void gmp_stack_cache_exit(void);

#if IS_ENABLED(CONFIG_KUNIT)
/* The scheduler's KUnit suites (sched/ *_test.c), for gmp_kunit.c. */
struct kunit_suite;
extern struct kunit_suite gmp_runq_test_suite;
extern struct kunit_suite gmp_proc_test_suite;
extern struct kunit_suite gmp_sysmon_test_suite;
extern struct kunit_suite gmp_procresize_test_suite;
#endif

#endif /* _GMP_SCHED_H */
