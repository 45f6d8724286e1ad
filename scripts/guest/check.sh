# SPDX-License-Identifier: GPL-2.0
# The `make check` plan, run inside the VM by /init.
. /gmp/lib.sh
. /gmp/tracepoints.sh

bad_param_fails() {
	dmesg -c >/dev/null
	if insmod /gmp/gmp.ko "$1" 2>/dev/null; then
		rmmod gmp
		return 1
	fi
	! module_loaded && [ ! -e /dev/gmp ] && dmesg | grep -q "gmp: $2"
}

insmod_rmmod_cycles() {
	i=0
	while [ $i -lt "$1" ]; do
		insmod /gmp/gmp.ko || return 1
		[ -c /dev/gmp ] || return 1
		rmmod gmp || return 1
		i=$((i + 1))
	done
	! module_loaded
}

kmemleak_clear
# KUnit runs each case in a kthread while insmod waits uninterruptibly in
# one wait; the longest case (Go's TestMultiConsumer, 271,828 items) takes
# ~15 s under KASAN at SMP 4, so give the hung-task detector 120 s here.
[ -w /proc/sys/kernel/hung_task_timeout_secs ] &&
	echo 120 >/proc/sys/kernel/hung_task_timeout_secs
step bad_maxprocs_fails_insmod_with_message \
	bad_param_fails maxprocs=99999 "maxprocs=99999 is larger"
step bad_dev_mode_fails_insmod_with_message \
	bad_param_fails dev_mode=0777 "dev_mode=0777"

kunit_args=
has_kunit && kunit_args=run_kunit=1
suites=$(cat /gmp/kunit_suites 2>/dev/null)
[ -n "$kunit_args" ] && [ -n "$suites" ] && kunit_args="$kunit_args kunit_suites=$suites"
# shellcheck disable=SC2086
step module_loads insmod /gmp/gmp.ko $kunit_args
has_kunit && dump_kunit
run_selftests
step module_unloads rmmod gmp

# A separate driver module using only include/gmp.h: 100,000 goroutines
# that park and ready each other, then a clean unload of both.
# The debug kernel runs 20,000: KASAN makes each vmalloc'd stack slow.
example_driver() {
	n=100000
	has_kunit && n=20000
	insmod /gmp/gmp.ko || return 1
	insmod /gmp/gmp_ring.ko n=$n || { rmmod gmp; return 1; }
	dmesg | grep "gmp_ring: $n goroutines, $n handoffs" || return 1
	rmmod gmp 2>/dev/null && return 1	# in use by gmp_ring: refused
	rmmod gmp_ring && rmmod gmp
}
step example_driver_goroutines_park_ready_and_unload example_driver

# A module's goroutine pins it: rmmod is refused while the goroutine
# sleeps, and works once it has exited.
module_pin() {
	insmod /gmp/gmp.ko || return 1
	insmod /gmp/gmp_test_linger.ko linger_ms=3000 || return 1
	if rmmod gmp_test_linger 2>/dev/null; then
		rmmod gmp
		return 1
	fi
	sleep 5
	rmmod gmp_test_linger && rmmod gmp
}
step goroutine_pins_its_module_until_it_exits module_pin

# Observability: the goroutine dump shows a sleeping goroutine with its
# function and creator, schedtrace has Go's format, gmpctl's exit codes.
observability_checks() {
	d=/sys/kernel/debug/gmp
	insmod /gmp/gmp_test_linger.ko linger_ms=4000 || return 1
	i=0
	until grep -q "waiting, sleep, [0-9]*ms\]: *fn=gmp_test_linger_fn" $d/goroutines; do
		i=$((i + 1))
		[ $i -lt 20 ] || { echo "dump:"; cat $d/goroutines; return 1; }
		sleep 0.1
	done
	grep -Eq "^SCHED [0-9]+ms: gomaxprocs=[0-9]+ idleprocs=[0-9]+ threads=[0-9]+ spinningthreads=[0-9]+ idlethreads=[0-9]+ runqueue=[0-9]+ \[" \
		$d/schedtrace || { cat $d/schedtrace; return 1; }
	grep -q "^  M0: " $d/schedtrace_detail || { cat $d/schedtrace_detail; return 1; }
	/gmp/gmpctl stats --json | grep -q '"goroutines_alive": 1' ||
		{ /gmp/gmpctl stats --json; return 1; }
	/gmp/gmpctl bogus 2>/dev/null
	[ $? = 2 ] || return 1
	sleep 5
	dmesg | grep -q "gmp: SCHED: gomaxprocs=" || { echo "no periodic schedtrace"; return 1; }
	rmmod gmp_test_linger
}

