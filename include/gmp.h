/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmp: goroutines for kernel code -- the in-kernel API.
 *
 * Build a module against gmp with KBUILD_EXTRA_SYMBOLS=<gmp>/Module.symvers
 * and include this header. A goroutine (G) is a function run on its own
 * small stack by gmp's M:N scheduler (see sched/proc.c for the design).
 * A G may call anything that sleeps, but should give the scheduler a
 * chance (gmp_checkpoint()) in long loops, and must not hold a spinlock,
 * a kernel mutex or an RCU read lock across gmp_yield()/gmp_park(): other
 * Gs run on the same kernel thread meanwhile.
 */
#ifndef _GMP_H
#define _GMP_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/spinlock_types.h>

struct gmp_g;

typedef void (*gmp_fn_t)(void *arg);

/* Stack classes for gmp_spawn_opts.stack. */
enum gmp_stack_class {
	GMP_STACK_DEFAULT = 0,	/* THREAD_SIZE, like a kthread */
	GMP_STACK_SMALL = 1,	/* a page (2 with KASAN): shallow leaf Gs */
	GMP_STACK_NR_CLASSES
};

struct gmp_group;

/**
 * struct gmp_spawn_opts - optional settings for gmp_go_opts()
 * @stack:	a &enum gmp_stack_class
 * @name:	shown in goroutine dumps; copied, may be NULL
 * @group:	the group the G joins (a layer's hook, see struct gmp_group
 *		in the scheduler's private header); NULL for the spawner's
 */
struct gmp_spawn_opts {
	unsigned int stack;
	const char *name;
	struct gmp_group *group;
};

/* Why a G is parked (shown in dumps, like Go's waitReason). */
enum gmp_wait_reason {
	GMP_WAIT_NONE = 0,
	GMP_WAIT_PARK,		/* gmp_park() by a user of the API */
	GMP_WAIT_CHAN_SEND,
	GMP_WAIT_CHAN_RECV,
	GMP_WAIT_SELECT,
	GMP_WAIT_SLEEP,
	GMP_WAIT_SEMA,
	GMP_WAIT_NR
};

int __gmp_go(struct module *owner, gmp_fn_t fn, void *arg,
	     const struct gmp_spawn_opts *opts);

/**
 * gmp_go() - start a goroutine running fn(arg)
 * @fn:		the goroutine's body; when it returns, the G exits
 * @arg:	passed to @fn
 *
 * The calling module is pinned (try_module_get()) until the G exits, so a
 * driver cannot be unloaded under its own goroutines.
 *
 * A goroutine started from a job's goroutine belongs to the same job: it
 * is charged to the job's limits and cancelled with it.
 *
 * Context: process context or a goroutine on a default-class stack (a
 * small-stack G cannot spawn: allocating a stack may go deep into
 * reclaim). May sleep to allocate a stack.
 * Return: 0; -ENOMEM; -EAGAIN or -ENOMEM over a limit (the max_goroutines
 * and max_stack_mb parameters, or the job's file's); -EPERM from a
 * small-stack G; -ECANCELED from a cancelled job's G; -ENODEV when the
 * calling module is going away, or -ESHUTDOWN when gmp itself is stopping.
 */
#define gmp_go(fn, arg)			__gmp_go(THIS_MODULE, fn, arg, NULL)

/**
 * gmp_go_opts() - gmp_go() with a stack class and a name
 * @fn:		the goroutine's body
 * @arg:	passed to @fn
 * @opts:	&struct gmp_spawn_opts; an unknown stack class is -EINVAL
 *
 * Context: as gmp_go().
 * Return: as gmp_go(), or -EINVAL.
 */
#define gmp_go_opts(fn, arg, opts)	__gmp_go(THIS_MODULE, fn, arg, opts)

void gmp_yield(void);
void gmp_checkpoint(void);
u64 gmp_goid(void);
struct gmp_g *gmp_self(void);
void gmp_park(bool (*unlockf)(struct gmp_g *gp, void *arg), void *arg,
	      enum gmp_wait_reason reason);
void gmp_ready(struct gmp_g *gp);
void gmp_enter_blocking(void);
void gmp_exit_blocking(void);
int gmp_sleep(u64 ns);
bool gmp_cancelled(void);
int gmp_set_maxprocs(unsigned int n);
unsigned int gmp_get_maxprocs(void);

/* ---- Channels (sync/chan.c, sync/select.c) ------------------------------ */

