// SPDX-License-Identifier: GPL-2.0
/*
 * gmpctl - command-line client for /dev/gmp.
 *
 *   gmpctl version [--json]
 *   gmpctl stats [--json]
 *   gmpctl maxprocs [N] [--json]
 *   gmpctl dump
 *   gmpctl run KIND [--PARAM VALUE]... [--small-stack] [--mode MODE]
 *              [--timeout SEC] [--json]
 *   gmpctl top [--interval MS] [--count N]
 *   gmpctl trace --seconds N -o FILE [--buffer-kb KB]
 *   gmpctl trace --check FILE [--min-tracks N]
 *
 * `run` submits one job (GMP_IOC_SUBMIT), waits for it (GMP_IOC_WAIT) and
 * prints its result; a job still running at --timeout is cancelled
 * (GMP_IOC_CANCEL) and collected. The kinds, their parameters and what
 * their aux[] values mean are in job_kinds[] below and in uapi/gmp.h.
 *
 * `top` samples GMP_IOC_STATS every --interval and prints a line in the
 * form of Go's schedtrace, the goroutine counts and switches per second,
 * then a line per P with a bar of its switches per second. Interactive
 * (no --count), it redraws the screen when stdout is a terminal and quits
 * on `q`, with the terminal in non-canonical mode until it exits (also
 * on SIGINT, SIGTERM and SIGHUP). With --count it prints that many frames,
 * separated by a blank line, and leaves stdin and the terminal alone.
 *
 * `trace` records the scheduler's tracepoints for N seconds and writes them
 * as a Chrome trace / Perfetto JSON timeline; `trace --check` validates
 * such a file (see "trace" below).
 *
 * Exit status: 0 on success, 1 on a failed operation (for `run`: the job
 * did not succeed, or was cancelled at --timeout; for `trace --check`: the
 * file is not a well-formed trace), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "uapi/gmp.h"

#define MAX_P 4096

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define GMP_DEV "/dev/" GMP_DEVICE_NAME

struct opts {
	int json;
};

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: gmpctl COMMAND [options]\n"
		"\n"
		"commands:\n"
		"  version [--json]   ABI version and features of the loaded module\n"
		"  stats [--json]     scheduler counters, global and per P\n"
		"  maxprocs [N]       print GOMAXPROCS, or set it (root)\n"
		"  dump               one line per goroutine (needs debugfs)\n"
		"  run KIND [options] run one job in the kernel, print its result\n"
		"  top [--interval MS] [--count N]\n"
		"                     live scheduler view; q quits\n"
		"  trace --seconds N -o FILE [--buffer-kb KB]\n"
		"                     record N s of scheduler events as a JSON timeline\n"
		"                     for ui.perfetto.dev or chrome://tracing (root)\n"
		"  trace --check FILE [--min-tracks N]\n"
		"                     check such a file: JSON, slices, b/e pairs\n"
		"  help               this text\n"
		"\n"
		"run KIND, with its options (0 or absent = the module's default):\n"
		"  spawn    --n N                 N goroutines that do nothing\n"
		"  skynet   --size N --branch B   Go's skynet tree, sum of 0..N-1\n"
		"  pingpong --iters N             round trips over two channels\n"
		"  ring     --n N --laps L        a token passed round N goroutines\n"
		"  cpu      --n N --work W        N busy goroutines, W units each\n"
		"  sleep    --n N --ns D          N goroutines sleep D ns; lateness\n"
		"  block    --n N --ms D [--markers mixed|marked|unmarked]\n"
		"                                 blocking calls beside a CPU hog\n"
		"  chan     --producers P --consumers C --n ITEMS [--cap K]\n"
		"  checksum --file PATH [--chunk BYTES]   zlib CRC-32 of a file\n"
		"  fanout   --n N --work W        workers and a WaitGroup\n"
		"  park     --n N --hold-ms D     N goroutines parked on a channel\n"
		"run options for every kind:\n"
		"  --small-stack      one-page stacks for the job's leaf goroutines\n"
		"  --mode goroutine|kthread|workqueue   the kernel's tools instead\n"
		"  --timeout SEC      cancel the job if it runs longer (exit 1)\n"
		"  --json             one JSON object instead of a line\n");
}

/* Open /dev/gmp, or explain what a person can do about it and exit 1. */
static int gmp_open(void)
{
	int fd = open(GMP_DEV, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		fprintf(stderr,
			"gmpctl: %s not found: the gmp module is not loaded.\n"
			"        Load it with: sudo insmod gmp.ko  (from the build dir)\n",
			GMP_DEV);
		break;
	case EACCES:
	case EPERM:
		fprintf(stderr,
			"gmpctl: permission denied opening %s (mode 0600 by default):\n"
			"        run as root, or load gmp with dev_mode=0660 and a group\n",
			GMP_DEV);
		break;
	default:
		fprintf(stderr, "gmpctl: open %s: %s\n", GMP_DEV, strerror(errno));
	}
	exit(1);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			o->json = 1;
		} else {
			fprintf(stderr, "gmpctl: unknown option '%s'\n", argv[i]);
			print_usage(stderr);
			return -1;
		}
	}
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	struct gmp_version v = { .size = sizeof(v) };
	struct opts o = { 0 };
	int fd;

	if (parse_opts(argc, argv, &o))
		return 2;
	fd = gmp_open();
	if (ioctl(fd, GMP_IOC_VERSION, &v)) {
		fprintf(stderr, "gmpctl: GMP_IOC_VERSION: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	if (o.json) {
		printf("{\"abi_major\": %llu, ", (unsigned long long)v.abi_major);
		printf("\"abi_minor\": %llu, ", (unsigned long long)v.abi_minor);
		printf("\"features\": %llu, ", (unsigned long long)v.features);
		printf("\"kunit\": %s, ",
		       v.features & GMP_FEAT_KUNIT ? "true" : "false");
		printf("\"nr_cpus\": %llu}\n", (unsigned long long)v.nr_cpus);
	} else {
		printf("gmp ABI %llu.%llu  nr_cpus %llu  kunit %s\n",
		       (unsigned long long)v.abi_major,
		       (unsigned long long)v.abi_minor,
		       (unsigned long long)v.nr_cpus,
		       v.features & GMP_FEAT_KUNIT ? "yes" : "no");
	}
	return 0;
}

static unsigned long long u(__u64 v)
{
	return v;
}

/* The stats as one JSON object, or a schedtrace line and a P table. */
static void stats_print(const struct gmp_stats *st,
			const struct gmp_stats_p *pp, int json)
{
	unsigned long long i;

	if (json) {
		printf("{\"gomaxprocs\": %llu, \"idleprocs\": %llu, \"threads\": %llu, ",
		       u(st->gomaxprocs), u(st->idleprocs), u(st->threads));
		printf("\"spinningthreads\": %llu, \"idlethreads\": %llu, ",
		       u(st->spinningthreads), u(st->idlethreads));
		printf("\"runqueue\": %llu, \"goroutines_alive\": %llu, ",
		       u(st->runqueue), u(st->goroutines_alive));
		printf("\"goroutines_created\": %llu, \"goroutines_exited\": %llu, ",
		       u(st->goroutines_created), u(st->goroutines_exited));
		printf("\"switches\": %llu, \"steals\": %llu, \"steal_attempts\": %llu, ",
		       u(st->switches), u(st->steals), u(st->steal_attempts));
		printf("\"parks\": %llu, \"readies\": %llu, \"readies_remote\": %llu, ",
		       u(st->parks), u(st->readies), u(st->readies_remote));
		printf("\"preempts\": %llu, \"handoffs\": %llu, \"auto_blocks\": %llu, ",
		       u(st->preempts), u(st->handoffs), u(st->auto_blocks));
		printf("\"stw_count\": %llu, \"stw_max_ns\": %llu, \"stack_bytes\": %llu, ",
		       u(st->stw_count), u(st->stw_max_ns), u(st->stack_bytes));
		printf("\"p\": [");
		for (i = 0; i < st->nr_p; i++) {
			printf("%s{\"id\": %llu, \"cpu\": %llu, \"status\": %llu, ",
			       i ? ", " : "", u(pp[i].id), u(pp[i].cpu),
			       u(pp[i].status));
			printf("\"runq\": %llu, \"switches\": %llu, \"steals\": %llu}",
			       u(pp[i].runq_len), u(pp[i].switches),
			       u(pp[i].steals));
		}
		printf("]}\n");
		return;
	}
	printf("gomaxprocs=%llu idleprocs=%llu threads=%llu ",
	       u(st->gomaxprocs), u(st->idleprocs), u(st->threads));
	printf("spinningthreads=%llu idlethreads=%llu runqueue=%llu\n",
	       u(st->spinningthreads), u(st->idlethreads), u(st->runqueue));
	printf("goroutines: alive %llu  created %llu  exited %llu   stacks %llu KiB\n",
	       u(st->goroutines_alive), u(st->goroutines_created), u(st->goroutines_exited),
	       u(st->stack_bytes) / 1024);
	printf("switches %llu  steals %llu/%llu  parks %llu  readies %llu (+%llu remote)\n",
	       u(st->switches), u(st->steals), u(st->steal_attempts), u(st->parks), u(st->readies),
	       u(st->readies_remote));
	printf("preempts %llu  handoffs %llu  unannotated blocks %llu  stw %llu (max %llu ns)\n",
	       u(st->preempts), u(st->handoffs), u(st->auto_blocks), u(st->stw_count),
	       u(st->stw_max_ns));
	printf("%4s %4s %8s %6s %12s %10s %10s\n", "P", "cpu", "status",
	       "runq", "switches", "steals", "created");
	for (i = 0; i < st->nr_p; i++) {
		static const char * const names[] = {
			"idle", "running", "syscall", "stopped", "dead" };
		const char *s = pp[i].status < 5 ? names[pp[i].status] : "?";

		printf("%4llu %4llu %8s %6llu %12llu %10llu %10llu\n",
		       (unsigned long long)pp[i].id, (unsigned long long)pp[i].cpu,
		       s, (unsigned long long)pp[i].runq_len,
		       (unsigned long long)pp[i].switches,
		       (unsigned long long)pp[i].steals,
		       (unsigned long long)pp[i].created);
	}
}