observability() {
	insmod /gmp/gmp.ko schedtrace_ms=200 || return 1
	observability_checks
	rc=$?
	i=0
	while grep -q "^gmp_test_linger " /proc/modules && [ $i -lt 20 ]; do
		rmmod gmp_test_linger 2>/dev/null || sleep 0.5
		i=$((i + 1))
	done
	rmmod gmp || return 1
	/gmp/gmpctl stats 2>&1 | grep -q "module is not loaded" || return 1
	/gmp/gmpctl stats >/dev/null 2>&1
	[ $? = 1 ] && [ $rc = 0 ]
}
step observability_dump_schedtrace_gmpctl observability

# Tracepoints: every gmp event recorded through tracefs while jobs run;
# the trace must agree with itself and with the counters (tracepoints.sh).
tracepoints_step tracepoints_trace_every_transition_and_match_counters

# gmpctl trace: 3 s of the scheduler as a Chrome trace / Perfetto JSON
# timeline, recorded in a tracefs instance of its own while other
# processes' skynet and pingpong jobs run (started once it records: a new
# instance takes a while to set up under TCG, longer than these jobs).
# `gmpctl trace --check` must accept it: it parses, each P track's X
# slices are in time order and nest exactly, every b has its e, and there
# are slices on two P tracks or more (one at SMP 1) and goroutine
# lifetimes. The jobs must be right, the instance gone, the top-level
# tracer as it was, and a truncated file or a missing -o refused (exit 1,
# exit 2).
gmpctl_trace_run() {
	t=$TRACEFS
	clock0=$(cat $t/trace_clock)
	/gmp/gmpctl trace --seconds 3 -o /tmp/t.json 2>/tmp/gt-err &
	tr=$!
	gmpctl_trace_wait $tr ||
		{ wait $tr; cat /tmp/gt-err; echo "trace: it never recorded"; return 1; }
	/gmp/gmpctl run skynet --size 20000 >/tmp/gt-sky 2>&1 &
	sky=$!
	/gmp/gmpctl run pingpong --iters 20000 >/tmp/gt-pp 2>&1 &
	pp=$!
	wait $sky
	rs=$?
	wait $pp
	rp=$?
	wait $tr
	rc=$?
	cat /tmp/gt-sky /tmp/gt-pp /tmp/gt-err
	[ $rc = 0 ] || { echo "trace: gmpctl trace exited $rc"; return 1; }
	[ $rs = 0 ] && [ $rp = 0 ] && grep -q "result=199990000" /tmp/gt-sky ||
		{ echo "trace: a job failed"; return 1; }
	if ls -d $t/instances/gmpctl-* 2>/dev/null; then
		echo "trace: tracefs instance left behind"
		return 1
	fi
	[ "$(cat $t/trace_clock)" = "$clock0" ] && [ "$(cat $t/events/gmp/enable)" = 0 ] ||
		{ echo "trace: the top-level tracer was changed"; return 1; }
	min=1
	[ "$(nproc)" -ge 2 ] && min=2
	out=$(/gmp/gmpctl trace --check /tmp/t.json --min-tracks $min) ||
		{ echo "$out"; return 1; }
	echo "$out"
	lives=$(echo "$out" | sed -n 's/.* \([0-9]*\) goroutine lifetimes.*/\1/p')
	[ "${lives:-0}" -gt 0 ] || { echo "trace: no goroutine lifetimes"; return 1; }
	head -c 4096 /tmp/t.json >/tmp/t-cut.json
	/gmp/gmpctl trace --check /tmp/t-cut.json 2>/dev/null
	[ $? = 1 ] || { echo "trace: a truncated file passed --check"; return 1; }
	/gmp/gmpctl trace --seconds 1 2>/dev/null
	[ $? = 2 ] || { echo "trace: no -o is not a usage error"; return 1; }
	rm -f /tmp/t.json /tmp/t-cut.json
}

