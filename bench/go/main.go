// SPDX-License-Identifier: GPL-2.0
//
// gobench: the gmp job kinds written as plain Go, the reference the kernel
// numbers are compared with. Each workload is the program of the same name
// in uapi/gmp.h (and sched/jobkinds.c), with the same parameters and the
// same closed-form check; bench/gmpbench.c runs the kernel side.
//
//	gobench [-reps R] [-warmup W] [-row NAME] WORKLOAD [key=value]...
//
//	pingpong iters=20000        ns per round trip over two unbuffered chans
//	spawn    n=100000           goroutines that do nothing, a WaitGroup
//	skynet   size=1000000 branch=10
//	fanout   n=1000 work=4      workers doing busy units, a WaitGroup
//	sleep    n=1000 ns=1000000  p50/p99 lateness of time.Sleep
//	block    n=4 duration_ms=1000  busy units/s beside blocking syscalls
//	park     n=100000           bytes per goroutine parked on a receive
//	stw      (none)             duration of a GOMAXPROCS change
//
// One JSON line per repetition goes to stdout; warm-ups print nothing. A
// result that does not match its closed form prints "ok":false, a message
// on stderr, and the exit status is 1.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// busyIters matches GMP_BUSY_ITERS in sched/jobkinds.c.
const busyIters = 2048