static int cmd_stats(int argc, char **argv)
{
	static struct gmp_stats_p pp[MAX_P];
	struct gmp_stats st = {
		.size = sizeof(st),
		.percpu_ptr = (__u64)(unsigned long)pp,
		.percpu_cap = MAX_P,
		.percpu_size = sizeof(pp[0]),
	};
	struct opts o = { 0 };
	int fd;

	if (parse_opts(argc, argv, &o))
		return 2;
	fd = gmp_open();
	if (ioctl(fd, GMP_IOC_STATS, &st)) {
		fprintf(stderr, "gmpctl: GMP_IOC_STATS: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	stats_print(&st, pp, o.json);
	return 0;
}

static int cmd_maxprocs(int argc, char **argv)
{
	struct gmp_maxprocs mp = { .size = sizeof(mp) };
	unsigned long cmd = GMP_IOC_GET_MAXPROCS;
	struct opts o = { 0 };
	char *end;
	int fd;

	if (argc > 0 && argv[0][0] != '-') {
		mp.maxprocs = strtoul(argv[0], &end, 10);
		if (*end || end == argv[0]) {
			fprintf(stderr, "gmpctl: maxprocs: '%s' is not a number\n", argv[0]);
			print_usage(stderr);
			return 2;
		}
		cmd = GMP_IOC_SET_MAXPROCS;
		argc--;
		argv++;
	}
	if (parse_opts(argc, argv, &o))
		return 2;
	fd = gmp_open();
	if (ioctl(fd, cmd, &mp)) {
		fprintf(stderr, "gmpctl: %s: %s%s\n",
			cmd == GMP_IOC_SET_MAXPROCS ? "set GOMAXPROCS" : "GOMAXPROCS",
			strerror(errno),
			errno == EPERM ? " (setting needs CAP_SYS_ADMIN)" : "");
		return 1;
	}
	close(fd);
	if (o.json)
		printf("{\"gomaxprocs\": %llu, \"target\": %llu}\n",
		       (unsigned long long)mp.maxprocs,
		       (unsigned long long)mp.target);
	else
		printf("%llu\n", (unsigned long long)mp.maxprocs);
	return 0;
}

static int cmd_dump(void)
{
	const char *path = "/sys/kernel/debug/gmp/goroutines";
	char buf[4096];
	size_t n;
	FILE *f;

	close(gmp_open());	/* explains a missing module */
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "gmpctl: %s: %s\n", path, strerror(errno));
		fputs("        is debugfs mounted? mount -t debugfs none /sys/kernel/debug\n",
		      stderr);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

/* ---- run: one job, submitted, waited for and reported ------------------- */

enum param_type {
	PARAM_NUM,		/* a decimal number */
	PARAM_MARKERS,		/* mixed | marked | unmarked */
	PARAM_FILE,		/* a path: the file is read and passed as buf, len */
};

/* An option of a kind: --NAME VALUE sets gmp_job_submit.raw[idx]. */
struct job_param {
	const char *name;
	unsigned int idx;
	enum param_type type;
};

/**
 * struct job_kind - a job kind as gmpctl spells it
 * @name:	the KIND of `gmpctl run`, as the module names it too
 * @kind:	GMP_JOB_*
 * @params:	its options; a NULL name ends the list
 * @aux:	names for the aux[] values it reports (NULL: unused)
 */
struct job_kind {
	const char *name;
	__u64 kind;
	struct job_param params[5];
	const char *aux[4];
};

#define NUM(n, i)	{ .name = n, .idx = i, .type = PARAM_NUM }

static const struct job_kind job_kinds[] = {
	{ .name = "spawn", .kind = GMP_JOB_SPAWN, .params = { NUM("n", 0) } },
	{ .name = "skynet", .kind = GMP_JOB_SKYNET,
	  .params = { NUM("size", 0), NUM("branch", 1) },
	  .aux = { "tree_goroutines" } },
	{ .name = "pingpong", .kind = GMP_JOB_PINGPONG,
	  .params = { NUM("iters", 0) }, .aux = { "ns_per_round_trip" } },
	{ .name = "ring", .kind = GMP_JOB_RING,
	  .params = { NUM("n", 0), NUM("laps", 1) } },
	{ .name = "cpu", .kind = GMP_JOB_CPU,
	  .params = { NUM("n", 0), NUM("work", 1) },
	  .aux = { "min_progress", "spread_permille" } },
	{ .name = "sleep", .kind = GMP_JOB_SLEEP,
	  .params = { NUM("n", 0), NUM("ns", 1) },
	  .aux = { "p50_late_ns", "p99_late_ns", "max_late_ns" } },
	{ .name = "block", .kind = GMP_JOB_BLOCK,
	  .params = { NUM("n", 0), NUM("ms", 1),
		      { .name = "markers", .idx = 2, .type = PARAM_MARKERS } },
	  .aux = { "blocking_calls" } },
	{ .name = "chan", .kind = GMP_JOB_CHAN,
	  .params = { NUM("producers", 0), NUM("consumers", 1), NUM("n", 2),
		      NUM("cap", 3) },
	  .aux = { "received" } },
	{ .name = "checksum", .kind = GMP_JOB_CHECKSUM,
	  .params = { { .name = "file", .idx = 0, .type = PARAM_FILE },
		      NUM("chunk", 2) },
	  .aux = { "chunks" } },
	{ .name = "fanout", .kind = GMP_JOB_FANOUT,
	  .params = { NUM("n", 0), NUM("work", 1) } },
	{ .name = "park", .kind = GMP_JOB_PARK,
	  .params = { NUM("n", 0), NUM("hold-ms", 1) } },
};

#undef NUM

static const char * const mode_names[GMP_MODE_NR] = {
	[GMP_MODE_GOROUTINE] = "goroutine",
	[GMP_MODE_KTHREAD] = "kthread",
	[GMP_MODE_WORKQUEUE] = "workqueue",
};

static const char * const markers_names[] = {
	[GMP_BLOCK_MIXED] = "mixed",
	[GMP_BLOCK_MARKED] = "marked",
	[GMP_BLOCK_UNMARKED] = "unmarked",
};

/**
 * struct run_opts - what `gmpctl run` was asked to do
 * @k:		the kind
 * @js:		the SUBMIT argument being built; @js.id once submitted
 * @file:	checksum: the file to read
 * @buf:	checksum: its contents, passed as @js.checksum.buf
 * @timeout_ns:	cancel after this long; 0 waits for as long as it takes
 * @timeout:	--timeout as given, for messages
 * @json:	print JSON
 * @timed_out:	the job was cancelled at @timeout_ns
 */
struct run_opts {
	const struct job_kind *k;
	struct gmp_job_submit js;
	const char *file;
	void *buf;
	__u64 timeout_ns;
	const char *timeout;
	int json;
	int timed_out;
};

/* Complain about the command line and print the usage: returns -1. */
static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("gmpctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(stderr);
	return -1;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A decimal number, all of @s: 0, or -1 if it is not one. */
static int parse_u64(const char *s, __u64 *v)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

/* @s as an index into @names[@n]: 0, or -1 if it is none of them. */
static int parse_word(const char *s, const char * const *names,
		      unsigned int n, __u64 *v)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*v = i;
			return 0;
		}
	}
	return -1;
}

/* Seconds, fractions allowed, more than 0: as ns in *@ns, 0 or -1. */
static int parse_seconds(const char *s, __u64 *ns)
{
	double sec;
	char *end;

	errno = 0;
	sec = strtod(s, &end);
	if (errno || *end || end == s || !(sec > 0) || sec > 1e9)
		return -1;
	*ns = (__u64)(sec * 1e9);
	if (!*ns)
		*ns = 1;
	return 0;
}

static const struct job_kind *job_kind_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(job_kinds); i++)
		if (!strcmp(name, job_kinds[i].name))
			return &job_kinds[i];
	return NULL;
}

static const struct job_param *job_param_find(const struct job_kind *k,
					      const char *name)
{
	const struct job_param *p;

	for (p = k->params; p->name; p++)
		if (!strcmp(name, p->name))
			return p;
	return NULL;
}

/* --@opt @val, an option that takes a value. */
static int run_parse_opt(struct run_opts *ro, const char *opt, const char *val)
{
	const char *kn = ro->k->name;
	const struct job_param *p;

	if (!strcmp(opt, "timeout")) {
		ro->timeout = val;
		if (parse_seconds(val, &ro->timeout_ns))
			return usage_err("run: --timeout '%s': seconds (> 0) expected", val);
		return 0;
	}
	if (!strcmp(opt, "mode")) {
		if (parse_word(val, mode_names, GMP_MODE_NR, &ro->js.mode))
			return usage_err("run: --mode '%s': goroutine, kthread or workqueue", val);
		return 0;
	}
	p = job_param_find(ro->k, opt);
	if (!p)
		return usage_err("run %s: unknown option '--%s'", kn, opt);
	switch (p->type) {
	case PARAM_FILE:
		ro->file = val;
		return 0;
	case PARAM_MARKERS:
		if (parse_word(val, markers_names, 3, &ro->js.raw[p->idx]))
			return usage_err("run %s: --%s '%s': mixed, marked or unmarked",
					 kn, opt, val);
		return 0;
	default:
		if (parse_u64(val, &ro->js.raw[p->idx]))
			return usage_err("run %s: --%s '%s' is not a number",
					 kn, opt, val);
		return 0;
	}
}

static int run_parse(int argc, char **argv, struct run_opts *ro)
{
	const char *opt;
	int i;

	if (argc < 1)
		return usage_err("run: which kind of job?");
	ro->k = job_kind_find(argv[0]);
	if (!ro->k)
		return usage_err("run: unknown kind '%s'", argv[0]);
	for (i = 1; i < argc; i++) {
		opt = argv[i];
		if (strncmp(opt, "--", 2) || !opt[2])
			return usage_err("run %s: unexpected '%s'", ro->k->name, opt);
		opt += 2;
		if (!strcmp(opt, "json"))
			ro->json = 1;
		else if (!strcmp(opt, "small-stack"))
			ro->js.flags |= GMP_SUBMIT_SMALL_STACK;
		else if (i + 1 == argc)
			return usage_err("run %s: --%s needs a value", ro->k->name, opt);
		else if (run_parse_opt(ro, opt, argv[++i]))
			return -1;
	}
	if (ro->k->kind == GMP_JOB_CHECKSUM && !ro->file)
		return usage_err("run checksum: --file PATH is required");
	return 0;
}

/* Read all of @fd into a malloc()ed buffer: its length, or -1. */
static ssize_t read_all(int fd, void **bufp)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = NULL, *nb;
	ssize_t n;

	for (;;) {
		if (!buf || len == cap) {
			cap = buf ? cap * 2 : cap;
			nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (!n)
			break;
		len += n;
	}
	*bufp = buf;
	return len;
fail:
	free(buf);
	return -1;
}

/* checksum: read --file and point the job at it. */
static int run_load_file(struct run_opts *ro)
{
	int fd = open(ro->file, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0) {
		fprintf(stderr, "gmpctl: run checksum: %s: %s\n", ro->file,
			strerror(errno));
		return -1;
	}
	len = read_all(fd, &ro->buf);
	close(fd);
	if (len < 0) {
		fprintf(stderr, "gmpctl: run checksum: reading %s: %s\n",
			ro->file, strerror(errno));
		return -1;
	}
	if (!len) {
		fprintf(stderr, "gmpctl: run checksum: %s is empty\n", ro->file);
		return -1;
	}
	ro->js.checksum.buf = (__u64)(unsigned long)ro->buf;
	ro->js.checksum.len = len;
	return 0;
}