gmpctl_trace() {
	insmod /gmp/gmp.ko || return 1
	gmpctl_trace_run
	rc=$?
	i=0
	until rmmod gmp 2>/dev/null; do	# the jobs' last goroutines may linger
		i=$((i + 1))
		[ $i -lt 50 ] || return 1
		sleep 0.2
	done
	return $rc
}

# SKIP on a kernel without tracefs events, or whose gmp has none.
gmpctl_trace_step() {
	missing=$(trace_missing)
	if [ -z "$missing" ] && insmod /gmp/gmp.ko; then
		[ -d $TRACEFS/events/gmp ] ||
			missing="no gmp events in $TRACEFS/events (CONFIG_TRACEPOINTS is not set)"
		rmmod gmp
	fi
	if [ -n "$missing" ]; then
		step_skip "$1" "$missing"
	else
		step "$1" gmpctl_trace
	fi
}
gmpctl_trace_step gmpctl_trace_timeline_valid

# CPU hotplug through sysfs while goroutines run: the example driver's
# ring runs in the background while the last CPU goes off and on line.
hotplug_sysfs() {
	cpu=$(($(nproc) - 1))
	online=/sys/devices/system/cpu/cpu$cpu/online
	[ "$cpu" -ge 1 ] && [ -w "$online" ] || return 0
	n=20000
	insmod /gmp/gmp.ko || return 1
	insmod /gmp/gmp_ring.ko n=$n &
	pid=$!
	sleep 1
	echo 0 >"$online" || return 1
	sleep 1
	echo 1 >"$online" || return 1
	wait $pid || return 1
	dmesg | grep -q "gmp_ring: $n goroutines, $n handoffs" || return 1
	rmmod gmp_ring && rmmod gmp
}
step cpu_hotplug_via_sysfs_while_goroutines_run hotplug_sysfs

# A job's work items pin the module: kill -9 the submitter of a
# workqueue-mode sleep job whose delayed works still wait for their
# timers; rmmod is refused until the last has run, then works, and
# nothing of the module's runs afterwards (a late timer would oops).
delayed_work_pins_module() {
	insmod /gmp/gmp.ko || return 1
	/gmp/gmpctl run sleep --n 100 --ns 3000000000 --mode workqueue \
		>/dev/null 2>&1 &
	pid=$!
	sleep 1
	kill -9 $pid
	wait $pid 2>/dev/null
	if rmmod gmp 2>/dev/null; then
		echo "rmmod succeeded with delayed works pending"
		sleep 5
		return 1
	fi
	i=0
	until rmmod gmp 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.2
	done
	sleep 5
	! module_loaded
}
step pending_delayed_work_keeps_module_until_it_ran delayed_work_pins_module

# Slab and vmalloc memory in kB, to compare before load and after unload.
mem_kb() {
	awk '/^(Slab|VmallocUsed):/ { s += $2 } END { print s }' /proc/meminfo
}

# Soak: random jobs of every kind from several processes, cancellations,
# SIGKILLed submitters, GOMAXPROCS changes and CPU hotplug (gmp_soak),
# then unload and load cycles; memory must return to where it was.
soak() {
	secs=60
	has_kunit && secs=30	# the debug kernels are several times slower
	sync
	echo 3 >/proc/sys/vm/drop_caches
	before=$(mem_kb)
	insmod /gmp/gmp.ko || return 1
	/gmp/gmp_soak "$secs"
	rc=$?
	i=0
	until rmmod gmp 2>/dev/null; do	# cancelled jobs may still unwind
		i=$((i + 1))
		[ $i -lt 50 ] || return 1
		sleep 0.2
	done
	insmod_rmmod_cycles 5 || return 1
	sync
	echo 3 >/proc/sys/vm/drop_caches
	after=$(mem_kb)
	echo "soak memory: slab+vmalloc ${before} kB before load, ${after} kB after unload"
	[ $rc = 0 ] && [ $((after - before)) -lt 2048 ]
}
[ -x /gmp/gmp_soak ] && step soak_jobs_chaos_then_memory_back_to_baseline soak
step insmod_rmmod_20_times insmod_rmmod_cycles 20
kmemleak_report

