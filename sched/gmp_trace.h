/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmp tracepoints: the life of a goroutine and the scheduler's decisions,
 * as events in /sys/kernel/tracing/events/gmp/ for ftrace, perf and
 * trace-cmd. The design essay is at the top of sched/proc.c; README.md
 * ("Observability") lists the events and their fields.
 *
 * Each call sits at the one place its event happens:
 *
 *  gmp_go_create	gmp_newproc(): a G is RUNNABLE, not yet queued
 *  gmp_go_start	gmp_execute(): RUNNABLE -> RUNNING, about to switch
 *  gmp_go_park		gmp_park_m(): RUNNING -> WAITING, on g0
 *  gmp_go_ready	gmp_goready(), or gmp_park_m() when the unlock
 *			function refused the park: WAITING -> RUNNABLE
 *  gmp_steal		gmp_runq_steal(): Gs taken from another P's ring
 *  gmp_preempt		gmp_preempt_m(): a G sysmon marked yields, on g0
 *  gmp_go_yield	gmp_gosched(), gmp_exitsyscall0(): any other
 *			RUNNING -> RUNNABLE, onto the global run queue
 *  gmp_handoff		gmp_handoffp(): sysmon took a P from a blocked M
 *  gmp_go_exit		gmp_goexit0(): RUNNING -> DEAD, on g0
 *
 * Together they cover every G status transition a trace reader needs:
 * create, then start, then any of park (then ready), preempt or yield,
 * each followed by another start, until exit. (SYSCALL is not traced: the
 * G stays on its M, which may lose its P -- see gmp_handoff.)
 *
 * Every G event is recorded while the caller owns the G (its status says
 * so, see enum gmp_gstatus), before the G is published to anyone else, so
 * reading its goid races with nobody. A disabled tracepoint is a static
 * key nop; everything an event records is computed in TP_fast_assign, so
 * the hot paths pay nothing for it. Goroutines are named by goid and Ps
 * by id. No pointer is recorded: a G's function is recorded as its
 * symbol name, looked up when gmp_go_create fires (not resolved later
 * from an address, which perf cannot always do for a module that is not
 * installed under /lib/modules, and nobody can once the module is gone).
 * That lookup is the one costly step, paid only while the event is
 * enabled. The CPU that recorded an event
 * is in every event's common header; a field says which CPU only where
 * it is another one (gmp_handoff runs on sysmon's CPU, not the P's).
 *
 * This is an out-of-tree module's trace header: sched/trace.c defines
 * CREATE_TRACE_POINTS, and Kbuild adds -I$(src)/sched for that one file,
 * so that <trace/define_trace.h> finds this file as ./gmp_trace.h.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM gmp

#if !defined(_GMP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _GMP_TRACE_H

#include <linux/tracepoint.h>

#include "include/gmp_compat.h"
#include "sched.h"

#ifndef _GMP_TRACE_DEFS
#define _GMP_TRACE_DEFS
/* How gmp_go_ready queued the G. */
enum gmp_ready_via {
	GMP_READY_RUNNEXT,	/* from a G holding a P: that P's runnext */
	GMP_READY_INBOX,	/* from any other context: a P's inbox */
	GMP_READY_DIRECT,	/* the park was refused: run again at once */
};

/* Why gmp_go_yield put a running G back on the global run queue. */
enum gmp_yield_why {
	GMP_YIELD_GOSCHED,	/* gmp_yield() */
	GMP_YIELD_NO_P,		/* back from a blocking call, no P free */
};

/* A G's function as "symbol [module]", cut to fit; never an address. */
#define GMP_TRACE_FN_LEN	48

static inline void gmp_trace_fn(char *buf, gmp_fn_t fn)
{
	if (IS_ENABLED(CONFIG_KALLSYMS))
		snprintf(buf, GMP_TRACE_FN_LEN, "%ps", (void *)fn);
	else
		buf[0] = '\0';		/* %ps would print the address */
}

/* A P's id, or -1 for none. */
static inline int gmp_trace_pid(const struct gmp_p *p)
{
	return p ? p->id : -1;
}
#endif

/*
 * Symbolic values are exported with TRACE_DEFINE_ENUM, so that perf and
 * trace-cmd can decode the format files. They are words without spaces,
 * so that a trace line splits into key=value fields.
 */
