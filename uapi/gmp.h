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
#define GMP_ABI_MINOR		1

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
 * @flags:	in: GMP_STATS_RESET_PEAK, or zero
 * @percpu_ptr:	in: user array of @percpu_cap entries of @percpu_size bytes,
 *		or 0 for none
 * @percpu_cap:	in: entries in @percpu_ptr (at most 4096)
 * @percpu_size: in: sizeof(struct gmp_stats_p) as the caller knows it
 * @nr_p:	out: entries written, min(@percpu_cap, @gomaxprocs)
 *
 * The remaining fields are outputs, in the spirit of Go's schedtrace:
 * Ps, Ms ("threads"), queue lengths, goroutine and scheduler counters,
 * stop-the-world pauses, and the blocking-detection mechanism in use.
 * @goroutines_peak (since ABI 1.1) is the exact high-water mark of
 * @goroutines_alive since the module was loaded or the peak was last
 * reset; GMP_STATS_RESET_PEAK (CAP_SYS_ADMIN) reports it, then resets it
 * to the goroutines alive.
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
	__u64 goroutines_peak;	/* since ABI 1.1 */
};

#define GMP_STATS_SIZE_VER0	280
#define GMP_STATS_SIZE_VER1	288
#define GMP_STATS_RESET_PEAK	_BITULL(0)
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

/* ---- jobs ------------------------------------------------------------- */

/*
 * A job is one of the kinds built into the module, run as goroutines. It
 * belongs to the open file that submitted it: ids are per file, and
 * closing the file cancels its jobs. A job is finished once every
 * goroutine it started has exited; GMP_IOC_WAIT then returns its result
 * and forgets the id. poll() reports EPOLLIN while a finished job waits
 * to be collected.
 *
 * Per kind, the parameters (struct gmp_job_submit) and what comes back
 * (struct gmp_job_wait: result, aux[0..3]):
 *
 *  SPAWN	n goroutines that do nothing.
 *		result: how many ran.
 *  SKYNET	the skynet tree: goroutine i of size s spawns branch children
 *		over s, leaves send their id up a channel, parents sum.
 *		result: sum of ids 0..size-1 (size*(size-1)/2);
 *		aux[0]: goroutines in the tree.
 *  PINGPONG	two goroutines bounce a counter over an unbuffered channel.
 *		result: round trips made; aux[0]: ns per round trip.
 *  RING	n goroutines in a ring of unbuffered channels pass a token
 *		laps times round. result: hops made (n * laps).
 *  CPU		n goroutines each do work units of busy work, with a
 *		gmp_checkpoint() after each. result: units done (n * work);
 *		aux[0]: the least progress of any goroutine when the first
 *		finished; aux[1]: spread in per mille, 1000*(work-aux0)/work.
 *  SLEEP	n goroutines each gmp_sleep(ns). result: n;
 *		aux[0], aux[1]: p50 and p99 lateness in ns; aux[2]: max.
 *  BLOCK	n goroutines sleep 1-2 ms (usleep_range) in a loop for
 *		duration_ms, with or without gmp_enter/exit_blocking()
 *		(markers), beside one CPU-bound goroutine. result: the CPU
 *		goroutine's work units per second; aux[0]: blocking calls made.
 *  CHAN	producers send the values 1..items over a buffered channel
 *		of cap (0 = unbuffered) to consumers. result: the sum
 *		(items*(items+1)/2); aux[0]: values received.
 *  CHECKSUM	the buffer [buf, buf+len) is copied in at submit, cut into
 *		chunk-byte pieces and CRC-32'd (zlib's crc32) by one goroutine
 *		each, the pieces combined in order. result: the CRC-32 of the
 *		whole buffer; aux[0]: chunks.
 *  FANOUT	fan-out/fan-in: the root starts n workers that each do work
 *		units of busy work, and waits on a WaitGroup (a completion
 *		in the baselines). result: workers that finished (n).
 *  PARK	n goroutines park on one channel; after hold_ms the root
 *		closes it and they all wake. result: goroutines woken (n).
 *		While they hold, /proc/meminfo shows what n parked
 *		goroutines cost (the benchmarks' memory figure).
 */
#define GMP_JOB_SPAWN		1
#define GMP_JOB_SKYNET		2
#define GMP_JOB_PINGPONG	3
#define GMP_JOB_RING		4
#define GMP_JOB_CPU		5
#define GMP_JOB_SLEEP		6
#define GMP_JOB_BLOCK		7
#define GMP_JOB_CHAN		8
#define GMP_JOB_CHECKSUM	9
#define GMP_JOB_FANOUT		10
#define GMP_JOB_PARK		11
#define GMP_JOB_NR_KINDS	12

/*
 * gmp_job_submit.mode: the same program with the kernel's tools, as the
 * baselines the benchmarks compare against. SPAWN, SKYNET, PINGPONG,
 * SLEEP and FANOUT have all three, PARK has KTHREAD too; other kinds take
 * GOROUTINE only (-EOPNOTSUPP).
 *
 *  KTHREAD	a kthread per goroutine (kthread_run()), channels become
 *		completions or wake_up_process(), gmp_sleep() an hrtimer sleep;
 *		needs CAP_SYS_ADMIN (-EPERM otherwise)
 *  WORKQUEUE	a work item per goroutine on a dedicated unbound workqueue;
 *		a parent that would wait for its children instead counts
 *		them down, and the last child finishes the parent's work
 */
#define GMP_MODE_GOROUTINE	0
#define GMP_MODE_KTHREAD	1
#define GMP_MODE_WORKQUEUE	2
#define GMP_MODE_NR		3

