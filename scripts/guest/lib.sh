# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest plans. Results protocol on the results port:
#   @@gmp step ok|fail NAME [detail]     one scripted check
#   @@gmp step skip NAME REASON          one that this kernel cannot run
#   @@gmp begin ktap SUITE ... @@gmp end  a KUnit suite's debugfs results
#   @@gmp begin ksft NAME ... @@gmp end rc=N   a kselftest binary's TAP
#   @@gmp begin kmemleak ... @@gmp end    what kmemleak reported

step() {
	name=$1
	shift
	if "$@"; then
		echo "@@gmp step ok $name"
	else
		echo "@@gmp step fail $name"
	fi
}

# A step this kernel cannot run: REASON names what is missing.
step_skip() {
	echo "@@gmp step skip $1 $2"
}

has_kunit() {
	[ -d /sys/kernel/debug/kunit ]
}

has_kmemleak() {
	[ -e /sys/kernel/debug/kmemleak ]
}

module_loaded() {
	grep -q "^gmp " /proc/modules
}

# Print every gmp KUnit suite's results (they vanish at rmmod), each
# suite's name followed by SUFFIX if one is given.
kunit_results() {
	for d in /sys/kernel/debug/kunit/gmp*; do
		[ -f "$d/results" ] || continue
		echo "@@gmp begin ktap ${d##*/}${1:-}"
		cat "$d/results"
		echo "@@gmp end"
	done
}

dump_kunit() {
	ls -d /sys/kernel/debug/kunit/gmp* >/dev/null 2>&1
	step kunit_suites_ran test $? = 0
	kunit_results
}

run_selftests() {
	for t in /gmp/selftests/*; do
		[ -x "$t" ] || continue
		echo "@@gmp begin ksft ${t##*/}"
		timeout 900 "$t"
		echo "@@gmp end rc=$?"
	done
}

# Forget what the kernel leaked before gmp was ever loaded: scan first, so
# boot-time leaks are reported (and then cleared), not blamed on gmp.
kmemleak_clear() {
	has_kmemleak || return 0
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
}

# kmemleak only reports objects older than 5 s, found unreferenced twice.
kmemleak_report() {
	has_kmemleak || return 0
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	echo "@@gmp begin kmemleak"
	cat /sys/kernel/debug/kmemleak
	echo "@@gmp end"
}

# Wait until `gmpctl trace`, process PID, records into its tracefs
# instance: 0, or 1 if it exited first or took more than 20 s.
gmpctl_trace_wait() {
	i=0
	while [ $i -lt 200 ] && kill -0 "$1" 2>/dev/null; do
		for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
			[ "$(cat "$d/instances/gmpctl-$1/tracing_on" 2>/dev/null)" = 1 ] &&
				return 0
		done
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