TRACE_DEFINE_ENUM(GMP_WAIT_NONE);
TRACE_DEFINE_ENUM(GMP_WAIT_PARK);
TRACE_DEFINE_ENUM(GMP_WAIT_CHAN_SEND);
TRACE_DEFINE_ENUM(GMP_WAIT_CHAN_RECV);
TRACE_DEFINE_ENUM(GMP_WAIT_SELECT);
TRACE_DEFINE_ENUM(GMP_WAIT_SLEEP);
TRACE_DEFINE_ENUM(GMP_WAIT_SEMA);
TRACE_DEFINE_ENUM(GMP_READY_RUNNEXT);
TRACE_DEFINE_ENUM(GMP_READY_INBOX);
TRACE_DEFINE_ENUM(GMP_READY_DIRECT);
TRACE_DEFINE_ENUM(GMP_YIELD_GOSCHED);
TRACE_DEFINE_ENUM(GMP_YIELD_NO_P);

/**
 * gmp_go_create - a new G is RUNNABLE
 * @gp:	the G; its goid, function and name are set
 * @p:	the creator's P, or NULL (spawned from outside gmp)
 *
 * @parent is the creator's goid, 0 when it is not a goroutine.
 */
TRACE_EVENT(gmp_go_create,
	    TP_PROTO(const struct gmp_g *gp, const struct gmp_p *p),
	    TP_ARGS(gp, p),
	    TP_STRUCT__entry(__field(u64, goid)
			     __field(u64, parent)
			     __field(int, p)
			     __string(name, gp->name)
			     __array(char, fn, GMP_TRACE_FN_LEN)
	    ),
	    TP_fast_assign(__entry->goid = gp->goid;
			   __entry->parent = gmp_goid();
			   __entry->p = gmp_trace_pid(p);
			   gmp_assign_str(name, gp->name);
			   gmp_trace_fn(__entry->fn, gp->fn);
	    ),
	    TP_printk("goid=%llu parent=%llu p=%d name=%s fn=%s",
		      __entry->goid, __entry->parent, __entry->p,
		      __get_str(name), __entry->fn)
);

/* A G event on the P running it: start, preempt, exit. */
DECLARE_EVENT_CLASS(gmp_g_on_p,
		    TP_PROTO(const struct gmp_g *gp, const struct gmp_p *p),
		    TP_ARGS(gp, p),
		    TP_STRUCT__entry(__field(u64, goid)
				     __field(int, p)
		    ),
		    TP_fast_assign(__entry->goid = gp->goid;
				   __entry->p = gmp_trace_pid(p);
		    ),
		    TP_printk("goid=%llu p=%d", __entry->goid, __entry->p)
);

/**
 * gmp_go_start - a G is about to run (Go's execute)
 * @gp:	the G, now RUNNING
 * @p:	the P it runs on
 */
DEFINE_EVENT(gmp_g_on_p, gmp_go_start,
	     TP_PROTO(const struct gmp_g *gp, const struct gmp_p *p),
	     TP_ARGS(gp, p)
);

/**
 * gmp_preempt - a G that sysmon marked gives up its P (Go's gopreempt_m)
 * @gp:	the G, which goes to the global run queue
 * @p:	the P it ran on
 */
DEFINE_EVENT(gmp_g_on_p, gmp_preempt,
	     TP_PROTO(const struct gmp_g *gp, const struct gmp_p *p),
	     TP_ARGS(gp, p)
);

/**
 * gmp_go_exit - a G's function returned (Go's goexit0)
 * @gp:	the G, now DEAD
 * @p:	the P it ran on, or NULL if its M had lost it
 */
DEFINE_EVENT(gmp_g_on_p, gmp_go_exit,
	     TP_PROTO(const struct gmp_g *gp, const struct gmp_p *p),
	     TP_ARGS(gp, p)
);

/**
 * gmp_go_yield - a running G goes back to the global run queue
 * @gp:	 the G, RUNNING, about to be RUNNABLE
 * @p:	 the P it ran on, or NULL
 * @why: enum gmp_yield_why
 */
TRACE_EVENT(gmp_go_yield,
	    TP_PROTO(const struct gmp_g *gp, const struct gmp_p *p, int why),
	    TP_ARGS(gp, p, why),
	    TP_STRUCT__entry(__field(u64, goid)
			     __field(int, p)
			     __field(int, why)
	    ),
	    TP_fast_assign(__entry->goid = gp->goid;
			   __entry->p = gmp_trace_pid(p);
			   __entry->why = why;
	    ),
	    TP_printk("goid=%llu p=%d why=%s", __entry->goid, __entry->p,
		      __print_symbolic(__entry->why,
				       { GMP_YIELD_GOSCHED, "gosched" },
				       { GMP_YIELD_NO_P, "no_p" }))
);