/* What a person can do about a failed SUBMIT. */
static const char *submit_hint(int err)
{
	switch (err) {
	case EINVAL:
		return "\n        a parameter is out of range for this kind (see uapi/gmp.h)";
	case EAGAIN:
		return "\n        over a limit: file_max_jobs, file_max_goroutines or\n"
		       "        max_goroutines in /sys/module/gmp/parameters/";
	case ENOMEM:
		return "\n        over a memory limit: max_job_bytes, file_max_stack_mb or\n"
		       "        max_stack_mb in /sys/module/gmp/parameters/";
	case EOPNOTSUPP:
		return "\n        this kind has no such --mode";
	case ENOTTY:
		return "\n        the loaded gmp module has no jobs: load a newer one";
	default:
		return "";
	}
}

static int run_submit(int fd, struct run_opts *ro)
{
	ro->js.size = sizeof(ro->js);
	ro->js.kind = ro->k->kind;
	if (!ioctl(fd, GMP_IOC_SUBMIT, &ro->js))
		return 0;
	fprintf(stderr, "gmpctl: run %s: %s%s\n", ro->k->name, strerror(errno),
		submit_hint(errno));
	return -1;
}

/*
 * GMP_IOC_WAIT for job @id for up to @timeout_ns (0: for as long as it
 * takes), again after a signal. 0, or -errno (-ETIMEDOUT when it is
 * still running).
 */
static int job_wait(int fd, __u64 id, __u64 timeout_ns,
		    struct gmp_job_wait *jw)
{
	__u64 end = timeout_ns ? now_ns() + timeout_ns : 0, t;

