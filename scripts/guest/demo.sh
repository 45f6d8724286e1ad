# SPDX-License-Identifier: GPL-2.0
# The `make run` plan: load the module and show what it does: skynet with
# a million goroutines, a channel ping-pong, the statistics and Go-style
# schedtrace lines.
. /gmp/lib.sh

fail() {
	echo "demo: $*"
	exit 1
}

echo "== insmod gmp.ko schedtrace_ms=1000"
insmod /gmp/gmp.ko schedtrace_ms=1000 || fail "insmod failed"
dmesg | grep "gmp: loaded"
ls -l /dev/gmp
/gmp/gmpctl version

echo
echo "== skynet: 1,000,000 leaves, 1,111,111 goroutines in all"
echo "   (schedtrace from debugfs every second while it runs)"
/gmp/gmpctl run skynet --size 1000000 --small-stack >/tmp/skynet.out 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do
	cat /sys/kernel/debug/gmp/schedtrace
	sleep 1
done
wait $pid
rc=$?
cat /tmp/skynet.out
[ $rc = 0 ] || fail "skynet failed"
grep -q "result=499999500000" /tmp/skynet.out || fail "wrong skynet sum"

echo
echo "== ping-pong: 100,000 round trips over unbuffered channels"
# A 1 s timeline of the ping-pong (gmpctl trace), if this kernel has the
# tracepoints; sent to the host after the ping-pong, gzipped, in base64.
tracing=
[ -d /sys/kernel/debug/tracing/events/gmp ] || [ -d /sys/kernel/tracing/events/gmp ] &&
	tracing=1
if [ -n "$tracing" ]; then
	/gmp/gmpctl trace --seconds 1 --buffer-kb 32768 -o /tmp/trace.json \
		2>/tmp/trace.err &
	tpid=$!
	gmpctl_trace_wait "$tpid" || { cat /tmp/trace.err; fail "gmpctl trace failed"; }
fi
/gmp/gmpctl run pingpong --iters 100000 || fail "pingpong failed"
if [ -n "$tracing" ]; then
	wait "$tpid" || { cat /tmp/trace.err; fail "gmpctl trace failed"; }
	echo "   timeline of its first second: gmpctl trace --seconds 1 -o /tmp/trace.json"
	sed 's/^gmpctl: trace: /   /' /tmp/trace.err
	echo "@@gmp begin trace trace.json.gz.base64"
	gzip -c /tmp/trace.json | base64
	echo "@@gmp end"
fi
echo "   the same with kthreads and completions, and with work items:"
/gmp/gmpctl run pingpong --iters 20000 --mode kthread || fail "kthread pingpong failed"
/gmp/gmpctl run pingpong --iters 100000 --mode workqueue || fail "workqueue pingpong failed"

echo
echo "== gmpctl stats"
/gmp/gmpctl stats

echo
echo "== schedtrace lines in the kernel log (schedtrace_ms=1000)"
dmesg | grep "gmp: SCHED" | tail -n 5

echo
echo "== rmmod gmp"
rmmod gmp || fail "rmmod failed"
dmesg | grep "gmp:" | tail -n 1