/* gmp_job_submit.flags */
#define GMP_SUBMIT_SMALL_STACK	_BITULL(0)	/* one-page goroutine stacks */

/* gmp_job_submit.block.markers */
#define GMP_BLOCK_MIXED		0	/* half with markers, half without */
#define GMP_BLOCK_MARKED	1	/* all use gmp_enter/exit_blocking() */
#define GMP_BLOCK_UNMARKED	2	/* none do: the notifier must notice */

/* Bounds on job parameters, -EINVAL beyond them. */
#define GMP_JOB_MAX_N		_BITULL(24)	/* goroutines asked for at once */
#define GMP_JOB_MAX_ITERS	_BITULL(32)	/* round trips, laps*n, work */
#define GMP_JOB_MAX_SLEEP_NS	(60ULL * 1000000000ULL)
#define GMP_JOB_MAX_BLOCK_MS	60000ULL

/**
 * struct gmp_job_submit - GMP_IOC_SUBMIT argument
 * @size:	in: sizeof(struct gmp_job_submit) as the caller knows it
 * @flags:	in: GMP_SUBMIT_* bits
 * @kind:	in: GMP_JOB_*
 * @mode:	in: GMP_MODE_*: run the kind as goroutines (0), or as the
 *		kernel's own tools do the same work, for comparison
 * @id:		out: the job's id in this open file (>= 1)
 *
 * The union holds the kind's parameters; every field the kind does not
 * use must be zero. Zero for a parameter a kind uses means its default:
 * spawn.n 1000, skynet.size 1000000 and .branch 10, pingpong.iters
 * 10000, ring.n 100 and .laps 10, cpu.n 4 and .work 100, sleep.n 100
 * and .ns 1 ms, block.n 4 and .duration_ms 200, chan.producers and
 * .consumers 4 and .items 100000, checksum.chunk 64 KiB (buf and len
 * are required; len is capped by the max_job_bytes parameter), fanout.n
 * 1000 and .work 1, park.n 1000 and .hold_ms 1000.
 */
struct gmp_job_submit {
	__u64 size;
	__u64 flags;
	__u64 kind;
	__u64 mode;
	__u64 id;
	union {
		__u64 raw[8];
		struct { __u64 n; } spawn;
		struct { __u64 size, branch; } skynet;
		struct { __u64 iters; } pingpong;
		struct { __u64 n, laps; } ring;
		struct { __u64 n, work; } cpu;
		struct { __u64 n, ns; } sleep;
		struct { __u64 n, duration_ms, markers; } block;
		struct { __u64 producers, consumers, items, cap; } chan;
		struct { __u64 buf, len, chunk; } checksum;
		struct { __u64 n, work; } fanout;
		struct { __u64 n, hold_ms; } park;
	};
};

#define GMP_JOB_SUBMIT_SIZE_VER0	104

/* gmp_job_wait.flags */
#define GMP_WAIT_ANY		_BITULL(0)	/* any finished job: @id is out */

#define GMP_WAIT_FOREVER	(~0ULL)

/**
 * struct gmp_job_wait - GMP_IOC_WAIT argument
 * @size:	in: sizeof(struct gmp_job_wait) as the caller knows it
 * @flags:	in: GMP_WAIT_* bits
 * @id:		in: the job (out with GMP_WAIT_ANY)
 * @timeout_ns:	in: how long to wait; 0 only looks, GMP_WAIT_FOREVER waits
 *		until the job finishes or a signal comes
 * @kind:	out: the job's kind
 * @error:	out: 0 if the job succeeded, else a negative errno:
 *		-ECANCELED (cancelled), -EAGAIN or -ENOMEM (it hit a limit
 *		while starting goroutines)
 * @result:	out: the kind's result (see the table above)
 * @aux:	out: the kind's further results
 * @elapsed_ns:	out: from submit until its last goroutine exited
 * @goroutines:	out: goroutines the job started
 *
 * Return of the ioctl: 0 with the job collected; -ETIMEDOUT if it is still
 * running when @timeout_ns ends (nothing is written back);
 * -EINTR on a signal; -ENOENT for an id this file does not have.
 */
struct gmp_job_wait {
	__u64 size;
	__u64 flags;
	__u64 id;
	__u64 timeout_ns;
	__u64 kind;
	__s64 error;
	__u64 result;
	__u64 aux[4];
	__u64 elapsed_ns;
	__u64 goroutines;
};

#define GMP_JOB_WAIT_SIZE_VER0		104

/**
 * struct gmp_job_cancel - GMP_IOC_CANCEL argument
 * @size:	in: sizeof(struct gmp_job_cancel)
 * @flags:	in: must be zero
 * @id:		in: the job to cancel
 *
 * Its goroutines' blocking calls return -ECANCELED and they unwind; the
 * job still has to be collected with GMP_IOC_WAIT (its error is then
 * -ECANCELED unless it had finished). -ENOENT for an unknown id.
 */
struct gmp_job_cancel {
	__u64 size;
	__u64 flags;
	__u64 id;
};

#define GMP_JOB_CANCEL_SIZE_VER0	24

#define GMP_IOC_SUBMIT		_IO(GMP_IOC_MAGIC, 0x20)
#define GMP_IOC_WAIT		_IO(GMP_IOC_MAGIC, 0x21)
#define GMP_IOC_CANCEL		_IO(GMP_IOC_MAGIC, 0x22)

#endif /* _UAPI_LINUX_GMP_H */