/*
 * A channel carries fixed-size elements between goroutines, with Go's
 * semantics: unbuffered (cap 0) channels hand each value straight from a
 * sender to a receiver; buffered ones queue up to cap values. A NULL
 * channel is Go's nil channel: blocking on it never returns, and it is
 * never ready in gmp_select(). Where Go panics, gmp returns an error.
 *
 * Blocking calls park the goroutine, not its kernel thread, and return
 * -EPERM when called outside a goroutine (there is nothing to park).
 * The gmp_chan_try_*() calls never block and work in any context,
 * hardirq included. The caller must hold a reference to every channel it
 * passes in, for the whole call.
 */
struct gmp_chan;

#define GMP_CHAN_MAX_ELEM	65536	/* bytes; send bigger data by pointer */

struct gmp_chan *gmp_chan_create(size_t elem_size, unsigned int cap);
struct gmp_chan *gmp_chan_get(struct gmp_chan *c);
void gmp_chan_put(struct gmp_chan *c);
int gmp_chan_send(struct gmp_chan *c, const void *elem);
int gmp_chan_recv(struct gmp_chan *c, void *elem, bool *ok);
int gmp_chan_try_send(struct gmp_chan *c, const void *elem);
int gmp_chan_try_recv(struct gmp_chan *c, void *elem, bool *ok);
int gmp_chan_close(struct gmp_chan *c);
unsigned int gmp_chan_len(struct gmp_chan *c);
unsigned int gmp_chan_cap(struct gmp_chan *c);

/* Directions for struct gmp_select_case. 0 is invalid, to catch holes. */
enum gmp_select_dir {
	GMP_SELECT_SEND = 1,
	GMP_SELECT_RECV = 2,
};

#define GMP_SELECT_MAX_CASES	64

/**
 * struct gmp_select_case - one case of gmp_select()
 * @c:		the channel; NULL (a nil channel) makes the case never ready
 * @dir:	%GMP_SELECT_SEND or %GMP_SELECT_RECV
 * @elem:	the value to send, or where to store the value received (may
 *		be NULL for a receive that discards it)
 * @ok:		may be NULL. For the case chosen: a receive sets it to false
 *		when the channel was closed and drained, a send to false when
 *		the channel was closed (gmp_select() then returns -EPIPE);
 *		true otherwise. Other cases' @ok are left alone.
 */
struct gmp_select_case {
	struct gmp_chan *c;
	int dir;
	void *elem;
	bool *ok;
};

int gmp_select(struct gmp_select_case *cases, int ncases, bool block);
struct gmp_chan *gmp_after(u64 ns);

/* ---- Sync (sync/sema.c, sync/waitgroup.c, sync/mutex.c) ----------------- */

/*
 * Go's runtime semaphore and its sync.WaitGroup and sync.Mutex, parking
 * goroutines (not kernel threads) in FIFO order. Initialise with the
 * gmp_*_init() calls; the fields are private to gmp.
 */

/**
 * struct gmp_sema - a counting semaphore for goroutines
 * @count:	tokens available
 * @nwait:	goroutines queued on @waiters
 * @lock:	protects @waiters
 * @waiters:	parked goroutines, FIFO
 */
struct gmp_sema {
	atomic_t count;
	atomic_t nwait;
	raw_spinlock_t lock;
	struct list_head waiters;
};

void gmp_sema_init(struct gmp_sema *s, unsigned int count);
int gmp_sema_acquire(struct gmp_sema *s);
bool gmp_sema_tryacquire(struct gmp_sema *s);
void gmp_sema_release(struct gmp_sema *s);

/**
 * struct gmp_waitgroup - Go's sync.WaitGroup
 * @state:	counter in the high 32 bits, waiters in the low 32
 * @sema:	where waiters park
 */
struct gmp_waitgroup {
	atomic64_t state;
	struct gmp_sema sema;
};

void gmp_wg_init(struct gmp_waitgroup *wg);
int gmp_wg_add(struct gmp_waitgroup *wg, int delta);
void gmp_wg_done(struct gmp_waitgroup *wg);
int gmp_wg_wait(struct gmp_waitgroup *wg);

/**
 * struct gmp_mutex - Go's sync.Mutex: a goroutine-aware sleeping lock
 * @state:	locked, woken and starving bits, and the waiter count
 * @sema:	where waiters park
 */
struct gmp_mutex {
	atomic_t state;
	struct gmp_sema sema;
};

void gmp_mutex_init(struct gmp_mutex *m);
int gmp_mutex_lock(struct gmp_mutex *m);
bool gmp_mutex_trylock(struct gmp_mutex *m);
void gmp_mutex_unlock(struct gmp_mutex *m);

#endif /* _GMP_H */