	for (;;) {
		memset(jw, 0, sizeof(*jw));
		jw->size = sizeof(*jw);
		jw->id = id;
		jw->timeout_ns = GMP_WAIT_FOREVER;
		if (end) {
			t = now_ns();
			jw->timeout_ns = t < end ? end - t : 0;
		}
		if (!ioctl(fd, GMP_IOC_WAIT, jw))
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* Wait for the job; at the timeout, cancel it and collect it. */
static int run_collect(int fd, struct run_opts *ro, struct gmp_job_wait *jw)
{
	struct gmp_job_cancel jc = { .size = sizeof(jc), .id = ro->js.id };
	int err = job_wait(fd, ro->js.id, ro->timeout_ns, jw);

	if (err == -ETIMEDOUT) {
		ro->timed_out = 1;
		fprintf(stderr, "gmpctl: run %s: still running after %s s: cancelling it\n",
			ro->k->name, ro->timeout);
		if (ioctl(fd, GMP_IOC_CANCEL, &jc))
			err = -errno;
		else
			err = job_wait(fd, ro->js.id, 0, jw);
	}
	if (err)
		fprintf(stderr, "gmpctl: run %s: job %llu: %s\n", ro->k->name,
			(unsigned long long)ro->js.id, strerror(-err));
	return err;
}

#define E(x) { x, #x }

/* The errno names a job's error can be, spelled as in errno.h. */
static const char *errno_name(int err)
{
	static const struct { int err; const char *name; } names[] = {
		E(ECANCELED), E(EAGAIN), E(ENOMEM), E(EINVAL), E(EFAULT),
		E(EPERM), E(EPROTO), E(EPIPE), E(EINTR), E(ETIMEDOUT),
		E(ENOENT), E(EOPNOTSUPP), E(E2BIG), E(EBUSY), E(ENODEV),
	};
	static char other[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(other, sizeof(other), "E%d", err);
	return other;
}

#undef E

static const char *job_status(const struct gmp_job_wait *jw)
{
	if (!jw->error)
		return "ok";
	return jw->error == -ECANCELED ? "cancelled" : "error";
}

static void run_print_json(const struct run_opts *ro,
			   const struct gmp_job_wait *jw)
{
	const struct job_kind *k = ro->k;
	int i;

	printf("{\"kind\": \"%s\", \"mode\": \"%s\", \"id\": %llu, ",
	       k->name, mode_names[ro->js.mode], u(jw->id));
	printf("\"status\": \"%s\", \"error\": ", job_status(jw));
	if (jw->error)
		printf("\"%s\", ", errno_name(-jw->error));
	else
		printf("0, ");
	printf("\"timed_out\": %s, \"elapsed_ns\": %llu, ",
	       ro->timed_out ? "true" : "false", u(jw->elapsed_ns));
	printf("\"result\": %llu, \"aux\": [%llu, %llu, %llu, %llu], ",
	       u(jw->result), u(jw->aux[0]), u(jw->aux[1]), u(jw->aux[2]),
	       u(jw->aux[3]));
	printf("\"goroutines\": %llu", u(jw->goroutines));
	for (i = 0; i < 4; i++)
		if (k->aux[i])
			printf(", \"%s\": %llu", k->aux[i], u(jw->aux[i]));
	if (k->kind == GMP_JOB_CHECKSUM)
		printf(", \"digest\": \"%08llx\"", u(jw->result));
	printf("}\n");
}

static void run_print_line(const struct run_opts *ro,
			   const struct gmp_job_wait *jw)
{
	const struct job_kind *k = ro->k;
	int i;

	printf("%s", k->name);
	if (ro->js.mode)
		printf(" [%s]", mode_names[ro->js.mode]);
	printf(": %s", job_status(jw));
	if (jw->error)
		printf(" (%s)", errno_name(-jw->error));
	if (k->kind == GMP_JOB_CHECKSUM)
		printf("  result=%08llx", u(jw->result));
	else
		printf("  result=%llu", u(jw->result));
	printf("  elapsed=%.3fms", jw->elapsed_ns / 1e6);
	for (i = 0; i < 4; i++)
		if (k->aux[i])
			printf("  %s=%llu", k->aux[i], u(jw->aux[i]));
	printf("  goroutines=%llu\n", u(jw->goroutines));
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts ro = { 0 };
	struct gmp_job_wait jw;
	int fd, ret = 1;

	if (run_parse(argc, argv, &ro))
		return 2;
	if (ro.file && run_load_file(&ro))
		return 1;
	fd = gmp_open();
	if (run_submit(fd, &ro) || run_collect(fd, &ro, &jw))
		goto out;
	if (ro.json)
		run_print_json(&ro, &jw);
	else
		run_print_line(&ro, &jw);
	ret = jw.error || ro.timed_out;
out:
	close(fd);
	free(ro.buf);
	return ret;
}

/* ---- top: a refreshing view of the scheduler --------------------------- */

#define TOP_BAR_WIDTH	40

/* One GMP_IOC_STATS snapshot and when it was taken. */
struct top_sample {
	struct gmp_stats st;
	struct gmp_stats_p pp[MAX_P];
	__u64 t_ns;
};

static struct termios tty_saved;
static int tty_changed;

static void tty_restore(void)
{
	if (tty_changed)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
}

/* SIGINT, SIGTERM, SIGHUP: give the terminal back, then die of @sig. */
static void tty_on_signal(int sig)
{
	tty_restore();		/* tcsetattr() is async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);		/* delivered when this handler returns */
}

/* Keys without Enter and without echo, until exit or a fatal signal. */
static void tty_raw(void)
{
	struct sigaction sa = { .sa_handler = tty_on_signal };
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &tty_saved))
		return;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	t = tty_saved;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return;
	tty_changed = 1;
	atexit(tty_restore);
}

static int top_sample(int fd, struct top_sample *s)
{
	memset(&s->st, 0, sizeof(s->st));
	s->st.size = sizeof(s->st);
	s->st.percpu_ptr = (__u64)(unsigned long)s->pp;
	s->st.percpu_cap = MAX_P;
	s->st.percpu_size = sizeof(s->pp[0]);
	if (ioctl(fd, GMP_IOC_STATS, &s->st)) {
		fprintf(stderr, "gmpctl: top: GMP_IOC_STATS: %s\n",
			strerror(errno));
		return -1;
	}
	s->t_ns = now_ns();
	return 0;
}

/* How fast a counter went from @before to @now over @dt_ns, per second. */
static __u64 per_sec(__u64 now, __u64 before, __u64 dt_ns)
{
	if (now < before || !dt_ns)
		return 0;
	return (__u64)((double)(now - before) * 1e9 / dt_ns);
}

/* P @i's switches per second; 0 for a P that was not there before. */
static __u64 top_p_rate(const struct top_sample *cur,
			const struct top_sample *prev, __u64 i)
{
	if (i >= prev->st.nr_p || prev->pp[i].id != cur->pp[i].id)
		return 0;
	return per_sec(cur->pp[i].switches, prev->pp[i].switches,
		       cur->t_ns - prev->t_ns);
}

/* Go's schedtrace line, then the goroutine counts and the switch rate. */
static void top_print_header(const struct top_sample *cur,
			     const struct top_sample *prev, __u64 t0)
{
	const struct gmp_stats *st = &cur->st;
	__u64 i;

	printf("SCHED %llums: gomaxprocs=%llu idleprocs=%llu threads=%llu ",
	       u((cur->t_ns - t0) / 1000000), u(st->gomaxprocs),
	       u(st->idleprocs), u(st->threads));
	printf("spinningthreads=%llu idlethreads=%llu runqueue=%llu [",
	       u(st->spinningthreads), u(st->idlethreads), u(st->runqueue));
	for (i = 0; i < st->nr_p; i++)
		printf("%s%llu", i ? " " : "", u(cur->pp[i].runq_len));
	printf("]\n");
	printf("goroutines: alive %llu  created %llu   switches/s %llu\n",
	       u(st->goroutines_alive), u(st->goroutines_created),
	       u(per_sec(st->switches, prev->st.switches,
			 cur->t_ns - prev->t_ns)));
}

/* One line per P: status, run queue and a bar of its switches/s. */
static void top_print_ps(const struct top_sample *cur,
			 const struct top_sample *prev)
{
	static const char * const names[] = {
		"idle", "running", "syscall", "stopped", "dead" };
	const struct gmp_stats_p *p;
	__u64 i, rate, max = 1;
	int w;

	for (i = 0; i < cur->st.nr_p; i++)
		if (top_p_rate(cur, prev, i) > max)
			max = top_p_rate(cur, prev, i);
	printf("%4s %4s %8s %6s %12s\n", "P", "cpu", "status", "runq",
	       "switches/s");
	for (i = 0; i < cur->st.nr_p; i++) {
		p = &cur->pp[i];
		rate = top_p_rate(cur, prev, i);
		w = (rate * TOP_BAR_WIDTH + max - 1) / max;
		printf("%4llu %4llu %8s %6llu %12llu |%.*s%*s|\n", u(p->id),
		       u(p->cpu), p->status < 5 ? names[p->status] : "?",
		       u(p->runq_len), u(rate), w,
		       "########################################",
		       TOP_BAR_WIDTH - w, "");
	}
}

/*
 * Wait @ms; with @keys, read stdin meanwhile. 1 when `q` was pressed, else
 * 0. At the end of stdin, stop reading it (*@keys = 0).
 */
static int top_pause(int ms, int *keys)
{
	__u64 end = now_ns() + (__u64)ms * 1000000;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	__u64 t;
	char c;
	int n;

	while ((t = now_ns()) < end) {
		n = poll(&pfd, *keys ? 1 : 0, (end - t + 999999) / 1000000);
		if (n <= 0)
			continue;
		n = read(STDIN_FILENO, &c, 1);
		if (n == 1 && (c == 'q' || c == 'Q'))
			return 1;
		if (!n || (n < 0 && errno != EINTR && errno != EAGAIN))
			*keys = 0;
	}
	return 0;
}

static int top_parse(int argc, char **argv, __u64 *interval, __u64 *count)
{
	const char *opt;
	__u64 *v;
	int i;

	for (i = 0; i < argc; i++) {
		opt = argv[i];
		if (!strcmp(opt, "--interval"))
			v = interval;
		else if (!strcmp(opt, "--count"))
			v = count;
		else
			return usage_err("top: unknown option '%s'", opt);
		if (i + 1 == argc || parse_u64(argv[++i], v) || !*v)
			return usage_err("top: %s needs a number > 0", opt);
	}
	if (*interval < 10 || *interval > 3600000)
		return usage_err("top: --interval is 10..3600000 ms");
	return 0;
}

static int cmd_top(int argc, char **argv)
{
	static struct top_sample samples[2];
	struct top_sample *prev = &samples[0], *cur = &samples[1], *tmp;
	__u64 interval = 1000, count = 0, n, t0;
	int fd, keys, clear;

	if (top_parse(argc, argv, &interval, &count))
		return 2;
	fd = gmp_open();
	keys = !count;		/* interactive: watch stdin for `q` */
	clear = !count && isatty(STDOUT_FILENO);
	if (keys && isatty(STDIN_FILENO))
		tty_raw();
	if (top_sample(fd, prev))
		return 1;
	t0 = prev->t_ns;
	for (n = 0; !count || n < count; n++) {
		if (top_pause(interval, &keys))
			break;
		if (top_sample(fd, cur))
			return 1;
		if (clear)
			fputs("\033[H\033[2J", stdout);
		else if (n)
			putchar('\n');
		top_print_header(cur, prev, t0);
		top_print_ps(cur, prev);
		if (clear)
			printf("(q quits)\n");
		fflush(stdout);
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	close(fd);
	return 0;
}

/* ---- trace: a timeline for ui.perfetto.dev and chrome://tracing -------- */

/*
 * `trace` records the module's tracepoints (sched/gmp_trace.h) for
 * --seconds in a tracefs instance of its own, instances/gmpctl-PID, with
 * the trace clock "mono" (CLOCK_MONOTONIC, printed in microseconds), then
 * reads the instance's `trace` file and writes it as a JSON trace in the
 * Chrome trace event format:
 *
 *  - pid 1 "gmp Ps", one thread per P (tid = P id + 1): an X slice for
 *    each stretch a G ran on that P, from its gmp_go_start to the first of
 *    its own park, yield, preempt or exit, the next start on that P, or a
 *    handoff of that P; a slice still open at the end is clipped there.
 *    Steals, handoffs and preemptions are instant events on the P's track.
 *  - pid 2 "gmp goroutines": a b/e pair (cat "goroutine", id = goid) from
 *    the gmp_go_create of each G created in the window to its gmp_go_exit,
 *    or to the end of the trace if it was still alive.
 *
 * The hidden option --from FILE converts a saved `trace` file instead of
 * recording. `trace --check FILE` reads such JSON back and checks it.
 */

#define TRACE_PS_PID	1		/* the process of the P tracks */
#define TRACE_GS_PID	2		/* the process of the G lifetimes */
#define TRACE_BUF_KB	16384		/* per CPU, at most */
#define TRACE_BUFS_KB	131072		/* all CPUs together, by default */
#define TRACE_STR_LEN	64		/* G names, functions, JSON strings */
#define TRACE_MAX_ERRS	10		/* problems --check prints */

static const char * const tracefs_dirs[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
};

/* A chained hash table of nodes keyed by a u64, grown as it fills. */
struct hnode {
	struct hnode *next;
	__u64 key;
};

struct htab {
	struct hnode **b;
	size_t nb, n;
};

static size_t ht_idx(size_t nb, __u64 key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return key & (nb - 1);
}

static struct hnode *ht_find(const struct htab *h, __u64 key)
{
	struct hnode *n;

	if (!h->nb)
		return NULL;
	for (n = h->b[ht_idx(h->nb, key)]; n; n = n->next)
		if (n->key == key)
			return n;
	return NULL;
}

/* Add @n (its key set): 0, or -1 without memory. */
static int ht_add(struct htab *h, struct hnode *n)
{
	struct hnode **nb, *m, *next;
	size_t i, j, size;

	if (h->n >= h->nb) {
		size = h->nb ? h->nb * 2 : 1024;
		nb = calloc(size, sizeof(*nb));
		if (!nb)
			return -1;
		for (i = 0; i < h->nb; i++) {
			for (m = h->b[i]; m; m = next) {
				next = m->next;
				j = ht_idx(size, m->key);
				m->next = nb[j];
				nb[j] = m;
			}
		}
		free(h->b);
		h->b = nb;
		h->nb = size;
	}
	i = ht_idx(h->nb, n->key);
	n->next = h->b[i];
	h->b[i] = n;
	h->n++;
	return 0;
}

/* Unlink @n from @h; the caller frees it. */
static void ht_del(struct htab *h, struct hnode *n)
{
	struct hnode **pp = &h->b[ht_idx(h->nb, n->key)];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = n->next;
		h->n--;
	}
}

static void ht_free(struct htab *h)
{
	struct hnode *n, *next;
	size_t i;

	for (i = 0; i < h->nb; i++) {
		for (n = h->b[i]; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(h->b);
	memset(h, 0, sizeof(*h));
}

/* @s as a JSON string: quoted, escaped, bytes outside ASCII as '?'. */
static void json_str(FILE *f, const char *s)
{
	unsigned char c;

	putc('"', f);
	for (; (c = *s); s++) {
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			putc(c < 0x7f ? c : '?', f);
	}
	putc('"', f);
}

/* A goroutine the trace has seen. */
struct trace_g {
	struct hnode h;			/* key: goid */
	int on_p;			/* P whose track shows it running, or -1 */
	int born;			/* its create is in the trace: b written */
	__u64 parent;
	char name[TRACE_STR_LEN];
	char fn[TRACE_STR_LEN];
};

/* A stretch of a G on a P. */
struct trace_run {
	__u64 goid;			/* 0 for none */
	long long start, end;		/* us since t0 */
	int cpu;			/* the CPU that recorded the start */
};

/*
 * A P's track: the slice open on it, and the one that the next start on
 * it ended. A G that hands its M straight to the next one (Gs switch to
 * each other directly) is seen to park only after that G's start: the
 * slice waits in @ended for its reason until the next event on the P.
 */
struct trace_p {
	struct trace_run open, ended;
	long long last_end;		/* where the last slice ended */
};

/**
 * struct trace_w - the JSON being written
 * @f:		where it goes
 * @gs:		the goroutines seen, by goid (exited ones are dropped)
 * @ps:		the P tracks, by P id
 * @nr_p:	tracks to name: 1 + the highest P id seen or reported
 * @t0:		the first timestamp, us; JSON timestamps count from it
 * @t_end:	the last timestamp, us since @t0
 * @lost:	events the ring buffer lost or dropped (its statistics)
 * @lost_lines:	events the trace file says were lost
 */
struct trace_w {
	FILE *f;
	struct htab gs;
	struct trace_p ps[MAX_P];
	int nr_p;
	long long t0, t_end;
	int have_t0;
	unsigned long events, skipped, slices, lives, instants;
	unsigned long long lost, lost_lines;
};

/* Start an event: the caller adds its own members, then "}". */
static void tw_event(struct trace_w *w, const char *ph, const char *name,
		     int pid, long long tid, long long ts)
{
	fputs(w->events++ ? ",\n{\"ph\":\"" : "\n{\"ph\":\"", w->f);
	fprintf(w->f, "%s\",\"name\":", ph);
	json_str(w->f, name);
	fprintf(w->f, ",\"pid\":%d,\"tid\":%lld,\"ts\":%lld", pid, tid, ts);
}

static struct trace_g *tw_g(struct trace_w *w, __u64 goid, int add)
{
	struct trace_g *g = (struct trace_g *)ht_find(&w->gs, goid);

	if (g || !add)
		return g;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->h.key = goid;
	g->on_p = -1;
	if (ht_add(&w->gs, &g->h)) {
		free(g);
		return NULL;
	}
	return g;
}

/* What a G is called on its slices and its lifetime: "G7 skynet". */
static const char *tw_gname(__u64 goid, const struct trace_g *g)
{
	static char buf[TRACE_STR_LEN + 24];

	if (g && g->name[0])
		snprintf(buf, sizeof(buf), "G%llu %s", (unsigned long long)goid,
			 g->name);
	else
		snprintf(buf, sizeof(buf), "G%llu", (unsigned long long)goid);
	return buf;
}

/* Write the X slice @r of P @p's track: it ended for reason @why. */
static void tw_slice(struct trace_w *w, int p, const struct trace_run *r,
		     const char *why)
{
	tw_event(w, "X", tw_gname(r->goid, tw_g(w, r->goid, 0)), TRACE_PS_PID,
		 p + 1, r->start);
	fprintf(w->f, ",\"dur\":%lld,\"args\":{\"goid\":%llu,\"cpu\":%d,\"end\":",
		r->end - r->start, (unsigned long long)r->goid, r->cpu);
	json_str(w->f, why);
	fputs("}}", w->f);
	w->slices++;
}

/* The slice that a start on P @p ended, if no reason for it came. */
static void tw_flush(struct trace_w *w, int p)
{
	struct trace_run *r = &w->ps[p].ended;

	if (r->goid)
		tw_slice(w, p, r, "next start on this P");
	r->goid = 0;
}

/*
 * End the slice open on P @p, if any, at @ts, for reason @why; for a next
 * start on the P (@why NULL) it waits in ps[@p].ended for a better one.
 */
static void tw_close(struct trace_w *w, int p, long long ts, const char *why)
{
	struct trace_p *tp = &w->ps[p];
	struct trace_g *g;

	tw_flush(w, p);
	if (!tp->open.goid)
		return;
	tp->open.end = ts < tp->open.start ? tp->open.start : ts;
	tp->last_end = tp->open.end;
	g = tw_g(w, tp->open.goid, 0);
	if (g && g->on_p == p)
		g->on_p = -1;
	if (why)
		tw_slice(w, p, &tp->open, why);
	else
		tp->ended = tp->open;
	tp->open.goid = 0;
}

/* A P id from a trace line: 1 if it names a track, else 0. */
static int tw_p_ok(struct trace_w *w, long long p)
{
	if (p < 0 || p >= MAX_P)
		return 0;
	if (p >= w->nr_p)
		w->nr_p = p + 1;
	return 1;
}

/* An instant event: on P @p's track, or the whole process for no P. */
static void tw_instant(struct trace_w *w, const char *name, long long p,
		       long long ts)
{
	int on_p = tw_p_ok(w, p);

	tw_event(w, "i", name, TRACE_PS_PID, on_p ? p + 1 : 0, ts);
	fprintf(w->f, ",\"s\":\"%s\",\"args\":{", on_p ? "t" : "p");
	w->instants++;
}

/* The value of KEY=... in a trace line's fields, or NULL. */
static const char *tfield(const char *args, const char *key)
{
	size_t n = strlen(key);
	const char *s;

	for (s = args; (s = strstr(s, key)); s += n)
		if ((s == args || s[-1] == ' ') && s[n] == '=')
			return s + n + 1;
	return NULL;
}

/* A number field: 0, or -1 if it is missing. */
static int tnum(const char *args, const char *key, long long *v)
{
	const char *s = tfield(args, key);
	char *end;

	if (!s)
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno || end == s ? -1 : 0;
}

/* A word field, copied into @buf; "" if it is missing. */
static void tword(const char *args, const char *key, char *buf, size_t len)
{
	const char *s = tfield(args, key);
	size_t n = 0;

	while (s && s[n] && s[n] != ' ' && n + 1 < len) {
		buf[n] = s[n];
		n++;
	}
	buf[n] = '\0';
}

/* gmp_go_create: "goid=2 parent=1 p=1 name=skynet fn=sky_fn [gmp]". */
static void tw_create(struct trace_w *w, const char *args, long long ts)
{
	const char *name = tfield(args, "name"), *fn = NULL, *s;
	long long goid, parent, p;
	struct trace_g *g;
	size_t n;

	if (tnum(args, "goid", &goid) || goid <= 0 ||
	    tnum(args, "parent", &parent) || tnum(args, "p", &p) || !name) {
		w->skipped++;
		return;
	}
	for (s = name; (s = strstr(s, " fn=")); s++)	/* the last one */
		fn = s;
	g = tw_g(w, goid, 1);
	if (!g || g->born)
		return;
	n = fn ? (size_t)(fn - name) : strlen(name);
	snprintf(g->name, sizeof(g->name), "%.*s", (int)n, name);
	snprintf(g->fn, sizeof(g->fn), "%s", fn ? fn + 4 : "");
	g->parent = parent;
	g->born = 1;
	tw_event(w, "b", tw_gname(goid, g), TRACE_GS_PID, 0, ts);
	fprintf(w->f,
		",\"cat\":\"goroutine\",\"id\":%lld,\"args\":{\"goid\":%lld,\"parent\":%lld,\"p\":%lld,\"fn\":",
		goid, goid, parent, p);
	json_str(w->f, g->fn);
	fputs("}}", w->f);
	w->lives++;
}

/* gmp_go_start: G @goid runs on P @p from @ts. */
static void tw_start(struct trace_w *w, long long goid, long long p,
		     long long ts, int cpu)
{
	struct trace_p *tp;
	struct trace_g *g;

	if (goid <= 0 || !tw_p_ok(w, p)) {
		w->skipped++;
		return;
	}
	tw_close(w, p, ts, NULL);
	g = tw_g(w, goid, 1);
	if (!g)
		return;
	if (g->on_p >= 0)	/* still shown on another P: it left it */
		tw_close(w, g->on_p, ts, "started on another P");
	tp = &w->ps[p];
	tp->open.goid = goid;
	tp->open.start = ts < tp->last_end ? tp->last_end : ts;
	tp->open.cpu = cpu;
	g->on_p = p;
}

/*
 * park, yield, preempt, exit: G @goid, last on P @p, stops running at
 * @ts, or stopped when the next G on @p started.
 */
static void tw_stop(struct trace_w *w, long long goid, long long p,
		    long long ts, const char *why)
{
	struct trace_g *g = tw_g(w, goid, 0);
	struct trace_run *r;

	if (g && g->on_p >= 0) {
		tw_close(w, g->on_p, ts, why);
		return;
	}
	if (p < 0 || p >= MAX_P)
		return;
	r = &w->ps[p].ended;
	if (r->goid == (__u64)goid) {
		tw_slice(w, p, r, why);
		r->goid = 0;
	}
}

static void tw_exit(struct trace_w *w, long long goid, long long p,
		    long long ts)
{
	struct trace_g *g = tw_g(w, goid, 0);

	tw_stop(w, goid, p, ts, "exit");
	if (!g)
		return;
	if (g->born) {
		tw_event(w, "e", tw_gname(goid, g), TRACE_GS_PID, 0, ts);
		fprintf(w->f, ",\"cat\":\"goroutine\",\"id\":%lld}", goid);
	}
	ht_del(&w->gs, &g->h);
	free(g);
}

/* One gmp event at @ts (us since t0), recorded on @cpu. */
static void tw_gmp(struct trace_w *w, const char *ev, const char *args,
		   long long ts, int cpu)
{
	long long goid = 0, p = -1, a, b, c;
	char word[32], why[48];

	if (!strcmp(ev, "gmp_go_create")) {
		tw_create(w, args, ts);
		return;
	}
	if (!strcmp(ev, "gmp_steal") || !strcmp(ev, "gmp_handoff")) {
		if (tnum(args, "p", &p) || !tw_p_ok(w, p)) {
			w->skipped++;
			return;
		}
		a = -1;
		b = -1;
		if (ev[4] == 's') {
			tnum(args, "victim", &a);
			tnum(args, "count", &b);
			tw_instant(w, "steal", p, ts);
			fprintf(w->f, "\"victim\":%lld,\"count\":%lld}}", a, b);
			return;
		}
		a = -1;
		b = -1;
		c = -1;
		tnum(args, "cpu", &a);
		tnum(args, "runq", &b);
		tnum(args, "globrunq", &c);
		tw_close(w, p, ts, "handoff");
		tw_instant(w, "handoff", p, ts);
		fprintf(w->f, "\"cpu\":%lld,\"runq\":%lld,\"globrunq\":%lld}}",
			a, b, c);
		return;
	}
	if (!strcmp(ev, "gmp_go_ready"))
		return;
	if (tnum(args, "goid", &goid) || tnum(args, "p", &p)) {
		w->skipped++;
		return;
	}
	if (!strcmp(ev, "gmp_go_start")) {
		tw_start(w, goid, p, ts, cpu);
	} else if (!strcmp(ev, "gmp_go_park")) {
		tword(args, "reason", word, sizeof(word));
		snprintf(why, sizeof(why), "park: %s", word);
		tw_stop(w, goid, p, ts, why);
	} else if (!strcmp(ev, "gmp_go_yield")) {
		tword(args, "why", word, sizeof(word));
		snprintf(why, sizeof(why), "yield: %s", word);
		tw_stop(w, goid, p, ts, why);
	} else if (!strcmp(ev, "gmp_preempt")) {
		tw_stop(w, goid, p, ts, "preempt");
		tw_instant(w, "preempt", p, ts);
		fprintf(w->f, "\"goid\":%lld}}", goid);
	} else if (!strcmp(ev, "gmp_go_exit")) {
		tw_exit(w, goid, p, ts);
	} else {
		w->skipped++;
	}
}

/* "1234.567890" (seconds) or "1234567" (a counter) as microseconds. */
static long long trace_ts(const char *s, const char *end)
{
	long long v = 0;
	int frac = -1;

	for (; s < end; s++) {
		if (*s == '.') {
			frac = 0;
		} else if (frac < 0) {
			v = v * 10 + (*s - '0');
		} else if (frac < 6) {
			v = v * 10 + (*s - '0');
			frac++;
		}
	}
	if (frac < 0)
		return v;
	for (; frac < 6; frac++)
		v *= 10;
	return v;
}

/*
 * One line of a tracefs `trace` file:
 *   "  gmp-m0-123  [001] d..2.  1234.567890: gmp_go_start: goid=2 p=1"
 * Comments, "##### CPU n buffer started" and markers only move the clock;
 * "CPU:n [LOST m EVENTS]" counts m lost.
 */
static void tw_line(struct trace_w *w, char *line)
{
	char *ev, *args, *ts, *s;
	long long t;
	int cpu = -1;

	line[strcspn(line, "\n")] = '\0';
	if (!line[0] || line[0] == '#')
		return;
	s = strstr(line, "[LOST ");
	if (!strncmp(line, "CPU:", 4) && s) {
		w->lost_lines += strtoull(s + 6, NULL, 10);
		return;
	}
	ev = strstr(line, ": gmp_");
	if (!ev)
		ev = strstr(line, ": tracing_mark_write:");
	for (ts = ev; ts && ts > line && (isdigit(ts[-1]) || ts[-1] == '.'); )
		ts--;
	if (!ev || ts == ev || ts == line || ts[-1] != ' ') {
		w->skipped++;
		return;
	}
	for (s = ts; s > line && *s != '['; s--)
		;
	if (*s == '[')
		cpu = atoi(s + 1);
	t = trace_ts(ts, ev);
	if (!w->have_t0) {
		w->t0 = t;
		w->have_t0 = 1;
	}
	t = t > w->t0 ? t - w->t0 : 0;
	if (t > w->t_end)
		w->t_end = t;
	ev += 2;
	args = strchr(ev, ':');
	if (!args) {
		w->skipped++;
		return;
	}
	*args++ = '\0';
	args += strspn(args, " ");
	if (strncmp(ev, "gmp_", 4))
		return;		/* a marker */
	tw_gmp(w, ev, args, t, cpu);
}

static void tw_meta(struct trace_w *w, const char *what, int pid,
		    long long tid, const char *name, long long sort)
{
	tw_event(w, "M", what, pid, tid, 0);
	fputs(",\"args\":{\"name\":", w->f);
	json_str(w->f, name);
	fputs("}}", w->f);
	tw_event(w, "M", tid ? "thread_sort_index" : "process_sort_index",
		 pid, tid, 0);
	fprintf(w->f, ",\"args\":{\"sort_index\":%lld}}", sort);
}

/* Convert the trace text in @in to JSON on w->f (the caller checks it). */
static void tw_convert(struct trace_w *w, FILE *in, const char *source)
{
	struct trace_g *g;
	struct hnode *n;
	char name[16];
	char *line = NULL;
	size_t cap = 0;
	size_t i;
	int p;

	fputs("{\"traceEvents\":[", w->f);
	while (getline(&line, &cap, in) > 0)
		tw_line(w, line);
	free(line);
	/* Clip what is still open to the end of the trace. */
	if (w->lost_lines > w->lost)
		w->lost = w->lost_lines;
	for (p = 0; p < w->nr_p; p++)
		tw_close(w, p, w->t_end, "end of trace");	/* flushes too */
	for (i = 0; i < w->gs.nb; i++) {
		for (n = w->gs.b[i]; n; n = n->next) {
			g = (struct trace_g *)n;
			if (!g->born)
				continue;
			tw_event(w, "e", tw_gname(n->key, g), TRACE_GS_PID, 0,
				 w->t_end);
			fprintf(w->f,
				",\"cat\":\"goroutine\",\"id\":%llu,\"args\":{\"alive_at_end\":true}}",
				(unsigned long long)n->key);
		}
	}
	tw_meta(w, "process_name", TRACE_PS_PID, 0, "gmp Ps", 1);
	for (p = 0; p < w->nr_p; p++) {
		snprintf(name, sizeof(name), "P%d", p);
		tw_meta(w, "thread_name", TRACE_PS_PID, p + 1, name, p);
	}
	tw_meta(w, "process_name", TRACE_GS_PID, 0, "gmp goroutines", 2);
	fputs("\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"source\":", w->f);
	json_str(w->f, source);
	fprintf(w->f,
		",\"clock\":\"mono\",\"t0_us\":%lld,\"duration_us\":%lld,\"lost_events\":%llu}}\n",
		w->t0, w->t_end, w->lost);
	ht_free(&w->gs);
}

/* ---- trace: recording through a tracefs instance ---------------------- */

/* Write @val to @dir/@file: 0, or -1 after saying why. */
static int tfs_write(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "gmpctl: trace: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = write(fd, val, strlen(val));
	if (n != (ssize_t)strlen(val)) {
		fprintf(stderr, "gmpctl: trace: writing '%s' to %s: %s\n", val,
			path, n < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int is_dir(const char *fmt, const char *a, const char *b)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), fmt, a, b);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The mounted tracefs with gmp's events: its path, or NULL after saying why. */
static const char *tracefs_find(void)
{
	const char *tfs = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tracefs_dirs) && !tfs; i++)
		if (is_dir("%s/%s", tracefs_dirs[i], "instances"))
			tfs = tracefs_dirs[i];
	if (!tfs) {
		fprintf(stderr,
			"gmpctl: trace: no tracefs at %s or %s\n"
			"        mount it: mount -t tracefs nodev %s (the kernel needs CONFIG_TRACING)\n",
			tracefs_dirs[0], tracefs_dirs[1], tracefs_dirs[0]);
		return NULL;
	}
	if (!is_dir("%s/%s", tfs, "events/gmp")) {
		fprintf(stderr,
			"gmpctl: trace: no gmp events in %s/events/: the loaded gmp module\n"
			"        has no tracepoints (a kernel without CONFIG_TRACEPOINTS?)\n",
			tfs);
		return NULL;
	}
	return tfs;
}

/* Events the instance's ring buffers overwrote or dropped. */
static unsigned long long tfs_lost(const char *inst)
{
	unsigned long long lost = 0;
	char path[PATH_MAX], line[128];
	struct dirent *de;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "%s/per_cpu", inst);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "cpu", 3))
			continue;
		snprintf(path, sizeof(path), "%s/per_cpu/%s/stats", inst,
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "overrun:", 8) ||
			    !strncmp(line, "dropped events:", 15))
				lost += strtoull(strchr(line, ':') + 1, NULL, 10);
		fclose(f);
	}
	closedir(d);
	return lost;
}