// busyUnit is gmp_busy_unit(): one unit of busy work.
func busyUnit(x uint64) uint64 {
	for i := 0; i < busyIters; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

var sink uint64 // keeps the busy work alive

// run is what one repetition measured.
type run struct {
	elapsed uint64    // ns, the whole run
	result  uint64    // as the kernel kind's result
	aux     [4]uint64 // as the kernel kind's aux[]
	tasks   uint64    // goroutines started
	value   float64   // the figure the report compares
	extra   map[string]float64
}

type workload struct {
	unit     string
	defaults map[string]uint64
	fn       func(p map[string]uint64) run
	check    func(p map[string]uint64, r run) error
}

var workloads = map[string]workload{
	"pingpong": {"ns/roundtrip", map[string]uint64{"iters": 20000}, pingpong, checkPingpong},
	"spawn":    {"ns/goroutine", map[string]uint64{"n": 100000}, spawn, checkN},
	"skynet":   {"ns/goroutine", map[string]uint64{"size": 1000000, "branch": 10}, skynet, checkSkynet},
	"fanout":   {"ns", map[string]uint64{"n": 1000, "work": 4}, fanout, checkN},
	"sleep":    {"ns p99 late", map[string]uint64{"n": 1000, "ns": 1000000}, sleep, checkSleep},
	"block":    {"units/s", map[string]uint64{"n": 4, "duration_ms": 1000}, block, checkBlock},
	"park":     {"B/goroutine", map[string]uint64{"n": 100000}, park, checkN},
	"stw":      {"ns", map[string]uint64{}, stw, checkSTW},
}

// ---- pingpong -----------------------------------------------------------

func pingpong(p map[string]uint64) run {
	iters := p["iters"]
	ping, pong := make(chan uint64), make(chan uint64)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	var i uint64
	t0 := time.Now()
	for i = 0; i < iters; i++ {
		ping <- i
		if v := <-pong; v != i {
			break
		}
	}
	dt := uint64(time.Since(t0))
	close(ping)
	r := run{elapsed: dt, result: i, tasks: 1}
	if i > 0 {
		r.aux[0] = dt / i
	}
	r.value = float64(r.aux[0])
	return r
}

func checkPingpong(p map[string]uint64, r run) error {
	if r.result != p["iters"] {
		return fmt.Errorf("round trips %d, want %d", r.result, p["iters"])
	}
	return nil
}

// ---- spawn --------------------------------------------------------------

func spawn(p map[string]uint64) run {
	n := p["n"]
	var ran uint64
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := uint64(0); i < n; i++ {
		wg.Add(1)
		go func() {
			atomic.AddUint64(&ran, 1)
			wg.Done()
		}()
	}
	wg.Wait()
	dt := uint64(time.Since(t0))
	return run{elapsed: dt, result: atomic.LoadUint64(&ran), tasks: n,
		value: float64(dt) / float64(n)}
}

// checkN: the kinds whose result is n (spawn, fanout, park).
func checkN(p map[string]uint64, r run) error {
	if r.result != p["n"] {
		return fmt.Errorf("result %d, want %d", r.result, p["n"])
	}
	return nil
}

// ---- skynet -------------------------------------------------------------

// skynetNode is sky_fn(): children over equal parts of [num, num+size),
// the first size % branch one larger, summed over an unbuffered channel.
func skynetNode(out chan<- uint64, num, size, branch uint64, count *uint64) {
	atomic.AddUint64(count, 1)
	if size == 1 {
		out <- num
		return
	}
	rc := make(chan uint64)
	q, rem := size/branch, size%branch
	off, n := num, uint64(0)
	for ; n < branch; n++ {
		sub := q
		if n < rem {
			sub++
		}
		if sub == 0 {
			break
		}
		go skynetNode(rc, off, sub, branch, count)
		off += sub
	}
	var sum uint64
	for i := uint64(0); i < n; i++ {
		sum += <-rc
	}
	out <- sum
}

func skynet(p map[string]uint64) run {
	var count uint64
	out := make(chan uint64)
	t0 := time.Now()
	go skynetNode(out, 0, p["size"], p["branch"], &count)
	sum := <-out
	dt := uint64(time.Since(t0))
	r := run{elapsed: dt, result: sum, tasks: count}
	r.aux[0] = count
	r.value = float64(dt) / float64(count)
	return r
}

// skynetCount is the number of nodes in the tree of @size.
func skynetCount(size, branch uint64) uint64 {
	if size <= 1 {
		return 1
	}
	q, rem, c := size/branch, size%branch, uint64(1)
	for n := uint64(0); n < branch; n++ {
		sub := q
		if n < rem {
			sub++
		}
		if sub == 0 {
			break
		}
		c += skynetCount(sub, branch)
	}
	return c
}

func checkSkynet(p map[string]uint64, r run) error {
	size := p["size"]
	if want := size * (size - 1) / 2; r.result != want {
		return fmt.Errorf("sum %d, want %d", r.result, want)
	}
	if want := skynetCount(size, p["branch"]); r.aux[0] != want {
		return fmt.Errorf("goroutines %d, want %d", r.aux[0], want)
	}
	return nil
}

// ---- fanout -------------------------------------------------------------

func fanout(p map[string]uint64) run {
	n, work := p["n"], p["work"]
	var finished uint64
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Add(int(n))
	for i := uint64(0); i < n; i++ {
		go func(x uint64) {
			for u := uint64(0); u < work; u++ {
				x = busyUnit(x)
			}
			atomic.StoreUint64(&sink, x)
			atomic.AddUint64(&finished, 1)
			wg.Done()
		}(i + 1)
	}
	wg.Wait()
	dt := uint64(time.Since(t0))
	return run{elapsed: dt, result: atomic.LoadUint64(&finished),
		tasks: n, value: float64(dt)}
}

// ---- sleep --------------------------------------------------------------

// percentiles fills aux as sleep_finish() does: p50, p99, max.
func percentiles(late []uint64, aux *[4]uint64) {
	n := uint64(len(late))
	sort.Slice(late, func(a, b int) bool { return late[a] < late[b] })
	aux[0] = late[n*50/100]
	p99 := n * 99 / 100
	if p99 > n-1 {
		p99 = n - 1
	}
	aux[1] = late[p99]
	aux[2] = late[n-1]
}

func sleep(p map[string]uint64) run {
	n, d := p["n"], time.Duration(p["ns"])
	late := make([]uint64, n)
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Add(int(n))
	for i := uint64(0); i < n; i++ {
		go func(i uint64) {
			s := time.Now()
			time.Sleep(d)
			if dt := time.Since(s); dt > d {
				late[i] = uint64(dt - d)
			}
			wg.Done()
		}(i)
	}
	wg.Wait()
	r := run{elapsed: uint64(time.Since(t0)), result: n, tasks: n}
	percentiles(late, &r.aux)
	r.value = float64(r.aux[1])
	return r
}

func checkSleep(p map[string]uint64, r run) error {
	if r.result != p["n"] || r.aux[0] > r.aux[1] || r.aux[1] > r.aux[2] {
		return fmt.Errorf("result %d aux %v", r.result, r.aux)
	}
	return nil
}

// ---- block --------------------------------------------------------------

// block: n goroutines in a real blocking syscall (nanosleep(2) for 1 ms;
// time.Sleep would only park the goroutine) beside one busy goroutine.
func block(p map[string]uint64) run {
	n := p["n"]
	deadline := time.Now().Add(time.Duration(p["duration_ms"]) * time.Millisecond)
	var calls, units, runNs uint64
	var wg sync.WaitGroup
	wg.Add(int(n) + 1)
	t0 := time.Now()
	go func() {
		s := time.Now()
		x, u := uint64(s.UnixNano()), uint64(0)
		for time.Now().Before(deadline) {
			x = busyUnit(x)
			u++
		}
		atomic.StoreUint64(&sink, x)
		units, runNs = u, uint64(time.Since(s))
		wg.Done()
	}()
	for i := uint64(0); i < n; i++ {
		go func() {
			ts := syscall.Timespec{Nsec: 1000000}
			for time.Now().Before(deadline) {
				_ = syscall.Nanosleep(&ts, nil)
				atomic.AddUint64(&calls, 1)
			}
			wg.Done()
		}()
	}
	wg.Wait()
	r := run{elapsed: uint64(time.Since(t0)), tasks: n + 1}
	if runNs > 0 {
		r.result = units * 1000000000 / runNs
	}
	r.aux[0] = atomic.LoadUint64(&calls)
	r.value = float64(r.result)
	return r
}

func checkBlock(p map[string]uint64, r run) error {
	if r.result == 0 || r.aux[0] == 0 {
		return fmt.Errorf("units/s %d, blocking calls %d", r.result, r.aux[0])
	}
	return nil
}

// ---- park ---------------------------------------------------------------

// vmRSS is VmRSS from /proc/self/status, in bytes.
func vmRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 2 && fs[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(fs[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// park: n goroutines parked on one channel receive; memory per goroutine
// from VmRSS (what the process holds, like MemFree for the kernel) and
// from the runtime's StackInuse + HeapInuse. Run it in a fresh process:
// a runtime that already had n goroutines reuses their stacks.
func park(p map[string]uint64) run {
	n := p["n"]
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&ms0)
	rss0 := vmRSS()

	ch := make(chan struct{})
	var done sync.WaitGroup
	var started, woken uint64
	done.Add(int(n))
	t0 := time.Now()
	for i := uint64(0); i < n; i++ {
		// Only intrinsics before the receive: a call into sync here
		// would grow every stack from 2 to 4 KiB before it parks.
		go func() {
			atomic.AddUint64(&started, 1)
			if _, ok := <-ch; !ok {
				atomic.AddUint64(&woken, 1)
			}
			done.Done()
		}()
	}
	for atomic.LoadUint64(&started) < n {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // the last ones reach the receive
	runtime.ReadMemStats(&ms1)
	rss1 := vmRSS()
	close(ch)
	done.Wait()

	rt := float64((ms1.StackInuse+ms1.HeapInuse)-(ms0.StackInuse+ms0.HeapInuse)) / float64(n)
	r := run{elapsed: uint64(time.Since(t0)), result: atomic.LoadUint64(&woken), tasks: n}
	r.value = float64(rss1-rss0) / float64(n)
	r.extra = map[string]float64{
		"rss_bytes_per_g":     r.value,
		"runtime_bytes_per_g": rt,
		"stack_inuse_per_g":   float64(ms1.StackInuse-ms0.StackInuse) / float64(n),
		"sys_bytes_per_g":     float64(ms1.Sys-ms0.Sys) / float64(n),
	}
	return r
}

// ---- stw ----------------------------------------------------------------

// stw: runtime.GOMAXPROCS(n) stops the world when n changes; time one
// change, alternating between 1 and max(2, NumCPU) like gmpbench does.
func stw(p map[string]uint64) run {
	hi := runtime.NumCPU()
	if hi < 2 {
		hi = 2
	}
	target := 1
	if runtime.GOMAXPROCS(0) == 1 {
		target = hi
	}
	t0 := time.Now()
	runtime.GOMAXPROCS(target)
	dt := uint64(time.Since(t0))
	r := run{elapsed: dt, result: uint64(runtime.GOMAXPROCS(0)), value: float64(dt)}
	r.aux[0] = uint64(target)
	return r
}

func checkSTW(p map[string]uint64, r run) error {
	if r.result != r.aux[0] {
		return fmt.Errorf("GOMAXPROCS %d, asked %d", r.result, r.aux[0])
	}
	return nil
}

// ---- driver -------------------------------------------------------------

type record struct {
	Impl       string             `json:"impl"`
	Row        string             `json:"row"`
	Workload   string             `json:"workload"`
	Params     map[string]uint64  `json:"params"`
	Rep        int                `json:"rep"`
	Ok         bool               `json:"ok"`
	ElapsedNs  uint64             `json:"elapsed_ns"`
	Result     uint64             `json:"result"`
	Aux        [4]uint64          `json:"aux"`
	Tasks      uint64             `json:"tasks"`
	Value      float64            `json:"value"`
	Unit       string             `json:"unit"`
	Gomaxprocs int                `json:"gomaxprocs"`
	CPUs       int                `json:"cpus"`
	Extra      map[string]float64 `json:"extra,omitempty"`
	Error      string             `json:"error,omitempty"`
}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: gobench [-reps R] [-warmup W] [-row NAME] [-rep0 K] WORKLOAD [key=value]...\nworkloads:")
	names := make([]string, 0, len(workloads))
	for k := range workloads {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(os.Stderr, " %s", k)
	}
	fmt.Fprintln(os.Stderr)
	os.Exit(2)
}

func parseParams(w workload, args []string) map[string]uint64 {
	p := map[string]uint64{}
	for k, v := range w.defaults {
		p[k] = v
	}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if _, known := w.defaults[k]; !ok || !known {
			fmt.Fprintf(os.Stderr, "gobench: bad parameter %q\n", a)
			usage()
		}
		n, err := strconv.ParseUint(v, 0, 64)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gobench: bad value %q\n", a)
			usage()
		}
		p[k] = n
	}
	return p
}

func main() {
	reps := flag.Int("reps", 5, "measured repetitions")
	warmup := flag.Int("warmup", 1, "warm-up runs (not printed)")
	row := flag.String("row", "", "row name in the report (default: the workload)")
	rep0 := flag.Int("rep0", 0, "number of the first repetition printed")
	flag.Usage = usage
	flag.Parse()
	if flag.NArg() < 1 {
		usage()
	}
	name := flag.Arg(0)
	w, ok := workloads[name]
	if !ok {
		usage()
	}
	p := parseParams(w, flag.Args()[1:])
	if *row == "" {
		*row = name
	}
	for i := 0; i < *warmup; i++ {
		w.fn(p)
	}
	enc := json.NewEncoder(os.Stdout)
	failed := false
	for i := 0; i < *reps; i++ {
		r := w.fn(p)
		rec := record{Impl: "go", Row: *row, Workload: name, Params: p,
			Rep: *rep0 + i, Ok: true, ElapsedNs: r.elapsed,
			Result: r.result, Aux: r.aux, Tasks: r.tasks, Value: r.value,
			Unit: w.unit, Gomaxprocs: runtime.GOMAXPROCS(0),
			CPUs: runtime.NumCPU(), Extra: r.extra}
		if err := w.check(p, r); err != nil {
			rec.Ok, rec.Error, failed = false, err.Error(), true
			fmt.Fprintf(os.Stderr, "gobench: FAIL %s rep %d: %v\n", name, rec.Rep, err)
		}
		enc.Encode(rec)
	}
	if name == "stw" {
		runtime.GOMAXPROCS(runtime.NumCPU())
	}
	if failed {
		os.Exit(1)
	}
}
