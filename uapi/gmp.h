/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * gmp: goroutines in the kernel -- the /dev/gmp ioctl ABI.
 *
 * Every argument struct starts with a __u64 @size that the caller sets to
 * sizeof() the struct it was compiled against. The kernel treats it like
 * openat2(2) and perf_event_open(2) do (copy_struct_from_user()):
 *
 *  - a caller older than the kernel passes a shorter struct; the missing
 *    tail reads as zero;
 *  - a caller newer than the kernel passes a longer struct; that is fine as
 *    long as the tail the kernel does not know is zero, else -E2BIG;
 *  - a size below the first published version of the struct is -EINVAL.
 *
 * Reserved fields and unknown flag bits must be zero (-EINVAL). Output is
 * written back only up to min(size, what the kernel knows). No kernel
 * pointer ever crosses this interface.
 *
 * ioctl numbers encode no size (_IO): the size lives in the struct so the
 * number stays the same as the struct grows. 0xB8 is unused in
 * Documentation/userspace-api/ioctl/ioctl-number.rst.
 */
#ifndef _UAPI_LINUX_GMP_H
#define _UAPI_LINUX_GMP_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/const.h>

#define GMP_DEVICE_NAME		"gmp"
#define GMP_IOC_MAGIC		0xB8

/* ABI version: the major changes only on an incompatible change. */
#define GMP_ABI_MAJOR		1
#define GMP_ABI_MINOR		0

/* gmp_version.features bits: what this module build provides. */
#define GMP_FEAT_KUNIT		_BITULL(0)	/* built with KUnit suites */

/**
 * struct gmp_version - GMP_IOC_VERSION argument
 * @size:	in: sizeof(struct gmp_version) as the caller knows it
 * @flags:	in: must be zero
 * @abi_major:	out: GMP_ABI_MAJOR of the running module
 * @abi_minor:	out: GMP_ABI_MINOR of the running module
 * @features:	out: GMP_FEAT_* bits
 * @nr_cpus:	out: CPUs the module can place a P on (nr_cpu_ids)
 */
struct gmp_version {
	__u64 size;
	__u64 flags;
	__u64 abi_major;
	__u64 abi_minor;
	__u64 features;
	__u64 nr_cpus;
};

#define GMP_VERSION_SIZE_VER0	48	/* sizeof first published struct */

#define GMP_IOC_VERSION		_IO(GMP_IOC_MAGIC, 0x00)

/* gmp_stats.blockdetect: how blocking kernel calls are detected. */
#define GMP_BLOCKDETECT_MARKERS		1	/* gmp_enter/exit_blocking() only */
#define GMP_BLOCKDETECT_NOTIFIER	2	/* and a preempt notifier per M */

/* gmp_stats_p.status */
#define GMP_PSTATUS_IDLE	0
#define GMP_PSTATUS_RUNNING	1
#define GMP_PSTATUS_SYSCALL	2
#define GMP_PSTATUS_STOPPED	3
#define GMP_PSTATUS_DEAD	4

/**
 * struct gmp_stats_p - one P in GMP_IOC_STATS
 *
 * Counters are cumulative since load; gmp adds fields only at the end,
 * and writes back min(percpu_size, what it knows) bytes per entry.
 */
struct gmp_stats_p {
	__u64 id;
	__u64 cpu;
	__u64 status;		/* GMP_PSTATUS_* */
	__u64 runq_len;		/* Gs in its ring, plus runnext */
	__u64 schedtick;
	__u64 syscalltick;
	__u64 switches;		/* Gs executed */
	__u64 runq_put;
	__u64 runq_get;
	__u64 glob_get;		/* batches taken from the global queue */
	__u64 steals;
	__u64 steal_attempts;
	__u64 parks;
	__u64 preempts;		/* yields on a preemption request */
	__u64 readies;
	__u64 created;
	__u64 exited;
};

#define GMP_STATS_P_SIZE_VER0	136

/**
 * struct gmp_stats - GMP_IOC_STATS argument: global counters and per-P
 * @size:	in: sizeof(struct gmp_stats) as the caller knows it
 * @flags:	in: must be zero
 * @percpu_ptr:	in: user array of @percpu_cap entries of @percpu_size bytes,
 *		or 0 for none
 * @percpu_cap:	in: entries in @percpu_ptr (at most 4096)
 * @percpu_size: in: sizeof(struct gmp_stats_p) as the caller knows it
 * @nr_p:	out: entries written, min(@percpu_cap, @gomaxprocs)
 *
 * The remaining fields are outputs, in the spirit of Go's schedtrace:
 * Ps, Ms ("threads"), queue lengths, goroutine and scheduler counters,
 * stop-the-world pauses, and the blocking-detection mechanism in use.
 */
struct gmp_stats {
	__u64 size;
	__u64 flags;
	__u64 percpu_ptr;
	__u64 percpu_cap;
	__u64 percpu_size;
	__u64 nr_p;
	__u64 gomaxprocs;
	__u64 idleprocs;
	__u64 threads;
	__u64 spinningthreads;
	__u64 idlethreads;
	__u64 runqueue;		/* global run queue length */
	__u64 goroutines_alive;
	__u64 goroutines_created;
	__u64 goroutines_exited;
	__u64 switches;
	__u64 runq_put;
	__u64 runq_get;
	__u64 glob_get;
	__u64 steals;
	__u64 steal_attempts;
	__u64 parks;
	__u64 readies;
	__u64 readies_remote;	/* from IRQs and other kthreads, via inboxes */
	__u64 preempts;		/* G yields on a preemption request */
	__u64 preempt_requests;	/* sysmon's requests */
	__u64 handoffs;		/* Ps retaken from blocked Ms */
	__u64 auto_blocks;	/* unannotated sleeps the notifier saw */
	__u64 blockdetect;	/* GMP_BLOCKDETECT_* */
	__u64 stw_count;
	__u64 stw_last_ns;
	__u64 stw_max_ns;
	__u64 stw_total_ns;
	__u64 hotplug_events;
	__u64 stack_bytes;	/* goroutine stack memory allocated */
};

#define GMP_STATS_SIZE_VER0	280
#define GMP_STATS_MAX_P		4096

/**
 * struct gmp_maxprocs - GMP_IOC_GET_MAXPROCS / GMP_IOC_SET_MAXPROCS
 * @size:	in: sizeof(struct gmp_maxprocs)
 * @flags:	in: must be zero
 * @maxprocs:	SET in: GOMAXPROCS to ask for, 0 for one per online CPU;
 *		out (both): GOMAXPROCS now in force
 * @target:	out: GOMAXPROCS asked for (in force when CPUs allow)
 */
struct gmp_maxprocs {
	__u64 size;
	__u64 flags;
	__u64 maxprocs;
	__u64 target;
};

#define GMP_MAXPROCS_SIZE_VER0	32

#define GMP_IOC_STATS		_IO(GMP_IOC_MAGIC, 0x10)
#define GMP_IOC_GET_MAXPROCS	_IO(GMP_IOC_MAGIC, 0x11)
#define GMP_IOC_SET_MAXPROCS	_IO(GMP_IOC_MAGIC, 0x12)	/* CAP_SYS_ADMIN */

#endif /* _UAPI_LINUX_GMP_H */
