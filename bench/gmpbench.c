// SPDX-License-Identifier: GPL-2.0
/*
 * gmpbench - run gmp's job kinds through /dev/gmp as benchmarks.
 *
 *   gmpbench [options] KIND MODE [key=value]...
 *   gmpbench [options] park-mem MODE n=N [hold_ms=MS]
 *   gmpbench [options] stw
 *
 *   KIND     spawn skynet pingpong ring cpu sleep block chan fanout park
 *   MODE     goroutine | kthread | workqueue  (GMP_MODE_*, uapi/gmp.h)
 *   options  -r REPS (5)  -w WARMUPS (1)  --rep0 K (first rep's number)
 *            --row NAME (row name in the report)  --small
 *            (GMP_SUBMIT_SMALL_STACK)  -d DEVICE (/dev/gmp)
 *
 * A kind runs WARMUPS + REPS times as SUBMIT + WAIT; each repetition's
 * result is checked against the kind's closed form (uapi/gmp.h) and printed
 * as one JSON line on stdout with elapsed_ns, result, aux[] and "value",
 * the figure the report compares (ns per round trip, ns per goroutine,
 * p99 lateness, ...). A wrong result prints "ok":false, says why on
 * stderr, and the exit status is 1.
 *
 * park-mem measures what a parked goroutine (or, in kthread mode, a
 * sleeping kthread) costs: /proc/meminfo before the PARK job and while its
 * n goroutines hold. The figure ("value") is the growth of Slab +
 * VmallocUsed + PageTables divided by n: G structs and vmalloc metadata
 * are slab objects, goroutine stacks (and, with CONFIG_VMAP_STACK,
 * kthread stacks) are vmalloc pages. KernelStack is printed but not added:
 * with VMAP_STACK it is part of VmallocUsed. The drop of MemFree per
 * goroutine is printed beside it as a cross-check; it is the noisier of
 * the two, as pages move between the per-CPU lists and the free count.
 * Run it on a freshly loaded module: dead goroutines keep their stacks on
 * free lists, so a second run reuses them and shows almost nothing. One
 * repetition, no warm-up, per call.
 *
 * stw asks for GOMAXPROCS 1 and max(2, CPUs) in turn and reports the
 * stop-the-world pause the module recorded (gmp_stats.stw_last_ns); with
 * one CPU the module can only run one P, so it resizes 1 -> 1, still with
 * a full stop-the-world.
 *
 * Exit status: 0 when every repetition was right, 1 otherwise, 2 on bad
 * usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "uapi/gmp.h"

#define NPARAMS 4
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct kind {
	const char *name;
	unsigned int kind;		/* GMP_JOB_* */
	const char *param[NPARAMS];
	__u64 def[NPARAMS];		/* the module's defaults */
	const char *unit;
	/* NULL if @w is right, else why not */
	const char *(*check)(const __u64 *p, const struct gmp_job_wait *w);
	/* the figure the report compares */
	double (*value)(const __u64 *p, const struct gmp_job_wait *w);
};

struct opts {
	int reps;
	int warmups;
	int rep0;
	const char *row;
	const char *dev;
	__u64 flags;
};

static char why[256];

static const char *fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return why;
}

static unsigned long long u(__u64 v)
{
	return v;
}

/* Goroutines in the skynet tree of @size, split as sky_spawn() does. */
static __u64 skynet_count(__u64 size, __u64 branch)
{
	__u64 q = size / branch, r = size % branch, n, sub, c = 1;

	if (size <= 1)
		return 1;
	for (n = 0; n < branch; n++) {
		sub = q + (n < r);
		if (!sub)
			break;
		c += skynet_count(sub, branch);
	}
	return c;
}

/* ---- closed forms (uapi/gmp.h) ------------------------------------- */

static const char *
check_n(const __u64 *p, const struct gmp_job_wait *w)
{
	return w->result == p[0] ? NULL :
	       fail("result %llu, want %llu", u(w->result), u(p[0]));
}

static const char *
check_skynet(const __u64 *p, const struct gmp_job_wait *w)
{
	__u64 sum = p[0] * (p[0] - 1) / 2, n = skynet_count(p[0], p[1]);

	if (w->result != sum)
		return fail("sum %llu, want %llu", u(w->result), u(sum));
	if (w->aux[0] != n)
		return fail("goroutines %llu, want %llu", u(w->aux[0]), u(n));
	return NULL;
}

