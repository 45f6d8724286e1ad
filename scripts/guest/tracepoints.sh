# SPDX-License-Identifier: GPL-2.0
# The tracepoint check of the guest plans (sourced after lib.sh): record
# every gmp event (sched/gmp_trace.h) through tracefs while a few jobs run,
# then check the trace against itself and against the module's counters.
# The jobs: skynet (creates, steals, channel parks), the same on one-page
# leaf stacks (gmp_go_ready then fires on a small stack), pingpong, sleep
# (readies from an hrtimer's hardirq, through an inbox) and block (a CPU
# hog beside blocking calls: preempts, handoffs, yields with no P). Then:
#
#  - every G created in the window exits in it, and goes through a legal
#    sequence of states: create, start, then park -> ready, preempt or
#    yield, each followed by a start, until exit; goids are unique and
#    every parent or readier was running at the time;
#  - the count of each event equals the counter that the same code path
#    bumps (gmpctl stats before and after): creates, exits, starts,
#    readies by runnext and by inbox, steals and handoffs exactly, parks
#    and preempts at least (those counters skip an M without a P);
#  - every event kind appears (steal only with more than one CPU), with
#    decoded symbols, and no raw kernel address is printed.
#
# The trace clock is "counter", a global atomic: events ordered by cause
# are ordered in the trace too, whichever CPUs recorded them. A kernel
# without tracing gets a SKIP that names the missing option.

TRACEFS=/sys/kernel/tracing
GMP_EVENTS="gmp_go_create gmp_go_start gmp_go_park gmp_go_ready gmp_steal
gmp_preempt gmp_go_yield gmp_handoff gmp_go_exit"

# Why this kernel cannot run the check (the missing config), or nothing.
trace_missing() {
	grep -qw tracefs /proc/filesystems ||
		{ echo "CONFIG_TRACING is not set (no tracefs)"; return; }
	[ -d $TRACEFS/events ] || mount -t tracefs nodev $TRACEFS 2>/dev/null
	[ -f $TRACEFS/events/enable ] ||
		echo "CONFIG_EVENT_TRACING is not set (no tracefs events/)"
}

# KEY's first value in a gmpctl --json object or a key=value line.
trace_val() {
	grep -o "\"*$1\"*[:=] *-*[0-9]*" "$2" | head -n 1 | sed 's/.*[:=] *//'
}

