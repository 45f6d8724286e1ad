// SPDX-License-Identifier: GPL-2.0
/*
 * gmp goroutine stacks and G structs: allocation (Go's malg) and the per-P
 * and global free lists (gfget/gfput). The design essay is at the top of
 * sched/proc.c.
 *
 * A G and its stack are allocated together and stay together: a dead G
 * keeps its stack on the free list, so spawn in the steady state touches
 * no allocator. Stacks come from __vmalloc(), so each has an unmapped
 * guard page below it (vmap areas are separated by guard pages): an
 * overflow faults instead of corrupting a neighbour.
 *
 * Size classes: GMP_STACK_DEFAULT is THREAD_SIZE, what a kthread has.
 * GMP_STACK_SMALL is one page (two under KASAN, which doubles THREAD_SIZE
 * for its redzones the same way). It gives up depth: interrupts run on the
 * per-CPU IRQ stacks, so the page only holds the G's own frames, but a G
 * on a small stack must not call deep kernel paths (filesystems, the block
 * layer, anything with big on-stack structures) nor allocate memory in a
 * way that can enter direct reclaim. That is why such a G cannot spawn
 * (gmp_newproc() refuses): spawning may vmalloc a stack. It is for
 * fan-out of small, shallow leaf Gs, started by Gs on default stacks.
 */
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/magic.h>
#include <linux/sched/task_stack.h>
#include <linux/shrinker.h>

#include "include/gmp_compat.h"
#include "sched.h"

static struct kmem_cache *gmp_g_cache;

/*
 * The global free-list counts change under gflock but are read without it
 * (gfget's empty check, the shrinker's count): marked writes.
 */
static void gmp_ngfree_add(unsigned int c, int n)
{
	lockdep_assert_held(&gmp_sched.gflock);
	WRITE_ONCE(gmp_sched.ngfree[c], gmp_sched.ngfree[c] + n);
}

/**
 * gmp_stack_hdr_init() - mark @stack as belonging to @gp, for getg()
 * @stack: lowest address of the stack (what current->stack will hold)
 * @gp:	   its G (or an M's g0)
 *
 * Context: any.
 */
void gmp_stack_hdr_init(void *stack, struct gmp_g *gp)
{
	struct gmp_stack_hdr *h = stack;

	h->end_magic = STACK_END_MAGIC;
	h->g = gp;
	h->cookie = gmp_stack_cookie ^ (unsigned long)gp;
}

/**
 * gmp_malg() - allocate a new G with a stack of @class (Go's malg)
 * @class: a &enum gmp_stack_class
 *
 * Context: process context; sleeps.
 * Return: an IDLE G, or NULL.
 */
struct gmp_g *gmp_malg(unsigned int class)
{
	unsigned int size = gmp_stack_class_size(class);
	struct gmp_g *gp;

	if (!gmp_g_cache) {
		WARN_ON_ONCE(1);
		return NULL;
	}
	gp = kmem_cache_zalloc(gmp_g_cache, GFP_KERNEL);
	if (!gp)
		return NULL;
	gp->stack = __vmalloc(size, GFP_KERNEL);
	if (!gp->stack) {
		kmem_cache_free(gmp_g_cache, gp);
		return NULL;
	}
	gp->stack_size = size;
	gp->stack_class = class;
	raw_spin_lock_init(&gp->lock);
	atomic_set(&gp->status, GMP_G_IDLE);
	gmp_stack_hdr_init(gp->stack, gp);
	atomic_long_add(size, &gmp_sched.stack_bytes);
	return gp;
}

/**
 * gmp_g_free() - free a G and its stack
 * @gp: an IDLE or DEAD G that no queue references
 *
 * Context: process context.
 */
void gmp_g_free(struct gmp_g *gp)
{
	spin_lock(&gmp_sched.allglock);
	list_del(&gp->allglink);
	spin_unlock(&gmp_sched.allglock);
	atomic_long_sub(gp->stack_size, &gmp_sched.stack_bytes);
	vfree(gp->stack);
	kmem_cache_free(gmp_g_cache, gp);
}

/**
 * gmp_gfput() - put a dead G on @p's free list (Go's gfput)
 * @p:	the caller's P, or NULL from a context without one
 * @gp:	a DEAD G
 *
 * Past GMP_GFREE_MAX per class, half the local list spills to the global
 * list.
 *
 * Context: the owner of @p (or any, with @p NULL); does not sleep.
 */
void gmp_gfput(struct gmp_p *p, struct gmp_g *gp)
{
	unsigned int c = gp->stack_class;
	struct gmp_g *tmp;

	if (p) {
		gmp_gqueue_push_head(&p->gfree[c], gp);
		if (++p->ngfree[c] < GMP_GFREE_MAX)
			return;
		raw_spin_lock(&gmp_sched.gflock);
		while (p->ngfree[c] > GMP_GFREE_MAX / 2) {
			tmp = gmp_gqueue_pop(&p->gfree[c]);
			p->ngfree[c]--;
			gmp_gqueue_push_head(&gmp_sched.gfree[c], tmp);
			gmp_ngfree_add(c, 1);
		}
		raw_spin_unlock(&gmp_sched.gflock);
		return;
	}
	raw_spin_lock(&gmp_sched.gflock);
	gmp_gqueue_push_head(&gmp_sched.gfree[c], gp);
	gmp_ngfree_add(c, 1);
	raw_spin_unlock(&gmp_sched.gflock);
}