static const char *
check_ring(const __u64 *p, const struct gmp_job_wait *w)
{
	return w->result == p[0] * p[1] ? NULL :
	       fail("hops %llu, want %llu", u(w->result), u(p[0] * p[1]));
}

static const char *
check_sleep(const __u64 *p, const struct gmp_job_wait *w)
{
	if (w->result != p[0])
		return fail("result %llu, want %llu", u(w->result), u(p[0]));
	if (w->aux[0] > w->aux[1] || w->aux[1] > w->aux[2])
		return fail("p50 %llu > p99 %llu or > max %llu",
			    u(w->aux[0]), u(w->aux[1]), u(w->aux[2]));
	return NULL;
}

static const char *
check_block(const __u64 *p, const struct gmp_job_wait *w)
{
	(void)p;
	if (!w->result || !w->aux[0])
		return fail("units/s %llu, blocking calls %llu",
			    u(w->result), u(w->aux[0]));
	return NULL;
}

static const char *
check_chan(const __u64 *p, const struct gmp_job_wait *w)
{
	__u64 sum = p[2] * (p[2] + 1) / 2;

	if (w->result != sum || w->aux[0] != p[2])
		return fail("sum %llu of %llu values, want %llu of %llu",
			    u(w->result), u(w->aux[0]), u(sum), u(p[2]));
	return NULL;
}

static double v_elapsed(const __u64 *p, const struct gmp_job_wait *w)
{
	(void)p;
	return w->elapsed_ns;
}

static double v_per_n(const __u64 *p, const struct gmp_job_wait *w)
{
	return (double)w->elapsed_ns / p[0];
}

static double v_per_aux0(const __u64 *p, const struct gmp_job_wait *w)
{
	(void)p;
	return w->aux[0] ? (double)w->elapsed_ns / w->aux[0] : 0;
}

static double v_aux0(const __u64 *p, const struct gmp_job_wait *w)
{
	(void)p;
	return w->aux[0];
}

static double v_aux1(const __u64 *p, const struct gmp_job_wait *w)
{
	(void)p;
	return w->aux[1];
}

static double v_result(const __u64 *p, const struct gmp_job_wait *w)
{
	(void)p;
	return w->result;
}

static double v_per_hop(const __u64 *p, const struct gmp_job_wait *w)
{
	return (double)w->elapsed_ns / (p[0] * p[1]);
}

static double v_per_item(const __u64 *p, const struct gmp_job_wait *w)
{
	return (double)w->elapsed_ns / p[2];
}

static const struct kind kinds[] = {
	{ "spawn", GMP_JOB_SPAWN, { "n" }, { 1000 }, "ns/goroutine",
	  check_n, v_per_n },
	{ "skynet", GMP_JOB_SKYNET, { "size", "branch" }, { 1000000, 10 },
	  "ns/goroutine", check_skynet, v_per_aux0 },
	{ "pingpong", GMP_JOB_PINGPONG, { "iters" }, { 10000 },
	  "ns/roundtrip", check_n, v_aux0 },
	{ "ring", GMP_JOB_RING, { "n", "laps" }, { 100, 10 }, "ns/hop",
	  check_ring, v_per_hop },
	{ "cpu", GMP_JOB_CPU, { "n", "work" }, { 4, 100 }, "ns",
	  check_ring, v_elapsed },
	{ "sleep", GMP_JOB_SLEEP, { "n", "ns" }, { 100, 1000000 },
	  "ns p99 late", check_sleep, v_aux1 },
	{ "block", GMP_JOB_BLOCK, { "n", "duration_ms", "markers" },
	  { 4, 200, GMP_BLOCK_MIXED }, "units/s", check_block, v_result },
	{ "chan", GMP_JOB_CHAN, { "producers", "consumers", "items", "cap" },
	  { 4, 4, 100000, 0 }, "ns/item", check_chan, v_per_item },
	{ "fanout", GMP_JOB_FANOUT, { "n", "work" }, { 1000, 1 }, "ns",
	  check_n, v_elapsed },
	{ "park", GMP_JOB_PARK, { "n", "hold_ms" }, { 1000, 1000 }, "ns",
	  check_n, v_elapsed },
};

static const struct kind *kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(name, kinds[i].name))
			return &kinds[i];
	return NULL;
}