/* Sleep @ns, or until one of the signals in @set (blocked) arrives. */
static void trace_sleep(__u64 ns, const sigset_t *set)
{
	__u64 end = now_ns() + ns, t;
	struct timespec ts;
	int sig = -1;

	while (sig < 0 && (t = now_ns()) < end) {
		ts.tv_sec = (end - t) / 1000000000ULL;
		ts.tv_nsec = (end - t) % 1000000000ULL;
		sig = sigtimedwait(set, NULL, &ts);
		if (sig < 0 && errno != EAGAIN && errno != EINTR)
			break;
	}
	if (sig > 0)
		fprintf(stderr, "gmpctl: trace: stopped early by %s\n",
			strsignal(sig));
}

/*
 * Record @ns of gmp events in a new instance @inst of @tfs and convert its
 * trace into @w: 0, or -1 after saying why.
 */
static int trace_record(struct trace_w *w, const char *tfs, char *inst,
			size_t len, __u64 ns, unsigned int buf_kb)
{
	char kb[24], path[PATH_MAX];
	int ret = -1;
	sigset_t set;
	FILE *in;

	/*
	 * SIGINT, SIGTERM and SIGHUP end the recording early, and are blocked
	 * until gmpctl exits, so that none leaves the instance behind.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	snprintf(inst, len, "%s/instances/gmpctl-%d", tfs, (int)getpid());
	/* One left by a gmpctl that died with this pid is removed first. */
	if (mkdir(inst, 0700) && (errno != EEXIST || rmdir(inst) ||
				  mkdir(inst, 0700))) {
		fprintf(stderr, "gmpctl: trace: creating the tracefs instance %s: %s%s\n",
			inst, strerror(errno),
			errno == EACCES || errno == EPERM ? "\n        tracing needs root" : "");
		inst[0] = '\0';
		return -1;
	}
	snprintf(kb, sizeof(kb), "%u", buf_kb);
	if (tfs_write(inst, "tracing_on", "0") ||
	    tfs_write(inst, "trace_clock", "mono") ||
	    tfs_write(inst, "buffer_size_kb", kb) ||
	    tfs_write(inst, "options/overwrite", "0") ||
	    tfs_write(inst, "events/gmp/enable", "1") ||
	    tfs_write(inst, "tracing_on", "1"))
		return -1;
	tfs_write(inst, "trace_marker", "gmpctl trace: begin");
	trace_sleep(ns, &set);
	tfs_write(inst, "trace_marker", "gmpctl trace: end");
	if (tfs_write(inst, "tracing_on", "0") ||
	    tfs_write(inst, "events/gmp/enable", "0"))
		return -1;
	w->lost = tfs_lost(inst);
	snprintf(path, sizeof(path), "%s/trace", inst);
	in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "gmpctl: trace: %s: %s\n", path, strerror(errno));
		return -1;
	}
	tw_convert(w, in, "gmpctl trace");
	ret = 0;
	if (ferror(in)) {
		fprintf(stderr, "gmpctl: trace: reading %s: %s\n", path,
			strerror(errno));
		ret = -1;
	}
	fclose(in);
	return ret;
}