# Check the saved trace; print problems, then one line of key=value counts.
trace_audit() {
	awk -v nproc="$(nproc)" '
	function num(k,    v) {
		if (!match($0, " " k "=-?[0-9]+"))
			return ""
		return substr($0, RSTART + length(k) + 2, RLENGTH - length(k) - 2) + 0
	}
	function word(k) {
		if (!match($0, " " k "=[a-z_]+"))
			return ""
		return substr($0, RSTART + length(k) + 2, RLENGTH - length(k) - 2)
	}
	function bad(msg) {
		if (++n["bad"] <= 10)
			print "trace: " msg ": " $0
	}
	function pid(none,    p) {
		p = num("p")
		if (p == "" || p >= nproc || p < (none ? -1 : 0))
			bad("P id out of range")
	}
	# The G of this event must be in state from; it goes to state to.
	function move(from, to,    g) {
		g = num("goid")
		if (!(g in st)) {
			bad("goid " g " was never created")
			return
		}
		if (st[g] != from)
			bad("goid " g " in state " st[g] ", not " from)
		st[g] = to
	}
	function running(g) {
		return g == 0 || ((g in st) && st[g] == "X")
	}
	/ 0x[0-9a-f][0-9a-f][0-9a-f][0-9a-f]/ { bad("raw address") }
	/ gmp_go_create: / {
		n["create"]++
		g = num("goid")
		if (g == "" || g <= 0)
			bad("bad goid")
		else if (g in st)
			bad("goid created twice")
		else
			st[g] = "R"
		if (num("parent") == 0)
			n["root"]++
		else if (!running(num("parent")))
			bad("parent not running")
		if ($0 !~ / fn=[a-z_]/)
			bad("no function symbol")
		pid(1)
		next
	}
	/ gmp_go_start: / { n["start"]++; move("R", "X"); pid(0); next }
	/ gmp_go_park: / {
		n["park"]++
		r = word("reason")
		if (r == "" || r == "none")
			bad("no wait reason")
		n["park_" r]++
		move("X", "W")
		pid(1)
		next
	}
	/ gmp_go_ready: / {
		v = word("via")
		if (v != "runnext" && v != "inbox" && v != "direct")
			bad("bad via")
		n["ready_" v]++
		if (!running(num("by")))
			bad("readied by a G that is not running")
		move("W", "R")
		pid(v == "direct")
		next
	}
	/ gmp_preempt: / { n["preempt"]++; move("X", "R"); pid(1); next }
	/ gmp_go_yield: / { n["yield"]++; move("X", "R"); pid(1); next }
	/ gmp_go_exit: / { n["exit"]++; move("X", "D"); pid(1); next }
	/ gmp_steal: / {
		n["steal"]++
		n["stolen"] += num("count")
		if (num("count") < 1 || num("p") == num("victim") ||
		    num("victim") < 0 || num("victim") >= nproc)
			bad("bad steal")
		pid(0)
		next
	}
	/ gmp_handoff: / { n["handoff"]++; pid(0); next }
	/ gmp_/ { bad("unknown event") }
	END {
		for (g in st)
			if (st[g] != "D" && ++left <= 5)
				print "trace: goid " g " ended in state " st[g]
		n["bad"] += left
		split("create start park ready_runnext ready_inbox ready_direct " \
		      "preempt yield steal stolen handoff exit root bad " \
		      "park_chan_send park_chan_receive park_sleep", keys, " ")
		for (i = 1; i in keys; i++)
			printf "%s=%d ", keys[i], n[keys[i]]
		print ""
	}' /tmp/trace.txt
}

# trace_expect NAME GOT OP WANT: one comparison, said out loud if it fails.
trace_expect() {
	test "$2" "$3" "$4" && return 0
	echo "trace: $1: $2, expected $3 $4"
	return 1
}