static const char *const mode_impl[GMP_MODE_NR] = {
	[GMP_MODE_GOROUTINE] = "gmp",
	[GMP_MODE_KTHREAD] = "kthread",
	[GMP_MODE_WORKQUEUE] = "workqueue",
};

static const char *const mode_name[GMP_MODE_NR] = {
	[GMP_MODE_GOROUTINE] = "goroutine",
	[GMP_MODE_KTHREAD] = "kthread",
	[GMP_MODE_WORKQUEUE] = "workqueue",
};

static void print_usage(void)
{
	size_t i;

	fprintf(stderr,
		"usage: gmpbench [-r REPS] [-w WARMUPS] [--rep0 K] [--row NAME] [--small]\n"
		"                [-d DEV] KIND MODE [key=value]...\n"
		"       gmpbench [...] park-mem MODE n=N [hold_ms=MS]\n"
		"       gmpbench [...] stw\n"
		"MODE: goroutine kthread workqueue\nKIND and its keys:\n");
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		int j;

		fprintf(stderr, "  %-9s", kinds[i].name);
		for (j = 0; j < NPARAMS && kinds[i].param[j]; j++)
			fprintf(stderr, " %s=%llu", kinds[i].param[j],
				u(kinds[i].def[j]));
		fputc('\n', stderr);
	}
	exit(2);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "gmpbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int gmp_open(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "gmpbench: %s: %s (is gmp.ko loaded? root?)\n",
			dev, strerror(errno));
		exit(1);
	}
	return fd;
}

static void gmp_stats_get(int fd, struct gmp_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	if (ioctl(fd, GMP_IOC_STATS, st))
		die("GMP_IOC_STATS");
}

static int mode_parse(const char *s)
{
	int m;

	for (m = 0; m < GMP_MODE_NR; m++)
		if (!strcmp(s, mode_name[m]))
			return m;
	fprintf(stderr, "gmpbench: unknown mode '%s'\n", s);
	print_usage();
	return -1;
}

/* key=value arguments into @p, over the kind's defaults. */
static void params_parse(const struct kind *k, __u64 *p, int argc,
			 char **argv)
{
	int i, j;

	memcpy(p, k->def, sizeof(k->def));
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '='), *end;
		size_t len = eq ? (size_t)(eq - argv[i]) : 0;

		for (j = 0; eq && j < NPARAMS && k->param[j]; j++)
			if (strlen(k->param[j]) == len &&
			    !strncmp(argv[i], k->param[j], len))
				break;
		if (!eq || j == NPARAMS || !k->param[j]) {
			fprintf(stderr, "gmpbench: %s takes no '%s'\n",
				k->name, argv[i]);
			print_usage();
		}
		errno = 0;
		p[j] = strtoull(eq + 1, &end, 0);
		if (errno || *end || end == eq + 1) {
			fprintf(stderr, "gmpbench: bad value '%s'\n", argv[i]);
			print_usage();
		}
	}
}

/* ---- output ----------------------------------------------------------- */

struct extra {
	const char *key;
	double val;
};

/* One JSON line: the fields the Go programs print, in the same order. */
static void json_line(const struct opts *o, const char *impl,
		      const char *workload, const struct kind *k,
		      const __u64 *p, int rep, const char *err,
		      const struct gmp_job_wait *w, double value,
		      const char *unit, const struct extra *ex, int nex)
{
	int i;

	printf("{\"impl\":\"%s\",\"row\":\"%s\",\"workload\":\"%s\",\"params\":{",
	       impl, o->row ? o->row : workload, workload);
	for (i = 0; k && i < NPARAMS && k->param[i]; i++)
		printf("%s\"%s\":%llu", i ? "," : "", k->param[i], u(p[i]));
	printf("},\"rep\":%d,\"ok\":%s,\"elapsed_ns\":%llu,\"result\":%llu,",
	       rep, err ? "false" : "true", u(w->elapsed_ns), u(w->result));
	printf("\"aux\":[%llu,%llu,%llu,%llu],\"tasks\":%llu,",
	       u(w->aux[0]), u(w->aux[1]), u(w->aux[2]), u(w->aux[3]),
	       u(w->goroutines));
	printf("\"value\":%.3f,\"unit\":\"%s\",\"small_stack\":%s,\"cpus\":%ld",
	       value, unit, o->flags & GMP_SUBMIT_SMALL_STACK ? "true" : "false",
	       sysconf(_SC_NPROCESSORS_ONLN));
	if (nex) {
		printf(",\"extra\":{");
		for (i = 0; i < nex; i++)
			printf("%s\"%s\":%.3f", i ? "," : "", ex[i].key,
			       ex[i].val);
		putchar('}');
	}
	if (err)
		printf(",\"error\":\"%s\"", err);
	printf("}\n");
	fflush(stdout);
}

