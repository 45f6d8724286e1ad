#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the bench plan's results into bench/results.{md,json,png}.

    report.py [--out DIR] [--wall SECONDS] [--json] RESULTS.LOG...

Each RESULTS.LOG is one boot's results port (build/bench/smpN/results.log):
an "@@gmp boot ... cpus=N" line, one JSON line per repetition from
bench/gmpbench (impl gmp, kthread, workqueue) and bench/go (impl go),
"@@gmp step ok|fail" verdicts and "@@gmp time" lines.

For every row and implementation it takes the median and the min-max of
the repetitions, and compares each implementation with gmp *from the same
boot* as a ratio. --json prints the machine-readable summary on stdout as
well as writing results.json.
"""
import argparse
import datetime
import json
import os
import re
import statistics
import sys

IMPLS = ("gmp", "go", "kthread", "workqueue")
IMPL_NAME = {"gmp": "gmp", "go": "Go", "kthread": "kthread",
             "workqueue": "workqueue"}
KIB = 1024.0


def rec_value(r):
    """gmpbench's and gobench's "value": ns per round trip, ns per task,
    p99 lateness, units/s, bytes per parked goroutine (kernel: Slab +
    VmallocUsed + PageTables growth; Go: VmRSS growth), pause in ns."""
    return r["value"]


def rec_aux0(r):
    return r["aux"][0]


def rec_total(r):
    return r["elapsed_ns"]


def every(row):
    return {i: row for i in IMPLS}


# The rows of the report: key, title, metric, unit, lower is better, the
# record row each implementation is taken from, and the figure of a record.
ROWS = [
    ("pingpong", "ping-pong", "time per round trip", "ns", True,
     every("pingpong"), rec_value),
    ("spawn", "spawn", "time per goroutine (task)", "ns", True,
     every("spawn"), rec_value),
    ("skynet", "skynet", "time per goroutine (task) in the tree", "ns", True,
     every("skynet"), rec_value),
    ("skynet-total", "skynet, same size", "total time", "ns", True, {"gmp": "skynet", "go": "skynet"}, rec_total),
    ("fanout", "fan-out/fan-in", "total time", "ns", True, every("fanout"),
     rec_value),
    ("sleep-p50", "sleep 1 ms", "p50 lateness", "ns", True, every("sleep"),
     rec_aux0),
    ("sleep-p99", "sleep 1 ms", "p99 lateness", "ns", True, every("sleep"),
     rec_value),
    ("block", "blocking calls", "busy units/s beside them", "rate", False,
     {"gmp": "block", "go": "block"}, rec_value),
    ("block-unmarked", "blocking calls, no markers",
     "busy units/s beside them", "rate", False, {"gmp": "block-unmarked"},
     rec_value),
    ("park-mem-100000", "parked, 100k", "memory per parked goroutine", "B",
     True, {"gmp": "park-mem-100000", "go": "park-mem-100000",
            "kthread": "park-mem-kthread"}, rec_value),
    ("park-mem-1000000", "parked, 1M", "memory per parked goroutine", "B",
     True, every("park-mem-1000000"), rec_value),
    ("stw", "GOMAXPROCS change", "stop-the-world pause", "ns", True,
     every("stw"), rec_value),
]


# Two-line x labels for the plot.
SHORT = {
    "pingpong": "ping-pong\nper round trip",
    "spawn": "spawn\nper task",
    "skynet": "skynet\nper task",
    "skynet-total": "skynet\ntotal, same size",
    "fanout": "fan-out\ntotal",
    "sleep-p50": "sleep 1 ms\np50 lateness",
    "sleep-p99": "sleep 1 ms\np99 lateness",
    "block": "blocking calls\nbusy units/s",
    "block-unmarked": "blocking, unmarked\nbusy units/s",
    "park-mem-100000": "parked 100k\nbytes per G",
    "park-mem-1000000": "parked 1M\nbytes per G",
    "stw": "GOMAXPROCS\nSTW pause",
}


def fmt_ns(v):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if v >= div:
            return "%.3g %s" % (v / div, unit)
    return "%.3g ns" % v


def fmt(v, unit):
    if unit == "ns":
        return fmt_ns(v)
    if unit == "B":
        return "%.2f KiB" % (v / KIB) if v >= KIB else "%.0f B" % v
    if unit == "rate":
        return "%.3g/s" % v
    return "%.3g" % v


def fmt_ratio(x):
    if x >= 100:
        return "%.0fx" % x
    if x >= 10:
        return "%.1fx" % x
    return "%.2fx" % x


def parse_log(path):
    """One boot: its CPU count, kernel, records, failures and timings."""
    boot = {"path": path, "cpus": None, "kernel": None, "records": [],
            "fails": [], "times": {}, "done": False, "meminfo_kb": None}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            m = re.match(r"@@gmp boot kernel=(\S+) cpus=(\d+)", line)
            if m:
                boot["kernel"], boot["cpus"] = m.group(1), int(m.group(2))
            elif line.startswith("@@gmp step fail"):
                boot["fails"].append(line[len("@@gmp step fail "):])
            elif line.startswith("@@gmp time "):
                _, _, name, secs = line.split()[:4]
                boot["times"][name] = float(secs)
            elif line.startswith("@@gmp meminfo "):
                boot["meminfo_kb"] = int(line.split()[2])
            elif line.startswith("@@gmp done"):
                boot["done"] = True
            elif line.startswith("{"):
                try:
                    r = json.loads(line)
                except ValueError:
                    boot["fails"].append("unparsable line: " + line[:80])
                    continue
                boot["records"].append(r)
                if not r.get("ok", False):
                    boot["fails"].append("%s %s rep %s: %s" % (
                        r.get("impl"), r.get("row"), r.get("rep"),
                        r.get("error", "wrong result")))
    return boot


def size_of(r):
    """The size parameter that sets the amount of work, for notes."""
    p = r.get("params", {})
    for k in ("n", "size", "iters"):
        if k in p:
            return k, p[k]
    return None, None


def summarise(boot):
    """{row key: {impl: {median, min, max, values, params, size}}}; the
    repetitions whose check failed are left out and counted in
    boot["failed_reps"][row key][impl]."""
    out = {}
    boot["failed_reps"] = {}
    for key, _, _, _, _, src, figure in ROWS:
        cells = {}
        for impl, row in src.items():
            mine = [r for r in boot["records"] if r["impl"] == impl and
                    r["row"] == row]
            recs = [r for r in mine if r.get("ok")]
            if len(recs) < len(mine):
                boot["failed_reps"].setdefault(key, {})[impl] = \
                    len(mine) - len(recs)
            if not recs:
                continue
            vals = [float(figure(r)) for r in recs]
            k, n = size_of(recs[0])
            cells[impl] = {
                "median": statistics.median(vals), "min": min(vals),
                "max": max(vals), "values": vals, "reps": len(vals),
                "params": recs[0].get("params", {}), "size_key": k,
                "size": n,
            }
            if recs[0].get("extra"):
                cells[impl]["extra_median"] = {
                    e: statistics.median(r["extra"][e] for r in recs)
                    for e in recs[0]["extra"]}
        out[key] = cells
    return out


def skynet_count(size, branch):
    """Goroutines in the skynet tree of @size (gmpbench's skynet_count)."""
    if size <= 1:
        return 1
    q, r = divmod(size, branch)
    return 1 + sum(skynet_count(q + (i < r), branch)
                   for i in range(branch) if q + (i < r))


def ratio(cells, impl):
    """impl's median over gmp's: > 1 means impl takes longer (or, for a
    rate, does more)."""
    g, o = cells.get("gmp"), cells.get(impl)
    if not g or not o or not g["median"]:
        return None
    return o["median"] / g["median"]


def gmp_advantage(row, cells, impl):
    """How much better gmp is than impl (> 1: gmp better), whatever the
    direction of the metric."""
    r = ratio(cells, impl)
    if r is None or r == 0:
        return None
    return r if row[4] else 1.0 / r


# ---- targets ------------------------------------------------------------

def targets(boots):
    """Each of gmp's performance targets: where it stands, per boot."""
    out = []

    def add(name, smp, value, met, detail):
        out.append({"target": name, "smp": smp, "value": value,
                    "met": met, "detail": detail})

    for smp, b in sorted(boots.items()):
        s = b["summary"]
        pp = s.get("pingpong", {})
        r_go, r_kt = ratio(pp, "go"), ratio(pp, "kthread")
        same = "same CPU" if smp == 1 else "gmp's pair shares a P; Go's may not"
        if r_go is not None:
            add("ping-pong: gmp <= 0.5x Go's time", smp, 1 / r_go,
                1 / r_go <= 0.5, "gmp/Go = %.2fx (%s)" % (1 / r_go, same))
        if r_kt is not None:
            add("ping-pong: gmp >= 50x faster than kthreads", smp, r_kt,
                r_kt >= 50, "kthread/gmp = %s (both kthreads on one CPU)"
                % fmt_ratio(r_kt))
        sp = s.get("spawn", {})
        for impl, want, what in (("kthread", 1000, "kthread_run"),
                                 ("workqueue", 10, "queue_work")):
            r = ratio(sp, impl)
            if r is not None:
                add("spawn: >= %dx faster than %s" % (want, what), smp, r,
                    r >= want, "%s/gmp = %s per task (gmp n=%s, %s n=%s)"
                    % (impl, fmt_ratio(r), sp["gmp"]["size"], impl,
                       sp[impl]["size"]))
        r = ratio(sp, "go")
        if r is not None:
            add("spawn: gmp <= 0.5x Go's time", smp, 1 / r, 1 / r <= 0.5,
                "gmp/Go = %.2fx" % (1 / r))
        st = s.get("skynet-total", {})
        r = ratio(st, "go")
        if r is not None:
            n = st["gmp"]["size"]
            add("skynet %s: gmp <= 0.5x Go's time" % (
                "1.11M" if n == 1000000 else "size {:,}".format(n)), smp,
                1 / r, 1 / r <= 0.5, "gmp/Go = %.2fx (%s goroutines each)"
                % (1 / r, "{:,}".format(int(st["gmp"]["values"][0] and
                                            skynet_count(n, 10)))))
        for key, label in (("park-mem-100000", "100k"),
                           ("park-mem-1000000", "1M")):
            c = s.get(key, {}).get("gmp")
            if c:
                add("memory per parked G (small class, %s) <= 4.5 KiB"
                    % label, smp, c["median"], c["median"] <= 4.5 * KIB,
                    "%.2f KiB (Slab + VmallocUsed + PageTables; MemFree "
                    "drop %.2f KiB)" % (c["median"] / KIB,
                                        c["extra_median"]["MemFree"] / KIB))
        sl = s.get("sleep-p99", {})
        r = ratio(sl, "kthread")
        if r is not None:
            add("p99 timer lateness <= hrtimer-woken kthread's", smp, 1 / r,
                r >= 1, "gmp %s, kthread %s" % (fmt_ns(sl["gmp"]["median"]),
                                              fmt_ns(sl["kthread"]["median"])))
    return out


# ---- markdown -----------------------------------------------------------

def cell_text(row, cells, impl, failed):
    c = cells.get(impl)
    bad = failed.get(row[0], {}).get(impl, 0)
    if not c:
        return "all %d reps FAILED" % bad if bad else "-"
    unit = row[3]
    spread = "%s; %s – %s" % (fmt(c["median"], unit), fmt(c["min"], unit),
                              fmt(c["max"], unit))
    g = cells.get("gmp")
    note = ""
    if g and c["size"] != g["size"] and c["size_key"]:
        note = "; %s=%s" % (c["size_key"], "{:,}".format(c["size"]))
    if bad:
        note += "; **%d of %d reps FAILED**, left out" % (
            bad, bad + c["reps"])
        spread += note if impl == "gmp" else ""
    if impl == "gmp":
        return "1x (%s)" % spread
    r = ratio(cells, impl)
    if r is None:
        return "no gmp figure (%s%s)" % (spread, note)
    return "%s/gmp = %s (%s%s)" % (IMPL_NAME[impl], fmt_ratio(r), spread,
                                   note)


def markdown(boots, tg, wall):
    L = []
    first = next(iter(boots.values()))
    L.append("# gmp benchmarks")
    L.append("")
    L.append("Generated by `make bench` (scripts/bench.sh, bench/report.py) "
             "on %s; the whole run took %s." % (
                 datetime.date.today().isoformat(),
                 "%d min %d s" % divmod(int(wall), 60) if wall else "?"))
    L.append("")
    L.append("**The VM is QEMU TCG-emulated** (no KVM): Debian's stock "
             "kernel %s on %s, %s MB of guest memory. Emulation slows "
             "everything by an uneven factor (20-50x), so absolute times say "
             "little; **the ratios are the figures to read**. Every ratio "
             "compares medians from the same boot." % (
                 first["kernel"],
                 " and ".join("SMP %d" % k for k in sorted(boots)),
                 (first["meminfo_kb"] or 0) // 1024))
    L.append("")
    L.append("Method: each figure is 1 warm-up then 5 repetitions (memory: "
             "fresh module or process per repetition, no warm-up; STW: 20 "
             "changes), median and min-max. A ratio X/gmp is X's median "
             "over gmp's: above 1 means X takes longer (for a rate: X "
             "does more). Cells show `ratio (median; min – max)`. See "
             "bench/README.md.")
    L.append("")
    for smp, b in sorted(boots.items()):
        s = b["summary"]
        L.append("## SMP %d (%d vCPU%s, GOMAXPROCS %d)" % (
            smp, smp, "" if smp == 1 else "s", smp))
        L.append("")
        L.append("| workload | metric | better | gmp | Go | kthread | "
                 "workqueue |")
        L.append("|---|---|---|---|---|---|---|")
        for row in ROWS:
            cells = s.get(row[0], {})
            if not cells and row[0] not in b["failed_reps"]:
                continue
            L.append("| %s | %s | %s | %s |" % (
                row[1], row[2], "lower" if row[4] else "higher",
                " | ".join(cell_text(row, cells, i, b["failed_reps"])
                           for i in IMPLS)))
        L.append("")
        L.append(sizes_note(s))
        L.append("")
    L.append("## Targets")
    L.append("")
    L.append("| target | SMP | where it stands | verdict |")
    L.append("|---|---|---|---|")
    for t in tg:
        L.append("| %s | %d | %s | **%s** |" % (
            t["target"], t["smp"], t["detail"],
            "MET" if t["met"] else "NOT MET"))
    L.append("")
    L.extend(reading_notes(boots))
    L.extend(memory_detail(boots))
    L.extend(problems(boots))
    return "\n".join(L) + "\n"


def sizes_note(s):
    def size(key, impl):
        c = s.get(key, {}).get(impl)
        return "{:,}".format(c["size"]) if c else "-"
    return ("Sizes: ping-pong %s round trips; spawn %s goroutines (Go and "
            "work items the same, kthreads %s); skynet size %s "
            "(%s goroutines; kthreads size %s, work items size %s: "
            "a kthread tree of 1.11M is infeasible under TCG, so compare "
            "the time per task); fan-out %s workers x %s busy units of "
            "2048 xorshift64 steps; sleep %s sleepers; blocking: %s "
            "goroutines in 1-2 ms kernel sleeps (Go: nanosleep(2)) beside "
            "one busy goroutine; parked kthreads: %s." % (
                size("pingpong", "gmp"), size("spawn", "gmp"),
                size("spawn", "kthread"), size("skynet", "gmp"),
                "{:,}".format(skynet_count(
                    s.get("skynet", {}).get("gmp", {}).get("size") or 1, 10)),
                size("skynet", "kthread"), size("skynet", "workqueue"),
                size("fanout", "gmp"),
                s.get("fanout", {}).get("gmp", {}).get("params", {})
                .get("work", "-"),
                size("sleep-p99", "gmp"),
                size("block", "gmp"),
                size("park-mem-100000", "kthread")))


def per_task(boots, key, impl):
    """{smp: median} of one cell, for the notes."""
    return {smp: b["summary"].get(key, {}).get(impl, {}).get("median")
            for smp, b in boots.items()}


def reading_notes(boots):
    L = ["## Reading the figures", "",
         "- **Ping-pong.** The kthread baseline binds both kthreads to the "
         "CPU its root runs on (completions, a wake-up each way); the work "
         "item baseline queues two items on one CPU in turn, which never "
         "sleeps or switches stacks. gmp's pair shares one P through "
         "`runnext`. At SMP 1 every pair is on one CPU; at SMP 2 Go's "
         "goroutines may run on both.",
         "- **Work items are not goroutines.** `queue_work()` links a work "
         "item that the job allocated up front (one array for all n); it "
         "has no stack and never blocks, so it is cheaper than starting a "
         "goroutine. Skynet's work items count their children down "
         "instead of waiting on a channel (continuation passing).",
         "- **Memory.** Go starts a goroutine on a 2 KiB stack; gmp's "
         "small class is one page (4 KiB) plus its G struct and vmalloc "
         "bookkeeping (the Slab column). Kthreads pay a 16 KiB stack and "
         "a task_struct."]
    kt = per_task(boots, "spawn", "kthread")
    if len([v for v in kt.values() if v]) > 1:
        L.append("- **Kthread creation across boots.** The spawn and fan-out "
                 "baselines create their kthreads one after another from "
                 "the job's root goroutine, each `kthread_create()` a round "
                 "trip to kthreadd; per kthread: %s. With two vCPUs that "
                 "round trip crosses vCPUs, which TCG on a 2-core host makes "
                 "expensive (the skynet baseline, whose kthreads create "
                 "kthreads in parallel: %s per task). Read the kthread "
                 "spawn ratio of SMP 1 as the cleaner one."
                 % (", ".join("SMP %d %s" % (smp, fmt_ns(v))
                              for smp, v in sorted(kt.items()) if v),
                    ", ".join("SMP %d %s" % (smp, fmt_ns(v)) for smp, v in
                              sorted(per_task(boots, "skynet",
                                              "kthread").items()) if v)))
    if 1 in boots:
        L.append("- **STW at SMP 1.** gmp runs at most one P per CPU, so "
                 "asking for 2 Ps on one CPU resizes 1 -> 1, still with a "
                 "full stop-the-world; Go switches 1 <-> 2.")
    L.append("")
    return L


def memory_detail(boots):
    L = ["## Memory per parked goroutine, in detail", "",
         "Kernel: growth of /proc/meminfo fields while the PARK job's n "
         "goroutines (kthreads) hold, divided by n, on a freshly loaded "
         "module. The figure is Slab + VmallocUsed + PageTables; "
         "KernelStack is inside VmallocUsed (CONFIG_VMAP_STACK); MemFree "
         "drop is a cross-check. Go: VmRSS growth of a fresh process "
         "(runtime StackInuse + HeapInuse beside it).", "",
         "| SMP | row | impl | n | figure | Slab | VmallocUsed | "
         "KernelStack | PageTables | MemFree drop | gmp stack_bytes | "
         "Go runtime |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for smp, b in sorted(boots.items()):
        for key in ("park-mem-100000", "park-mem-1000000"):
            for impl, c in sorted(b["summary"].get(key, {}).items()):
                e = c.get("extra_median", {})

                def f(k):
                    return "%.0f" % e[k] if k in e else "-"
                L.append("| %d | %s | %s | %s | %.0f B | %s | %s | %s | %s "
                         "| %s | %s | %s |" % (
                             smp, key, impl, "{:,}".format(c["size"]),
                             c["median"], f("Slab"), f("VmallocUsed"),
                             f("KernelStack"), f("PageTables"),
                             f("MemFree"), f("gmp_stack_bytes"),
                             f("runtime_bytes_per_g")))
    L.append("")
    return L


def problems(boots):
    L = ["## Problems seen", ""]
    any_ = False
    for smp, b in sorted(boots.items()):
        if not b["done"]:
            L.append("- SMP %d: the plan did not finish" % smp)
            any_ = True
        for f in b["fails"]:
            L.append("- SMP %d: %s" % (smp, f))
            any_ = True
        for s in b.get("splats", []):
            L.append("- SMP %d console: `%s`" % (smp, s))
            any_ = True
    if not any_:
        L.append("None: every result matched its closed form, every step "
                 "passed, and the kernel console shows no WARNING, BUG or "
                 "Oops.")
    L.append("")
    return L


def console_splats(results_path):
    path = os.path.join(os.path.dirname(results_path), "console.log")
    if not os.path.exists(path):
        return []
    pat = re.compile(r"WARNING:|BUG:|Oops|general protection|"
                     r"INFO: task .* blocked|soft lockup|rcu.*stall")
    with open(path, errors="replace") as f:
        return [l.strip() for l in f if pat.search(l)][:20]


# ---- plot ---------------------------------------------------------------

def plot(boots, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(boots), 1, figsize=(12, 4.5 * len(boots)),
                             squeeze=False)
    colors = {"go": "#00add8", "kthread": "#c0392b", "workqueue": "#8e44ad"}
    for ax, (smp, b) in zip(axes[:, 0], sorted(boots.items())):
        s = b["summary"]
        rows = [r for r in ROWS if len(s.get(r[0], {})) > 1]
        width = 0.27
        for j, impl in enumerate(("go", "kthread", "workqueue")):
            xs, ys = [], []
            for i, row in enumerate(rows):
                a = gmp_advantage(row, s[row[0]], impl)
                if a:
                    xs.append(i + (j - 1) * width)
                    ys.append(a)
            ax.bar(xs, ys, width, label="vs " + IMPL_NAME[impl],
                   color=colors[impl])
            for x, y in zip(xs, ys):
                ax.annotate(fmt_ratio(y), (x, y), ha="center",
                            va="bottom", fontsize=6)
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_yscale("log")
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels([SHORT.get(r[0], r[1]) for r in rows],
                           fontsize=7)
        ax.set_ylabel("gmp's advantage (log; >1 = gmp better)")
        ax.set_title("SMP %d, QEMU TCG: how many times better gmp is than "
                     "each alternative (medians, same boot)" % smp,
                     fontsize=10)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("logs", nargs="+", help="results.log of each boot")
    ap.add_argument("--out", default=os.path.dirname(
        os.path.abspath(__file__)))
    ap.add_argument("--wall", type=float, default=0,
                    help="wall time of the whole run, seconds")
    ap.add_argument("--json", action="store_true",
                    help="also print the summary as JSON on stdout")
    a = ap.parse_args()

    boots = {}
    for p in a.logs:
        b = parse_log(p)
        if b["cpus"] is None:
            sys.exit("report.py: %s has no boot line" % p)
        b["summary"] = summarise(b)
        b["splats"] = console_splats(p)
        boots[b["cpus"]] = b
    tg = targets(boots)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(markdown(boots, tg, a.wall))
    summary = {
        "generated": datetime.datetime.now().isoformat(timespec="seconds"),
        "vm": "QEMU TCG (emulated); compare ratios, not absolute times",
        "wall_s": a.wall,
        "boots": {str(smp): {
            "kernel": b["kernel"], "cpus": smp, "done": b["done"],
            "failures": b["fails"], "console_splats": b["splats"],
            "step_seconds": b["times"],
            "rows": {k: {i: dict(c, ratio_to_gmp=ratio(cells, i))
                         for i, c in cells.items()}
                     for k, cells in b["summary"].items()},
        } for smp, b in sorted(boots.items())},
        "rows": [{"key": r[0], "title": r[1], "metric": r[2], "unit": r[3],
                  "lower_is_better": r[4]} for r in ROWS],
        "targets": tg,
    }
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
        f.write("\n")
    if a.json:
        json.dump(summary, sys.stdout, indent=1, sort_keys=True)
        print()
    plot(boots, os.path.join(a.out, "results.png"))
    bad = any(b["fails"] or b["splats"] or not b["done"]
              for b in boots.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