/* ---- trace --check: read a JSON trace back and check its structure ---- */

/* A minimal JSON reader over a buffer; @err is set at the first error. */
struct jp {
	const char *buf, *s, *end;
	const char *err;
	int depth;
};

static int jp_fail(struct jp *j, const char *err)
{
	if (!j->err)
		j->err = err;
	return -1;
}

static void jp_ws(struct jp *j)
{
	while (j->s < j->end && strchr(" \t\r\n", *j->s))
		j->s++;
}

/* Is the next token @c? If so, step over it. */
static int jp_eat(struct jp *j, char c)
{
	jp_ws(j);
	if (j->s < j->end && *j->s == c) {
		j->s++;
		return 1;
	}
	return 0;
}

static int jp_peek(struct jp *j)
{
	jp_ws(j);
	return j->s < j->end ? *j->s : -1;
}

/* A string, its text (cut to @len, non-ASCII as '?') in @out if not NULL. */
static int jp_string(struct jp *j, char *out, size_t len)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	size_t n = 0;
	int c, k;

	if (!jp_eat(j, '"'))
		return jp_fail(j, "a string expected");
	for (;;) {
		if (j->s >= j->end)
			return jp_fail(j, "unterminated string");
		c = (unsigned char)*j->s++;
		if (c == '"')
			break;
		if (c < 0x20)
			return jp_fail(j, "a control character in a string");
		if (c == '\\') {
			if (j->s >= j->end)
				return jp_fail(j, "unterminated string");
			c = *j->s++;
			if (c == 'u') {
				for (k = 0; k < 4; k++)
					if (j->s >= j->end || !isxdigit(*j->s++))
						return jp_fail(j, "a bad \\u escape");
				c = '?';
			} else {
				for (k = 0; esc[k] && esc[k] != c; k += 2)
					;
				if (!esc[k])
					return jp_fail(j, "a bad escape in a string");
				c = esc[k + 1];
			}
		}
		if (out && n + 1 < len)
			out[n++] = c < 0x80 ? c : '?';
	}
	if (out)
		out[n] = '\0';
	return 0;
}

/* A number, as JSON spells them; its value in *@v if not NULL. */
static int jp_number(struct jp *j, double *v, char *text, size_t len)
{
	const char *s;
	char buf[64];
	size_t n;

	jp_ws(j);
	s = j->s;
	if (j->s < j->end && *j->s == '-')
		j->s++;
	if (j->s < j->end && *j->s == '0') {
		j->s++;
	} else if (j->s < j->end && isdigit(*j->s)) {
		while (j->s < j->end && isdigit(*j->s))
			j->s++;
	} else {
		return jp_fail(j, "a number expected");
	}
	if (j->s < j->end && *j->s == '.') {
		j->s++;
		if (j->s >= j->end || !isdigit(*j->s))
			return jp_fail(j, "a digit expected after '.'");
		while (j->s < j->end && isdigit(*j->s))
			j->s++;
	}
	if (j->s < j->end && (*j->s == 'e' || *j->s == 'E')) {
		j->s++;
		if (j->s < j->end && (*j->s == '+' || *j->s == '-'))
			j->s++;
		if (j->s >= j->end || !isdigit(*j->s))
			return jp_fail(j, "a digit expected in an exponent");
		while (j->s < j->end && isdigit(*j->s))
			j->s++;
	}
	n = j->s - s;
	if (n >= sizeof(buf))
		return jp_fail(j, "a number too long");
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (v)
		*v = strtod(buf, NULL);
	if (text)
		snprintf(text, len, "%s", buf);
	return 0;
}

/* Any value, checked and skipped. */
static int jp_skip(struct jp *j)
{
	static const char * const words[] = { "true", "false", "null" };
	unsigned int i;
	int c = jp_peek(j), ret = 0;

	if (c == '"')
		return jp_string(j, NULL, 0);
	if (c == '{' || c == '[') {
		if (++j->depth > 64)
			return jp_fail(j, "nested too deeply");
		j->s++;
		if (!jp_eat(j, c == '{' ? '}' : ']')) {
			do {
				if (c == '{' && (jp_string(j, NULL, 0) ||
						 !jp_eat(j, ':')))
					return jp_fail(j, "a \"key\": expected");
				if (jp_skip(j))
					return -1;
			} while (jp_eat(j, ','));
			if (!jp_eat(j, c == '{' ? '}' : ']'))
				ret = jp_fail(j, c == '{' ? "',' or '}' expected" :
						  "',' or ']' expected");
		}
		j->depth--;
		return ret;
	}
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if ((size_t)(j->end - j->s) >= strlen(words[i]) &&
		    !strncmp(j->s, words[i], strlen(words[i]))) {
			j->s += strlen(words[i]);
			return 0;
		}
	}
	return jp_number(j, NULL, NULL, 0);
}

