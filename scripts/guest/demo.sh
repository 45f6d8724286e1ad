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
/gmp/gmpctl run pingpong --iters 100000 || fail "pingpong failed"
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