/* ---- jobs ------------------------------------------------------------- */

static __u64 job_submit(int fd, const struct kind *k, int mode, __u64 flags,
			const __u64 *p)
{
	struct gmp_job_submit s;
	int i;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.flags = flags;
	s.kind = k->kind;
	s.mode = mode;
	for (i = 0; i < NPARAMS; i++)
		s.raw[i] = p[i];
	if (ioctl(fd, GMP_IOC_SUBMIT, &s)) {
		fprintf(stderr, "gmpbench: SUBMIT %s %s: %s\n", k->name,
			mode_name[mode], strerror(errno));
		exit(1);
	}
	return s.id;
}

/* WAIT for @id up to @timeout_ns; 0 when collected, else -errno. */
static int job_wait(int fd, __u64 id, __u64 timeout_ns,
		    struct gmp_job_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	w->id = id;
	w->timeout_ns = timeout_ns;
	while (ioctl(fd, GMP_IOC_WAIT, w)) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static void job_cancel(int fd, __u64 id)
{
	struct gmp_job_cancel c = { .size = sizeof(c), .id = id };

	if (ioctl(fd, GMP_IOC_CANCEL, &c))
		die("GMP_IOC_CANCEL");
}

/* One SUBMIT + WAIT; NULL if the result is right, else why not. */
static const char *job_run(int fd, const struct kind *k, int mode,
			   __u64 flags, const __u64 *p, struct gmp_job_wait *w)
{
	__u64 id = job_submit(fd, k, mode, flags, p);

	if (job_wait(fd, id, GMP_WAIT_FOREVER, w)) {
		fprintf(stderr, "gmpbench: WAIT: %s\n", strerror(errno));
		exit(1);
	}
	if (w->error)
		return fail("job error %lld (%s)", (long long)w->error,
			    strerror((int)-w->error));
	return k->check(p, w);
}

static int cmd_kind(const struct opts *o, const struct kind *k, int mode,
		    int argc, char **argv)
{
	struct gmp_job_wait w;
	__u64 p[NPARAMS];
	const char *err;
	int fd = gmp_open(o->dev), i, bad = 0;

	params_parse(k, p, argc, argv);
	for (i = 0; i < o->warmups + o->reps; i++) {
		err = job_run(fd, k, mode, o->flags, p, &w);
		if (err)
			fprintf(stderr, "gmpbench: FAIL %s %s %s: %s\n",
				k->name, mode_name[mode],
				i < o->warmups ? "warm-up" : "rep", err);
		bad |= !!err;
		if (i < o->warmups)
			continue;
		json_line(o, mode_impl[mode], k->name, k, p,
			  o->rep0 + i - o->warmups, err, &w,
			  err ? 0 : k->value(p, &w), k->unit, NULL, 0);
	}
	close(fd);
	return bad;
}

/* ---- park-mem --------------------------------------------------------- */

/* The /proc/meminfo lines park-mem reads, in kB. */
enum { MI_FREE, MI_SLAB, MI_SUNRECL, MI_KSTACK, MI_PGTBL, MI_VMALLOC, MI_NR };

static const char *const mi_name[MI_NR] = {
	"MemFree", "Slab", "SUnreclaim", "KernelStack", "PageTables",
	"VmallocUsed",
};

static void meminfo_read(long long *kb)
{
	char line[256], key[64];
	long long v;
	FILE *f = fopen("/proc/meminfo", "r");
	int i;

	if (!f)
		die("/proc/meminfo");
	for (i = 0; i < MI_NR; i++)
		kb[i] = -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %lld", key, &v) != 2)
			continue;
		for (i = 0; i < MI_NR; i++)
			if (!strcmp(key, mi_name[i]))
				kb[i] = v;
	}
	fclose(f);
}