/* An event's members that the check reads; the rest are only parsed. */
struct jev {
	char ph[8], name[TRACE_STR_LEN], cat[TRACE_STR_LEN], s[8];
	char id[TRACE_STR_LEN], arg_name[TRACE_STR_LEN];
	double ts, dur, pid, tid;
	int has_ph, has_name, has_cat, has_s, has_id, has_arg_name;
	int has_ts, has_dur, has_pid, has_tid;
};

/* args: its "name", if a string, into ev->arg_name. */
static int jp_args(struct jp *j, struct jev *ev)
{
	char key[TRACE_STR_LEN];

	if (jp_peek(j) != '{')
		return jp_skip(j);
	j->s++;
	if (jp_eat(j, '}'))
		return 0;
	do {
		if (jp_string(j, key, sizeof(key)) || !jp_eat(j, ':'))
			return jp_fail(j, "a \"key\": expected");
		if (!strcmp(key, "name") && jp_peek(j) == '"') {
			if (jp_string(j, ev->arg_name, sizeof(ev->arg_name)))
				return -1;
			ev->has_arg_name = 1;
		} else if (jp_skip(j)) {
			return -1;
		}
	} while (jp_eat(j, ','));
	return jp_eat(j, '}') ? 0 : jp_fail(j, "',' or '}' expected");
}

/* A string member into @out, of @len: it must be a string. */
static int jp_str_member(struct jp *j, char *out, size_t len, int *has)
{
	*has = 1;
	if (jp_peek(j) != '"')
		return jp_fail(j, "ph, name, cat and s must be strings");
	return jp_string(j, out, len);
}

static int jp_num_member(struct jp *j, double *v, int *has)
{
	*has = 1;
	return jp_number(j, v, NULL, 0);
}

static int jp_member(struct jp *j, const char *key, struct jev *ev)
{
	if (!strcmp(key, "ph"))
		return jp_str_member(j, ev->ph, sizeof(ev->ph), &ev->has_ph);
	if (!strcmp(key, "name"))
		return jp_str_member(j, ev->name, sizeof(ev->name), &ev->has_name);
	if (!strcmp(key, "cat"))
		return jp_str_member(j, ev->cat, sizeof(ev->cat), &ev->has_cat);
	if (!strcmp(key, "s"))
		return jp_str_member(j, ev->s, sizeof(ev->s), &ev->has_s);
	if (!strcmp(key, "ts"))
		return jp_num_member(j, &ev->ts, &ev->has_ts);
	if (!strcmp(key, "dur"))
		return jp_num_member(j, &ev->dur, &ev->has_dur);
	if (!strcmp(key, "pid"))
		return jp_num_member(j, &ev->pid, &ev->has_pid);
	if (!strcmp(key, "tid"))
		return jp_num_member(j, &ev->tid, &ev->has_tid);
	if (!strcmp(key, "args"))
		return jp_args(j, ev);
	if (!strcmp(key, "id")) {
		ev->has_id = 1;
		if (jp_peek(j) == '"')
			return jp_string(j, ev->id, sizeof(ev->id));
		return jp_number(j, NULL, ev->id, sizeof(ev->id));
	}
	return jp_skip(j);
}

/* A track of X slices, (pid, tid): the ends of the slices open on it. */
struct jtrack {
	struct hnode h;			/* key: pid << 32 | tid */
	double last_ts;
	double *ends;			/* a stack: enclosing slices' ends */
	size_t depth, cap;
	unsigned long slices;
	int named;			/* it has a thread_name */
};

/* An async b/e key (cat, id, name) and how many are open. */
struct jasync {
	struct hnode h;			/* key: a hash of @key */
	long open;
	double last_b;
	char key[];
};

/* A process named by a process_name event. */
struct jproc {
	struct hnode h;			/* key: pid */
	char name[TRACE_STR_LEN];
};

/**
 * struct jcheck - what --check has learnt so far
 * @tracks:	X tracks by (pid, tid)
 * @async:	b/e keys by hash
 * @procs:	named processes
 * @names:	(pid, tid) of the thread_name events
 * @errs:	problems found
 */
struct jcheck {
	const char *file;
	struct htab tracks, async, procs, names;
	unsigned long events, slices, lives, instants, errs;
};

static void jc_err(struct jcheck *c, unsigned long ev, const char *fmt, ...)
{
	va_list ap;

	if (++c->errs > TRACE_MAX_ERRS)
		return;
	fprintf(stderr, "gmpctl: trace --check: %s: event %lu: ", c->file, ev);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static __u64 jc_tkey(const struct jev *ev)
{
	return (__u64)(long long)ev->pid << 32 ^ (__u32)(long long)ev->tid;
}

static __u64 fnv1a(const char *s)
{
	__u64 h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* Find, or add, a node of @size for @key in @h; NULL without memory. */
static struct hnode *jc_node(struct htab *h, __u64 key, size_t size)
{
	struct hnode *n = ht_find(h, key);

	if (n)
		return n;
	n = calloc(1, size);
	if (!n)
		return NULL;
	n->key = key;
	if (ht_add(h, n)) {
		free(n);
		return NULL;
	}
	return n;
}

/* An X slice: in time order on its track, and nested exactly. */
static void jc_slice(struct jcheck *c, unsigned long k, const struct jev *ev)
{
	struct jtrack *t = (struct jtrack *)jc_node(&c->tracks, jc_tkey(ev),
						    sizeof(*t));
	double end = ev->ts + ev->dur, *ends;

	if (!t)
		return jc_err(c, k, "out of memory");
	c->slices++;
	if (t->slices++ && ev->ts < t->last_ts)
		jc_err(c, k, "X slice at ts %.3f before the previous one on its track (%.3f)",
		       ev->ts, t->last_ts);
	t->last_ts = ev->ts;
	while (t->depth && t->ends[t->depth - 1] <= ev->ts)
		t->depth--;
	if (t->depth && end > t->ends[t->depth - 1])
		jc_err(c, k, "X slice %.3f+%.3f overlaps one that ends at %.3f on pid %.0f tid %.0f",
		       ev->ts, ev->dur, t->ends[t->depth - 1], ev->pid, ev->tid);
	if (t->depth == t->cap) {
		ends = realloc(t->ends, (t->cap * 2 + 8) * sizeof(*ends));
		if (!ends)
			return jc_err(c, k, "out of memory");
		t->ends = ends;
		t->cap = t->cap * 2 + 8;
	}
	t->ends[t->depth++] = end;
}

/* b and e: every e ends an open b with the same cat, id and name. */
static void jc_async(struct jcheck *c, unsigned long k, const struct jev *ev)
{
	char key[3 * TRACE_STR_LEN + 4];
	struct jasync *a;
	struct hnode *n;
	__u64 h;

	snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", ev->cat, ev->id, ev->name);
	h = fnv1a(key);
	a = NULL;
	if (c->async.nb)
		for (n = c->async.b[ht_idx(c->async.nb, h)]; n && !a; n = n->next)
			if (n->key == h && !strcmp(((struct jasync *)n)->key, key))
				a = (struct jasync *)n;
	if (!a) {
		a = calloc(1, sizeof(*a) + strlen(key) + 1);
		if (!a)
			return jc_err(c, k, "out of memory");
		a->h.key = h;
		strcpy(a->key, key);
		if (ht_add(&c->async, &a->h)) {
			free(a);
			return jc_err(c, k, "out of memory");
		}
	}
	if (ev->ph[0] == 'b') {
		a->open++;
		a->last_b = ev->ts;
		c->lives++;
		return;
	}
	if (!a->open)
		return jc_err(c, k, "'e' of \"%s\" id %s without an open 'b'",
			      ev->name, ev->id);
	if (a->open == 1 && ev->ts < a->last_b)
		jc_err(c, k, "'e' of \"%s\" id %s before its 'b'", ev->name, ev->id);
	a->open--;
}

static void jc_meta(struct jcheck *c, unsigned long k, const struct jev *ev)
{
	struct jproc *p;

	if (strcmp(ev->name, "process_name") && strcmp(ev->name, "thread_name"))
		return;
	if (!ev->has_arg_name)
		return jc_err(c, k, "%s without args.name", ev->name);
	if (ev->name[0] == 't') {
		if (!jc_node(&c->names, jc_tkey(ev), sizeof(struct hnode)))
			jc_err(c, k, "out of memory");
		return;
	}
	p = (struct jproc *)jc_node(&c->procs, (__u64)(long long)ev->pid,
				    sizeof(*p));
	if (!p)
		return jc_err(c, k, "out of memory");
	snprintf(p->name, sizeof(p->name), "%s", ev->arg_name);
}

/* One event of traceEvents: its members, then what its kind needs. */
static void jc_event(struct jcheck *c, unsigned long k, const struct jev *ev)
{
	if (!ev->has_ph || strlen(ev->ph) != 1 ||
	    !strchr("BEXiIbenMCsftPOND", ev->ph[0]))
		return jc_err(c, k, "no ph, or an unknown one (\"%s\")", ev->ph);
	if (!ev->has_name || !ev->has_pid || !ev->has_tid || !ev->has_ts)
		return jc_err(c, k, "'%s' without one of name, pid, tid, ts",
			      ev->ph);
	switch (ev->ph[0]) {
	case 'X':
		if (!ev->has_dur || ev->dur < 0)
			return jc_err(c, k, "X slice without a dur >= 0");
		return jc_slice(c, k, ev);
	case 'b':
	case 'e':
		if (!ev->has_id || !ev->has_cat)
			return jc_err(c, k, "'%s' without id or cat", ev->ph);
		return jc_async(c, k, ev);
	case 'i':
	case 'I':
		c->instants++;
		if (ev->has_s && (strlen(ev->s) != 1 || !strchr("tpg", ev->s[0])))
			jc_err(c, k, "instant with scope \"%s\", not t, p or g", ev->s);
		return;
	case 'M':
		return jc_meta(c, k, ev);
	}
}

/* Parse @j as a trace: an object whose traceEvents array is checked. */
static int jc_parse(struct jcheck *c, struct jp *j)
{
	char key[TRACE_STR_LEN];
	int seen = 0;
	struct jev ev;

	if (!jp_eat(j, '{'))
		return jp_fail(j, "a JSON object expected");
	if (jp_eat(j, '}'))
		return jp_fail(j, "no traceEvents");
	do {
		if (jp_string(j, key, sizeof(key)) || !jp_eat(j, ':'))
			return jp_fail(j, "a \"key\": expected");
		if (strcmp(key, "traceEvents")) {
			if (jp_skip(j))
				return -1;
			continue;
		}
		seen = 1;
		if (!jp_eat(j, '['))
			return jp_fail(j, "traceEvents is not an array");
		if (jp_eat(j, ']'))
			continue;
		do {
			memset(&ev, 0, sizeof(ev));
			if (!jp_eat(j, '{'))
				return jp_fail(j, "an event object expected");
			if (!jp_eat(j, '}')) {
				do {
					if (jp_string(j, key, sizeof(key)) ||
					    !jp_eat(j, ':'))
						return jp_fail(j, "a \"key\": expected");
					if (jp_member(j, key, &ev))
						return -1;
				} while (jp_eat(j, ','));
				if (!jp_eat(j, '}'))
					return jp_fail(j, "',' or '}' expected");
			}
			jc_event(c, ++c->events, &ev);
		} while (jp_eat(j, ','));
		if (!jp_eat(j, ']'))
			return jp_fail(j, "',' or ']' expected");
	} while (jp_eat(j, ','));
	if (!jp_eat(j, '}'))
		return jp_fail(j, "',' or '}' expected");
	jp_ws(j);
	if (j->s != j->end)
		return jp_fail(j, "text after the JSON object");
	return seen ? 0 : jp_fail(j, "no traceEvents");
}

/* After the events: unbalanced b/e, unnamed tracks, too few P tracks. */
static unsigned long jc_finish(struct jcheck *c, unsigned long min_tracks)
{
	unsigned long ptracks = 0;
	struct jtrack *t;
	struct jasync *a;
	struct jproc *p;
	struct hnode *n;
	size_t i;

	for (i = 0; i < c->async.nb; i++) {
		for (n = c->async.b[i]; n; n = n->next) {
			a = (struct jasync *)n;
			if (a->open)
				jc_err(c, c->events, "%ld 'b' of %s left without an 'e'",
				       a->open, strrchr(a->key, '\x1f') + 1);
		}
	}
	for (i = 0; i < c->tracks.nb; i++) {
		for (n = c->tracks.b[i]; n; n = n->next) {
			t = (struct jtrack *)n;
			if (!ht_find(&c->names, n->key))
				jc_err(c, c->events, "a track with X slices but no thread_name (pid %lld tid %lld)",
				       (long long)n->key >> 32, (long long)(__u32)n->key);
			p = (struct jproc *)ht_find(&c->procs, (__u64)((long long)n->key >> 32));
			if (p && !strcmp(p->name, "gmp Ps") && t->slices)
				ptracks++;
			free(t->ends);
		}
	}
	if (ptracks < min_tracks)
		jc_err(c, c->events, "X slices on %lu P tracks (process \"gmp Ps\"), at least %lu wanted",
		       ptracks, min_tracks);
	return ptracks;
}

/* --check FILE: 0 when it is a well-formed trace, 1 when not. */
static int trace_check(const char *file, unsigned long min_tracks)
{
	struct jcheck c = { .file = file };
	unsigned long line = 1, col = 1, ptracks;
	struct jp j = { 0 };
	const char *s;
	void *buf;
	ssize_t len;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "gmpctl: trace --check: %s: %s\n", file, strerror(errno));
		return 1;
	}
	len = read_all(fd, &buf);
	close(fd);
	if (len < 0) {
		fprintf(stderr, "gmpctl: trace --check: reading %s: %s\n", file,
			strerror(errno));
		return 1;
	}
	j.buf = buf;
	j.s = buf;
	j.end = j.s + len;
	if (jc_parse(&c, &j)) {
		for (s = j.buf; s < j.s; s++, col++) {
			if (*s == '\n') {
				line++;
				col = 0;
			}
		}
		fprintf(stderr, "gmpctl: trace --check: %s: not JSON: %s at line %lu, column %lu\n",
			file, j.err, line, col);
		free(buf);
		return 1;
	}
	free(buf);
	ptracks = jc_finish(&c, min_tracks);
	ht_free(&c.tracks);
	ht_free(&c.async);
	ht_free(&c.procs);
	ht_free(&c.names);
	if (c.errs > TRACE_MAX_ERRS)
		fprintf(stderr, "gmpctl: trace --check: %s: %lu more problems\n",
			file, c.errs - TRACE_MAX_ERRS);
	if (c.errs)
		return 1;
	printf("%s: ok: %lu events, %lu slices on %lu P tracks, ", file,
	       c.events, c.slices, ptracks);
	printf("%lu goroutine lifetimes (b/e balanced), %lu instants\n",
	       c.lives, c.instants);
	return 0;
}