# Run the jobs with every gmp event enabled; leaves the trace, the jobs'
# result lines and the stats before and after in /tmp.
trace_record() {
	t=$TRACEFS
	# "7 (expanded: 1408)" until the buffer was first used.
	trace_bufkb=$(sed 's/.*expanded: \([0-9]*\).*/\1/' $t/buffer_size_kb)
	echo 0 >$t/tracing_on
	echo 0 >$t/events/enable
	echo counter >$t/trace_clock
	echo 4096 >$t/buffer_size_kb
	echo >$t/trace
	echo 1 >$t/events/gmp/enable
	echo 1 >$t/tracing_on
	/gmp/gmpctl stats --json >/tmp/trace-st0 || return 1
	: >/tmp/trace-jobs
	for job in "skynet --size 1000" "skynet --size 1000 --small-stack" \
		   "pingpong --iters 100" "sleep --n 20 --ns 2000000" \
		   "block --n 4 --ms 300"; do
		# shellcheck disable=SC2086
		/gmp/gmpctl run $job >>/tmp/trace-jobs || return 1
	done
	# A job is done once its goroutines left it; wait until they are gone.
	i=0
	until /gmp/gmpctl stats --json >/tmp/trace-st1 &&
	      [ "$(trace_val goroutines_alive /tmp/trace-st1)" = 0 ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || return 1
		sleep 0.1
	done
	echo 0 >$t/tracing_on
	echo 0 >$t/events/gmp/enable
	cat $t/trace >/tmp/trace.txt
}

trace_restore() {
	t=$TRACEFS
	echo 0 >$t/events/enable
	echo local >$t/trace_clock
	[ -z "${trace_bufkb:-}" ] || echo "$trace_bufkb" >$t/buffer_size_kb
	echo 1 >$t/tracing_on
}

# The counter KEY's increase over the recording.
trace_delta() {
	echo $(($(trace_val "$1" /tmp/trace-st1) - $(trace_val "$1" /tmp/trace-st0)))
}

trace_events_check() {
	d=$TRACEFS/events/gmp
	[ -d $d ] || { echo "trace: no $d after insmod"; return 1; }
	for e in $GMP_EVENTS; do
		[ -f "$d/$e/format" ] || { echo "trace: no event $e"; return 1; }
	done
	# perf and trace-cmd decode symbols from the format files: the enum
	# names must have been replaced by their values (TRACE_DEFINE_ENUM).
	if grep -l "GMP_" $d/*/format; then
		echo "trace: enum names left in the format files above"
		return 1
	fi
	if ! trace_record; then
		echo "trace: recording failed"
		cat /tmp/trace-jobs
		return 1
	fi
	cat /tmp/trace-jobs
	head -n 3 /tmp/trace.txt
	total=$(sed -n 's/^# entries-in-buffer\/entries-written: \([0-9]*\)\/\([0-9]*\).*/\1 \2/p' \
		/tmp/trace.txt)
	[ -n "$total" ] || { echo "trace: no entries-written line"; return 1; }
	trace_expect "events kept/written" "${total% *}" = "${total#* }" || return 1
	s=$(trace_audit)
	echo "$s"
	sum=$(echo "$s" | tail -n 1)
	echo "$sum" | tr ' ' '\n' >/tmp/trace-sum
	v() { trace_val "$1" /tmp/trace-sum; }
	gs=$(sed 's/.*goroutines=\([0-9]*\).*/\1/' /tmp/trace-jobs |
	     awk '{ s += $1 } END { print s }')
	rc=0
	trace_expect "problems in the trace" "$(v bad)" -eq 0 || rc=1
	trace_expect "creates vs the jobs' goroutines" "$(v create)" -eq "$gs" || rc=1
	trace_expect "exits" "$(v exit)" -eq "$gs" || rc=1
	trace_expect "roots (parent=0)" "$(v root)" -eq 5 || rc=1
	trace_expect "creates vs stats" "$(v create)" -eq "$(trace_delta goroutines_created)" || rc=1
	trace_expect "exits vs stats" "$(v exit)" -eq "$(trace_delta goroutines_exited)" || rc=1
	trace_expect "starts vs switches" "$(v start)" -eq "$(trace_delta switches)" || rc=1
	trace_expect "runnext readies vs stats" "$(v ready_runnext)" -eq "$(trace_delta readies)" || rc=1
	trace_expect "inbox readies vs stats" "$(v ready_inbox)" -eq "$(trace_delta readies_remote)" || rc=1
	trace_expect "steals vs stats" "$(v steal)" -eq "$(trace_delta steals)" || rc=1
	trace_expect "handoffs vs stats" "$(v handoff)" -eq "$(trace_delta handoffs)" || rc=1
	trace_expect "parks vs stats" "$(v park)" -ge "$(trace_delta parks)" || rc=1
	trace_expect "preempts vs stats" "$(v preempt)" -ge "$(trace_delta preempts)" || rc=1
	trace_expect "parks on chan_send" "$(v park_chan_send)" -gt 0 || rc=1
	trace_expect "parks on chan_receive" "$(v park_chan_receive)" -gt 0 || rc=1
	trace_expect "parks in sleep" "$(v park_sleep)" -gt 0 || rc=1
	for e in create start park ready_runnext ready_inbox preempt handoff exit; do
		trace_expect "$e events" "$(v $e)" -gt 0 || rc=1
	done
	if [ "$(nproc)" -gt 1 ]; then
		trace_expect "steal events" "$(v steal)" -gt 0 || rc=1
	fi
	return $rc
}

tracepoints() {
	insmod /gmp/gmp.ko || return 1
	trace_events_check
	rc=$?
	trace_restore
	rmmod gmp || return 1
	return $rc
}

# The step: SKIP, naming the config, on a kernel without tracing.
tracepoints_step() {
	missing=$(trace_missing)
	if [ -n "$missing" ]; then
		step_skip "$1" "$missing"
	else
		step "$1" tracepoints
	fi
}