/* Threads in the system: the 4th field of /proc/loadavg, "run/total". */
static long long nr_threads(void)
{
	long long run = 0, total = 0;
	FILE *f = fopen("/proc/loadavg", "r");

	if (!f || fscanf(f, "%*s %*s %*s %lld/%lld", &run, &total) != 2)
		die("/proc/loadavg");
	fclose(f);
	return total;
}

/* Tasks whose comm is @comm (the PARK baseline's kthreads: "gmp_park"). */
static long long nr_comm(const char *comm)
{
	char path[300], name[32];
	struct dirent *d;
	long long n = 0;
	DIR *dir = opendir("/proc");
	FILE *f;

	if (!dir)
		die("/proc");
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = 0;
			n += !strcmp(name, comm);
		}
		fclose(f);
	}
	closedir(dir);
	return n;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Wait until the system is quiet: no kthread of an earlier PARK job still
 * exiting and the thread count steady over a second, so that "before"
 * does not count what is about to be freed. Gives up after a minute.
 */
static void settle(void)
{
	long long prev = -1, cur;
	int steady = 0, i;

	for (i = 0; i < 200 && steady < 4; i++) {
		sleep_ms(300);
		cur = nr_threads();
		steady = cur == prev && !nr_comm("gmp_park") ? steady + 1 : 0;
		prev = cur;
	}
}

/*
 * Wait until the PARK job's n goroutines (kthreads) all exist: for
 * goroutines gmp_stats.goroutines_alive counts them (plus the root), for
 * kthreads the tasks named gmp_park. -1 if the job ended first.
 */
static int park_wait_alive(int fd, __u64 id, int mode, __u64 n,
			   __u64 alive0)
{
	struct gmp_job_wait w;
	struct gmp_stats st;

	for (;;) {
		if (mode == GMP_MODE_GOROUTINE) {
			gmp_stats_get(fd, &st);
			if (st.goroutines_alive >= alive0 + n + 1)
				return 0;
		} else if (nr_comm("gmp_park") >= (long long)n) {
			return 0;
		}
		if (job_wait(fd, id, 0, &w) != -ETIMEDOUT) {
			fprintf(stderr, "gmpbench: park job ended early: error %lld result %llu\n",
				(long long)w.error, u(w.result));
			return -1;
		}
		sleep_ms(mode == GMP_MODE_GOROUTINE ? 20 : 250);
	}
}

static int cmd_park_mem(const struct opts *o, int mode, int argc,
			char **argv)
{
	struct kind park = *kind_find("park");
	const struct kind *k = &park;
	long long before[MI_NR], during[MI_NR];
	struct gmp_stats st0, st1;
	struct extra ex[MI_NR + 3];
	struct gmp_job_wait w;
	const char *err = NULL;
	__u64 p[NPARAMS], id, t0, t_up;
	int fd = gmp_open(o->dev), i;
	double per;

	park.def[1] = 20000;		/* hold long enough to measure */
	params_parse(k, p, argc, argv);
	settle();
	gmp_stats_get(fd, &st0);
	meminfo_read(before);
	t0 = now_ns();
	id = job_submit(fd, k, mode, o->flags, p);
	if (park_wait_alive(fd, id, mode, p[0], st0.goroutines_alive))
		exit(1);
	t_up = now_ns() - t0;
	sleep_ms(200);			/* the last ones reach their wait */
	meminfo_read(during);
	gmp_stats_get(fd, &st1);
	job_cancel(fd, id);
	if (job_wait(fd, id, GMP_WAIT_FOREVER, &w))
		die("GMP_IOC_WAIT");
	/* Cancelled while parked, or (hold over) all woken. */
	if (w.error != -ECANCELED && (w.error || w.result != p[0]))
		err = fail("error %lld, result %llu", (long long)w.error,
			   u(w.result));
	for (i = 0; i < MI_NR; i++) {
		ex[i].key = mi_name[i];
		ex[i].val = (i == MI_FREE ? before[i] - during[i] :
			     during[i] - before[i]) * 1024.0 / p[0];
	}
	ex[i].key = "gmp_stack_bytes";
	ex[i++].val = ((double)st1.stack_bytes - st0.stack_bytes) / p[0];
	ex[i].key = "spawn_ms";
	ex[i++].val = t_up / 1e6;
	per = ex[MI_SLAB].val + ex[MI_VMALLOC].val + ex[MI_PGTBL].val;
	ex[i].key = "memfree_drop_mb";
	ex[i++].val = (before[MI_FREE] - during[MI_FREE]) / 1024.0;
	w.elapsed_ns = t_up;
	json_line(o, mode_impl[mode], "park-mem", k, p, o->rep0, err, &w,
		  err ? 0 : per, "B/goroutine", ex, i);
	if (err)
		fprintf(stderr, "gmpbench: FAIL park-mem: %s\n", err);
	close(fd);
	return !!err;
}