/* ---- trace: the command ------------------------------------------------ */

/**
 * struct trace_opts - what `gmpctl trace` was asked to do
 * @ns:		--seconds, as ns
 * @out:	-o FILE; "-" is stdout
 * @from:	--from TRACE: convert this text instead of recording
 * @check:	--check FILE
 * @buf_kb:	--buffer-kb, per CPU; 0 for the default
 * @min_tracks:	--min-tracks, for --check
 */
struct trace_opts {
	__u64 ns;
	const char *out, *from, *check;
	__u64 buf_kb, min_tracks;
};

static int trace_parse(int argc, char **argv, struct trace_opts *to)
{
	const char *opt, *val;
	int i;

	for (i = 0; i < argc; i++) {
		opt = argv[i];
		if (i + 1 == argc)
			return usage_err("trace: %s needs a value", opt);
		val = argv[++i];
		if (!strcmp(opt, "--seconds")) {
			if (parse_seconds(val, &to->ns) || to->ns > 86400000000000ULL)
				return usage_err("trace: --seconds '%s': 0 < seconds <= 86400",
						 val);
		} else if (!strcmp(opt, "-o") || !strcmp(opt, "--output")) {
			to->out = val;
		} else if (!strcmp(opt, "--from")) {
			to->from = val;
		} else if (!strcmp(opt, "--check")) {
			to->check = val;
		} else if (!strcmp(opt, "--buffer-kb")) {
			if (parse_u64(val, &to->buf_kb) || to->buf_kb < 64 ||
			    to->buf_kb > 4194304)
				return usage_err("trace: --buffer-kb '%s': 64..4194304", val);
		} else if (!strcmp(opt, "--min-tracks")) {
			if (parse_u64(val, &to->min_tracks) || to->min_tracks > MAX_P)
				return usage_err("trace: --min-tracks '%s' is not a number",
						 val);
		} else {
			return usage_err("trace: unknown option '%s'", opt);
		}
	}
	if (to->check) {
		if (to->out || to->from || to->ns)
			return usage_err("trace: --check takes only --min-tracks");
		return 0;
	}
	if (!to->out)
		return usage_err("trace: -o FILE is required");
	if (!to->ns && !to->from)
		return usage_err("trace: --seconds N is required");
	return 0;
}

/* The Ps the module has, so that idle ones get a track too: 0 if unknown. */
static int trace_nr_p(void)
{
	static struct gmp_stats_p pp[MAX_P];
	struct gmp_stats st = {
		.size = sizeof(st),
		.percpu_ptr = (__u64)(unsigned long)pp,
		.percpu_cap = MAX_P,
		.percpu_size = sizeof(pp[0]),
	};
	int fd = gmp_open();	/* explains a missing module */
	int n = 0;

	if (!ioctl(fd, GMP_IOC_STATS, &st))
		n = st.nr_p;
	close(fd);
	return n;
}

static int cmd_trace(int argc, char **argv)
{
	struct trace_opts to = { .min_tracks = 1 };
	long ncpus = sysconf(_SC_NPROCESSORS_CONF);
	static struct trace_w w;
	const char *tfs = NULL;
	char inst[PATH_MAX] = "";
	int ret = 1, wr;
	FILE *in;

	if (trace_parse(argc, argv, &to))
		return 2;
	if (to.check)
		return trace_check(to.check, to.min_tracks);
	if (!to.buf_kb) {	/* 16 MiB per CPU, 128 MiB in all, 1 MiB at least */
		to.buf_kb = TRACE_BUFS_KB / (ncpus > 0 ? ncpus : 1);
		if (to.buf_kb > TRACE_BUF_KB)
			to.buf_kb = TRACE_BUF_KB;
		if (to.buf_kb < 1024)
			to.buf_kb = 1024;
	}
	if (!to.from) {
		w.nr_p = trace_nr_p();
		tfs = tracefs_find();
		if (!tfs)
			return 1;
	}
	w.f = strcmp(to.out, "-") ? fopen(to.out, "w") : stdout;
	if (!w.f) {
		fprintf(stderr, "gmpctl: trace: %s: %s\n", to.out, strerror(errno));
		return 1;
	}
	if (to.from) {
		in = fopen(to.from, "r");
		if (!in) {
			fprintf(stderr, "gmpctl: trace: %s: %s\n", to.from,
				strerror(errno));
			goto out;
		}
		tw_convert(&w, in, to.from);
		ret = ferror(in);
		if (ret)
			fprintf(stderr, "gmpctl: trace: reading %s: %s\n",
				to.from, strerror(errno));
		fclose(in);
	} else {
		ret = trace_record(&w, tfs, inst, sizeof(inst), to.ns, to.buf_kb) ? 1 : 0;
	}
out:
	wr = ferror(w.f);
	if ((w.f != stdout && fclose(w.f)) || (w.f == stdout && fflush(w.f)) || wr) {
		fprintf(stderr, "gmpctl: trace: writing %s: %s\n", to.out,
			strerror(errno));
		ret = 1;
	}
	if (inst[0] && rmdir(inst)) {
		fprintf(stderr, "gmpctl: trace: removing the tracefs instance %s: %s\n",
			inst, strerror(errno));
		ret = 1;
	}
	if (ret && w.f != stdout)
		unlink(to.out);
	if (ret)
		return 1;
	if (w.lost)
		fprintf(stderr,
			"gmpctl: trace: %llu events lost: the ring buffer was full (%llu KiB per CPU; see --buffer-kb)\n",
			w.lost, (unsigned long long)to.buf_kb);
	if (w.skipped)
		fprintf(stderr, "gmpctl: trace: %lu trace lines not understood, left out\n",
			w.skipped);
	fprintf(stderr,
		"gmpctl: trace: %s: %.3f s, %lu slices, %lu goroutine lifetimes, %lu instants, %d P tracks\n",
		to.out, w.t_end / 1e6, w.slices, w.lives, w.instants, w.nr_p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "version"))
		return cmd_version(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stats"))
		return cmd_stats(argc - 2, argv + 2);
	if (!strcmp(argv[1], "maxprocs"))
		return cmd_maxprocs(argc - 2, argv + 2);
	if (!strcmp(argv[1], "dump"))
		return cmd_dump();
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "top"))
		return cmd_top(argc - 2, argv + 2);
	if (!strcmp(argv[1], "trace"))
		return cmd_trace(argc - 2, argv + 2);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		print_usage(stdout);
		return 0;
	}
	fprintf(stderr, "gmpctl: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return 2;
}
