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
 * Exit status: 0 on success, 1 on a failed operation (for `run`: the job
 * did not succeed, or was cancelled at --timeout), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

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
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		print_usage(stdout);
		return 0;
	}
	fprintf(stderr, "gmpctl: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return 2;
}