/* ---- stw -------------------------------------------------------------- */

static int cmd_stw(const struct opts *o)
{
	struct gmp_maxprocs mp = { .size = sizeof(mp) };
	struct gmp_job_wait w;
	struct gmp_stats st;
	struct extra ex[1];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	__u64 hi = cpus < 2 ? 2 : cpus, target = 0, want, t0;
	const char *err;
	int fd = gmp_open(o->dev), i, bad = 0;

	if (ioctl(fd, GMP_IOC_GET_MAXPROCS, &mp))
		die("GMP_IOC_GET_MAXPROCS");
	target = mp.maxprocs;
	for (i = 0; i < o->warmups + o->reps; i++) {
		/*
		 * Alternate even where the CPUs cap GOMAXPROCS at 1: the
		 * module still stops the world for 1 -> 1, as Go does for a
		 * real change.
		 */
		target = target == 1 ? hi : 1;
		want = target < (__u64)cpus ? target : (__u64)cpus;
		mp.size = sizeof(mp);
		mp.maxprocs = target;
		t0 = now_ns();
		if (ioctl(fd, GMP_IOC_SET_MAXPROCS, &mp))
			die("GMP_IOC_SET_MAXPROCS");
		ex[0].key = "ioctl_ns";
		ex[0].val = now_ns() - t0;
		gmp_stats_get(fd, &st);
		err = mp.maxprocs == want ? NULL :
		      fail("GOMAXPROCS %llu, want %llu", u(mp.maxprocs),
			   u(want));
		bad |= !!err;
		if (i < o->warmups)
			continue;
		memset(&w, 0, sizeof(w));
		w.elapsed_ns = st.stw_last_ns;
		w.result = mp.maxprocs;
		w.aux[0] = target;
		w.aux[1] = st.stw_count;
		json_line(o, "gmp", "stw", NULL, NULL, o->rep0 + i - o->warmups,
			  err, &w, st.stw_last_ns, "ns", ex, 1);
	}
	mp.size = sizeof(mp);
	mp.maxprocs = 0;		/* back to one P per CPU */
	if (ioctl(fd, GMP_IOC_SET_MAXPROCS, &mp))
		die("GMP_IOC_SET_MAXPROCS");
	close(fd);
	return bad;
}

/* ---- main ------------------------------------------------------------- */

static int opts_parse(int argc, char **argv, struct opts *o)
{
	int i;

	*o = (struct opts){ .reps = 5, .warmups = 1, .dev = "/dev/" GMP_DEVICE_NAME };
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--small")) {
			o->flags |= GMP_SUBMIT_SMALL_STACK;
			continue;
		}
		if (!v)
			print_usage();
		if (!strcmp(a, "-r"))
			o->reps = atoi(v);
		else if (!strcmp(a, "-w"))
			o->warmups = atoi(v);
		else if (!strcmp(a, "--rep0"))
			o->rep0 = atoi(v);
		else if (!strcmp(a, "--row"))
			o->row = v;
		else if (!strcmp(a, "-d"))
			o->dev = v;
		else
			print_usage();
		i++;
	}
	if (o->reps < 0 || o->warmups < 0)
		print_usage();
	return i;
}

int main(int argc, char **argv)
{
	const struct kind *k;
	struct opts o;
	int i = opts_parse(argc, argv, &o);

	if (i >= argc)
		print_usage();
	if (!strcmp(argv[i], "stw"))
		return cmd_stw(&o);
	if (i + 1 >= argc)
		print_usage();
	if (!strcmp(argv[i], "park-mem"))
		return cmd_park_mem(&o, mode_parse(argv[i + 1]), argc - i - 2,
				    argv + i + 2);
	k = kind_find(argv[i]);
	if (k)
		return cmd_kind(&o, k, mode_parse(argv[i + 1]), argc - i - 2,
				argv + i + 2);
	fprintf(stderr, "gmpbench: unknown kind '%s'\n", argv[i]);
	print_usage();
	return 2;
}