/**
 * gmp_gfget() - take a dead G of @class for reuse (Go's gfget)
 * @p:	   the caller's P, or NULL from a context without one
 * @class: a &enum gmp_stack_class
 *
 * Refills @p's list with a batch from the global list when it is empty.
 *
 * Context: the owner of @p (or any, with @p NULL); does not sleep.
 * Return: a DEAD G with a stack of @class, or NULL.
 */
struct gmp_g *gmp_gfget(struct gmp_p *p, unsigned int class)
{
	struct gmp_g *gp;

	if (p && p->gfree[class].head)
		goto local;
	if (!READ_ONCE(gmp_sched.ngfree[class]))
		return NULL;
	raw_spin_lock(&gmp_sched.gflock);
	if (!p) {
		gp = gmp_gqueue_pop(&gmp_sched.gfree[class]);
		if (gp)
			gmp_ngfree_add(class, -1);
		raw_spin_unlock(&gmp_sched.gflock);
		return gp;
	}
	while (p->ngfree[class] < GMP_GFREE_MAX / 2 &&
	       (gp = gmp_gqueue_pop(&gmp_sched.gfree[class]))) {
		gmp_ngfree_add(class, -1);
		gmp_gqueue_push_head(&p->gfree[class], gp);
		p->ngfree[class]++;
	}
	raw_spin_unlock(&gmp_sched.gflock);
	if (!p->gfree[class].head)
		return NULL;
local:
	p->ngfree[class]--;
	return gmp_gqueue_pop(&p->gfree[class]);
}

/**
 * gmp_gfpurge() - move all of @p's free Gs to the global list
 * @p: a P that no M holds (shutdown, resize)
 *
 * Context: process context.
 */
void gmp_gfpurge(struct gmp_p *p)
{
	struct gmp_g *gp;
	unsigned int c;

	for (c = 0; c < GMP_STACK_NR_CLASSES; c++) {
		while ((gp = gmp_gqueue_pop(&p->gfree[c]))) {
			p->ngfree[c]--;
			gmp_gfput(NULL, gp);
		}
	}
}

/**
 * gmp_gfree_trim() - free up to @max Gs from the global free lists
 * @max: how many at most
 *
 * The per-P lists (at most GMP_GFREE_MAX per class) are their owners';
 * the global lists are what a burst of goroutines left behind.
 *
 * Context: process context; takes gmp_sched.gflock.
 * Return: how many were freed.
 */
unsigned long gmp_gfree_trim(unsigned long max)
{
	unsigned long freed = 0;
	struct gmp_g *gp;
	unsigned int c;

	for (c = 0; c < GMP_STACK_NR_CLASSES; c++) {
		while (freed < max) {
			raw_spin_lock(&gmp_sched.gflock);
			gp = gmp_gqueue_pop(&gmp_sched.gfree[c]);
			if (gp)
				gmp_ngfree_add(c, -1);
			raw_spin_unlock(&gmp_sched.gflock);
			if (!gp)
				break;
			gmp_g_free(gp);
			freed++;
			if (!(freed % 256))
				cond_resched();
		}
	}
	return freed;
}

/**
 * gmp_gfree_all() - free every G on the global free lists
 *
 * Context: process context, at shutdown.
 */
void gmp_gfree_all(void)
{
	gmp_gfree_trim(ULONG_MAX);
}

/*
 * Under memory pressure the kernel may take back what the global free
 * lists hold: dead Gs with their stacks, kept only to make the next spawn
 * cheap. (Sysmon also empties them when the scheduler goes idle.)
 */
static unsigned long gmp_gfree_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	unsigned long n = 0;
	unsigned int c;

	for (c = 0; c < GMP_STACK_NR_CLASSES; c++)
		n += READ_ONCE(gmp_sched.ngfree[c]);
	return n ?: SHRINK_EMPTY;
}

static unsigned long gmp_gfree_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	unsigned long freed = gmp_gfree_trim(sc->nr_to_scan);

	return freed ?: SHRINK_STOP;
}

static struct shrinker *gmp_gfree_shrinker;

int gmp_stack_cache_init(void)
{
	gmp_g_cache = KMEM_CACHE(gmp_g, SLAB_HWCACHE_ALIGN);
	if (!gmp_g_cache)
		return -ENOMEM;
	gmp_gfree_shrinker = gmp_shrinker_create("gmp-stacks", gmp_gfree_count,
						 gmp_gfree_scan);
	if (!gmp_gfree_shrinker) {
		kmem_cache_destroy(gmp_g_cache);
		gmp_g_cache = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* After gmp_gfree_all(): nothing is left for the shrinker to free. */
void gmp_stack_cache_exit(void)
{
	gmp_shrinker_destroy(gmp_gfree_shrinker);
	gmp_gfree_shrinker = NULL;
	kmem_cache_destroy(gmp_g_cache);
	gmp_g_cache = NULL;
}
