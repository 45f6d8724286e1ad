/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API differences between the kernels gmp builds against
 * (Debian 12's 6.1 and its 6.12 backport, README "Testing"), and the only
 * place that looks at the kernel's version: the rest of the module is
 * written once, against the names below. Included by C and assembly.
 */
#ifndef _GMP_COMPAT_H
#define _GMP_COMPAT_H

#include <linux/version.h>

#ifdef __ASSEMBLY__

/*
 * 6.4 split UNWIND_HINT_EMPTY into UNWIND_HINT_END_OF_STACK (the bottom
 * frame, what gmp_g_entry is) and UNWIND_HINT_UNDEFINED.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define UNWIND_HINT_END_OF_STACK	UNWIND_HINT_EMPTY
#endif

#else /* !__ASSEMBLY__ */

#include <linux/atomic.h>	/* 6.1's <linux/shrinker.h> needs it first */
#include <linux/shrinker.h>
#include <linux/slab.h>

/* x86's per-CPU pointer to the running task: in pcpu_hot since 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define gmp_current_task	pcpu_hot.current_task
#else
#define gmp_current_task	current_task
#endif

/*
 * Is @p queued to run, rather than asleep? Since 6.12 a fair task that
 * sleeps may stay on its runqueue with its dequeue delayed (EEVDF's
 * DELAY_DEQUEUE, se.sched_delayed) until it is picked or woken.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define gmp_task_is_runnable(p)		task_is_runnable(p)
#else
#define gmp_task_is_runnable(p)		READ_ONCE((p)->on_rq)
#endif

/*
 * A tracepoint's __string() field, filled in TP_fast_assign(): since 6.10
 * __assign_str() copies the source __string() named.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define gmp_assign_str(dst, src)	do { (void)(src); __assign_str(dst); } while (0)
#else
#define gmp_assign_str(dst, src)	__assign_str(dst, src)
#endif

/*
 * A registered shrinker, or NULL; gmp_shrinker_destroy() unregisters and
 * frees it, and no callback runs once it returns. Since 6.7 the kernel
 * allocates shrinkers (shrinker_alloc(), shrinker_register(),
 * shrinker_free()); before, the caller's struct was registered.
 */
typedef unsigned long (*gmp_shrink_fn)(struct shrinker *,
				       struct shrink_control *);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline struct shrinker *gmp_shrinker_create(const char *name,
						   gmp_shrink_fn count,
						   gmp_shrink_fn scan)
{
	struct shrinker *s = shrinker_alloc(0, "%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	shrinker_register(s);
	return s;
}

static inline void gmp_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}
#else
static inline struct shrinker *gmp_shrinker_create(const char *name,
						   gmp_shrink_fn count,
						   gmp_shrink_fn scan)
{
	struct shrinker *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
	return s;
}

static inline void gmp_shrinker_destroy(struct shrinker *s)
{
	unregister_shrinker(s);
	kfree(s);
}
#endif

#endif /* __ASSEMBLY__ */
#endif /* _GMP_COMPAT_H */
