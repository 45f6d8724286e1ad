# SPDX-License-Identifier: GPL-2.0
# The `make bench` plan: every workload through /dev/gmp as goroutines,
# kthreads and work items (bench/gmpbench), then the same programs in Go
# (bench/go, as /gmp/gobench), in one boot so every ratio compares runs on
# the same machine. Results are JSON lines on the results port; each
# invocation also prints `@@gmp step ok|fail bench.NAME` and
# `@@gmp time NAME SECONDS`.
#
# Sizes and repetitions come from /gmp/bench.conf (written by
# scripts/bench.sh, passed with --file); the defaults below are the ones
# `make bench` uses on a 2-core machine under TCG.
. /gmp/lib.sh

REPS=5			# measured repetitions (one warm-up before them)
PP_ITERS=20000		# pingpong round trips
SPAWN_N=100000		# spawn: goroutines, Go and work items
SPAWN_KT_N=2000		# spawn: kthreads (about 2.6 ms each under TCG)
SKY_SIZE=1000000	# skynet leaves: 1,111,111 goroutines
SKY_KT_SIZE=10000	# skynet with kthreads: 11,111 of them
SKY_WQ_SIZE=100000	# skynet with work items: 111,111
FAN_N=1000		# fanout workers
FAN_WORK=4		# busy units each
SLEEP_N=1000		# sleepers
SLEEP_NS=1000000	# each sleeps 1 ms
BLOCK_N=4		# goroutines in blocking calls
BLOCK_MS=1000		# for this long, beside a busy goroutine
PARK_N="100000 1000000"	# parked goroutines (small stacks), Go too
PARK_REPS="3 1"		# repetitions of each, on a fresh module each
PARK_KT_N=10000		# parked kthreads
PARK_KT_REPS=3
STW_REPS=20
[ -f /gmp/bench.conf ] && . /gmp/bench.conf

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

# bench NAME CMD...: run one benchmark binary, report its verdict and time.
bench() {
	name=$1
	shift
	t0=$(uptime_s)
	"$@"
	rc=$?
	echo "@@gmp time $name $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { print b - a }')"
	if [ $rc = 0 ]; then
		echo "@@gmp step ok bench.$name"
	else
		echo "@@gmp step fail bench.$name rc=$rc"
	fi
}

gmp_load() {
	insmod /gmp/gmp.ko || return 1
	# One job may hold every goroutine the benchmarks ask for, and
	# their stacks: 1M parked goroutines need about 4.3 GB.
	p=/sys/module/gmp/parameters
	echo 4194304 >$p/file_max_goroutines
	echo 4194304 >$p/max_goroutines
	mb=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
	echo "$mb" >$p/file_max_stack_mb
	echo "$mb" >$p/max_stack_mb
}

# A fresh module for each memory figure: dead goroutines keep their
# stacks on free lists, and a second run would reuse them.
gmp_reload() {
	rmmod gmp
	gmp_load
}

G=/gmp/gmpbench
GO=/gmp/gobench

echo 4194304 >/proc/sys/kernel/pid_max
step bench.insmod gmp_load || exit 1
echo "@@gmp meminfo $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB"

# ---- memory per parked goroutine (each on a freshly loaded module) ----
set -- $PARK_REPS
for n in $PARK_N; do
	r=${1:-1}
	[ $# -gt 0 ] && shift
	i=0
	while [ $i -lt "$r" ]; do
		gmp_reload
		bench "park-mem-gmp-$n" $G --small --rep0 $i \
			--row "park-mem-$n" park-mem goroutine n="$n"
		i=$((i + 1))
	done
done
i=0
while [ $i -lt "$PARK_KT_REPS" ]; do
	gmp_reload
	bench "park-mem-kthread-$PARK_KT_N" $G --rep0 $i --row park-mem-kthread \
		park-mem kthread n="$PARK_KT_N"
	i=$((i + 1))
done
gmp_reload

# ---- jobs: goroutines, kthreads, work items ----
R="-r $REPS"
for m in goroutine kthread workqueue; do
	bench "pingpong-$m" $G $R pingpong $m iters=$PP_ITERS
done
bench spawn-goroutine $G $R --small spawn goroutine n=$SPAWN_N
bench spawn-kthread $G $R spawn kthread n=$SPAWN_KT_N
bench spawn-workqueue $G $R spawn workqueue n=$SPAWN_N
bench skynet-goroutine $G $R --small skynet goroutine size=$SKY_SIZE
bench skynet-kthread $G $R skynet kthread size=$SKY_KT_SIZE
bench skynet-workqueue $G $R skynet workqueue size=$SKY_WQ_SIZE
for m in goroutine kthread workqueue; do
	bench "fanout-$m" $G $R fanout $m n=$FAN_N work=$FAN_WORK
done
for m in goroutine kthread workqueue; do
	bench "sleep-$m" $G $R sleep $m n=$SLEEP_N ns=$SLEEP_NS
done
bench block-goroutine $G $R block goroutine n=$BLOCK_N \
	duration_ms=$BLOCK_MS markers=0
bench block-unmarked-goroutine $G $R --row block-unmarked block goroutine \
	n=$BLOCK_N duration_ms=$BLOCK_MS markers=2
bench stw-gmp $G -r "$STW_REPS" stw

rmmod gmp
step bench.rmmod test $? = 0

# ---- the same programs in Go ----
bench pingpong-go $GO -reps "$REPS" pingpong iters=$PP_ITERS
bench spawn-go $GO -reps "$REPS" spawn n=$SPAWN_N
bench skynet-go $GO -reps "$REPS" skynet size=$SKY_SIZE
bench fanout-go $GO -reps "$REPS" fanout n=$FAN_N work=$FAN_WORK
bench sleep-go $GO -reps "$REPS" sleep n=$SLEEP_N ns=$SLEEP_NS
bench block-go $GO -reps "$REPS" block n=$BLOCK_N duration_ms=$BLOCK_MS
bench stw-go $GO -reps "$STW_REPS" stw
# A fresh process per memory figure, as the module is reloaded for gmp.
set -- $PARK_REPS
for n in $PARK_N; do
	r=${1:-1}
	[ $# -gt 0 ] && shift
	i=0
	while [ $i -lt "$r" ]; do
		bench "park-mem-go-$n" $GO -warmup 0 -reps 1 -rep0 $i \
			-row "park-mem-$n" park n="$n"
		i=$((i + 1))
	done
done