/**
 * gmp_go_park - a G stops running until it is readied (Go's park_m)
 * @gp:	the G, now WAITING, with its wait reason set
 * @p:	the P it ran on, or NULL
 */
TRACE_EVENT(gmp_go_park,
	    TP_PROTO(const struct gmp_g *gp, const struct gmp_p *p),
	    TP_ARGS(gp, p),
	    TP_STRUCT__entry(__field(u64, goid)
			     __field(int, p)
			     __field(int, reason)
	    ),
	    TP_fast_assign(__entry->goid = gp->goid;
			   __entry->p = gmp_trace_pid(p);
			   __entry->reason = gp->waitreason;
	    ),
	    TP_printk("goid=%llu p=%d reason=%s", __entry->goid, __entry->p,
		      __print_symbolic(__entry->reason,
				       { GMP_WAIT_NONE, "none" },
				       { GMP_WAIT_PARK, "park" },
				       { GMP_WAIT_CHAN_SEND, "chan_send" },
				       { GMP_WAIT_CHAN_RECV, "chan_receive" },
				       { GMP_WAIT_SELECT, "select" },
				       { GMP_WAIT_SLEEP, "sleep" },
				       { GMP_WAIT_SEMA, "semacquire" }))
);

/**
 * gmp_go_ready - a parked G is RUNNABLE again (Go's goready)
 * @gp:	 the G
 * @p:	 the P whose runnext or inbox it goes to
 * @via: enum gmp_ready_via
 *
 * @by is the readying goroutine's goid: 0 from an interrupt, a kthread
 * or g0. Every gmp_go_park is followed by exactly one gmp_go_ready.
 */
TRACE_EVENT(gmp_go_ready,
	    TP_PROTO(const struct gmp_g *gp, const struct gmp_p *p, int via),
	    TP_ARGS(gp, p, via),
	    TP_STRUCT__entry(__field(u64, goid)
			     __field(u64, by)
			     __field(int, p)
			     __field(int, via)
	    ),
	    TP_fast_assign(__entry->goid = gp->goid;
			   __entry->by = gmp_goid();
			   __entry->p = gmp_trace_pid(p);
			   __entry->via = via;
	    ),
	    TP_printk("goid=%llu p=%d via=%s by=%llu", __entry->goid,
		      __entry->p,
		      __print_symbolic(__entry->via,
				       { GMP_READY_RUNNEXT, "runnext" },
				       { GMP_READY_INBOX, "inbox" },
				       { GMP_READY_DIRECT, "direct" }),
		      __entry->by)
);

/**
 * gmp_steal - a P took Gs from another P's ring (Go's runqsteal)
 * @p:	    the thief
 * @victim: the P stolen from
 * @count:  how many Gs (one runs now, the rest join @p's ring)
 */
TRACE_EVENT(gmp_steal,
	    TP_PROTO(const struct gmp_p *p, const struct gmp_p *victim,
		     u32 count),
	    TP_ARGS(p, victim, count),
	    TP_STRUCT__entry(__field(int, p)
			     __field(int, victim)
			     __field(u32, count)
	    ),
	    TP_fast_assign(__entry->p = p->id;
			   __entry->victim = victim->id;
			   __entry->count = count;
	    ),
	    TP_printk("p=%d victim=%d count=%u", __entry->p, __entry->victim,
		      __entry->count)
);

/**
 * gmp_handoff - sysmon took a P from an M blocked in the kernel
 * @p: the P, out of SYSCALL and without an M
 *
 * @runq is what waits on the P's ring and runnext, @globrunq what waits
 * on the global queue: gmp_handoffp() starts an M if either has work.
 */
TRACE_EVENT(gmp_handoff,
	    TP_PROTO(struct gmp_p *p),
	    TP_ARGS(p),
	    TP_STRUCT__entry(__field(int, p)
			     __field(int, cpu)
			     __field(u32, runq)
			     __field(int, globrunq)
	    ),
	    TP_fast_assign(__entry->p = p->id;
			   __entry->cpu = p->cpu;
			   __entry->runq = gmp_runq_len(p) +
					   !!READ_ONCE(p->runnext);
			   __entry->globrunq = READ_ONCE(gmp_sched.runqsize);
	    ),
	    TP_printk("p=%d cpu=%d runq=%u globrunq=%d", __entry->p,
		      __entry->cpu, __entry->runq, __entry->globrunq)
);

#endif /* _GMP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE gmp_trace
#include <trace/define_trace.h>
