#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one VM run's console.log + results.log into test verdicts.

Every KUnit case (from the suites' debugfs KTAP), every kselftest
TAP line and every scripted `@@gmp step` is one test. Two more per run:
`vm_completed` (the plan reached its end) and `no_kernel_splat` (no
WARNING/BUG/KASAN/KCSAN/lockdep/hung-task/soft-lockup/RCU-stall report,
nor a kmemleak report from the plan's explicit scan, anywhere in the
console or results), which fails the run even if every test passed.
Left out, as not gmp's: kmemleak reports of early-boot objects and KCSAN
data races with no gmp frame (see their functions).

Prints `ok|FAIL LABEL: NAME` per test and, last, `LABEL: N passed, M failed`.
With --json FILE it also writes {"passed": N, "failed": M, "tests": [...]}.
Exit status: 0 when nothing failed, 1 otherwise.
"""
import argparse
import json
import re
import sys

# Any of these in a console means the kernel complained: the run fails.
SPLAT_PATTERNS = [
    r"WARNING:",
    r"BUG:",
    r"KASAN",
    r"UBSAN",
    r"Oops",
    r"Kernel panic",
    r"general protection fault",
    r"kernel BUG at",
    r"possible recursive locking",
    r"possible circular locking",
    r"inconsistent lock state",
    r"DEBUG_LOCKS_WARN_ON",
    r"lock held when returning to user space",
    r"suspicious RCU usage",
    r"INFO: task .* blocked for more than",
    r"soft lockup",
    r"hard LOCKUP",
    r"rcu: INFO: .* detected stall",
    r"detected stalls on CPUs",
    r"ODEBUG:",
    r"list_add corruption",
    r"list_del corruption",
    r"stack-protector",
    r"Stack guard page",
    r"corrupted stack end",
]
SPLAT_RE = re.compile("|".join(SPLAT_PATTERNS))

TAP_RE = re.compile(r"^\s*(not ok|ok)\s+(\d+)\s*(?:-\s*)?([^#]*?)\s*(#\s*(.*))?$")


def splats(text):
    """Lines of @text that look like a kernel report."""
    lines = text.splitlines()
    foreign = kcsan_reports_not_gmps(lines)
    return [line.strip() for i, line in enumerate(lines)
            if SPLAT_RE.search(line) and i not in foreign]


def kcsan_reports_not_gmps(lines):
    """Line numbers of KCSAN data-race reports that do not involve gmp.

    The KCSAN kernel is there to find races in gmp's rings and protocols.
    Linux 6.1 has races of its own that KCSAN reports now and then (e.g.
    hrtimer_active() against __hrtimer_run_queues() from the scheduler
    tick, during early boot, before gmp is loaded). A report whose access
    stacks, up to the closing ==== line, name no gmp frame (no "[gmp"
    module tag, no gmp_ function) is not gmp's and is left out; any report
    with a gmp frame still fails the run.

    An access made by an interrupt has, below its entry frame (asm_sysvec_*,
    asm_common_interrupt, asm_exc_*), the stack of the task it interrupted:
    those frames are not the access's, so they do not count. A tick's
    hrtimer race that interrupts a goroutine is still Linux's own.
    """
    out = set()
    for i, line in enumerate(lines):
        if "BUG: KCSAN: data-race" not in line:
            continue
        block = []
        for later in lines[i + 1:]:
            if re.search(r"={20,}", later):
                break
            block.append(later)
        if not any(gmp_frame(b) for b in accessing_frames(block) + [line]):
            out.add(i)
    return out


IRQ_ENTRY_RE = re.compile(r"\basm_(sysvec_\w+|common_interrupt|exc_\w+)\+0x")
ACCESS_RE = re.compile(r"\b(read|write)( \(marked\))? to 0x|race at unknown origin")


def gmp_frame(line):
    return "[gmp" in line or "gmp_" in line


def accessing_frames(block):
    """The lines of a KCSAN report's access stacks, each cut at its IRQ entry."""
    out, cut = [], False
    for line in block:
        if ACCESS_RE.search(line):
            cut = False
        elif IRQ_ENTRY_RE.search(line):
            cut = True
        if not cut:
            out.append(line)
    return out


def sections(results):
    """Yield (kind, name, body_lines, end_line) for each begin/end block."""
    cur = None
    for line in results.splitlines():
        line = line.rstrip("\r")
        if line.startswith("@@gmp begin "):
            parts = line.split()
            cur = (parts[2], parts[3] if len(parts) > 3 else "", [])
        elif line.startswith("@@gmp end") and cur:
            yield cur[0], cur[1], cur[2], line
            cur = None
        elif cur:
            cur[2].append(line)
    if cur:
        yield cur[0], cur[1], cur[2], None


def kmemleak_leaks(body):
    """The kmemleak reports in @body that could be gmp's.

    kmemleak's summary line in the console counts every suspect, including
    objects the kernel allocated during early boot (ACPI's caches under
    QEMU), before gmp could exist. Those have start_kernel in their
    allocation backtrace and are left out; every other report counts.
    """
    blocks, cur = [], None
    for line in body:
        if line.startswith("unreferenced object"):
            cur = [line]
            blocks.append(cur)
        elif cur is not None:
            cur.append(line)
    return [b[0].strip() for b in blocks
            if not any("start_kernel" in l for l in b)]


def parse_ktap(body, suite):
    """One test per KUnit case: the TAP lines one indent below the suite.

    Not kunit.py: on 6.1 the debugfs log of a parameterised case keeps
    only its last parameter's line, which kunit.py misnumbers into a
    "crashed" suite with cases dropped. Instead, the case lines are
    checked against the suite's plan (`1..N`) and the suite's own verdict,
    so a missing or truncated case still fails.
    """
    out = []
    plan = None
    verdict = None
    for line in body:
        indent = len(line) - len(line.lstrip(" "))
        text = line.strip()
        m = re.match(r"^1\.\.(\d+)$", text)
        if m and indent == 4:
            plan = int(m.group(1))
        m = TAP_RE.match(line)
        if not m:
            continue
        if indent == 4:
            skip = (m.group(5) or "").upper().startswith("SKIP")
            out.append((suite + "." + m.group(3), m.group(1) == "ok" or skip,
                        "SKIP" if skip else m.group(1)))
        elif indent == 0:
            verdict = m.group(1) == "ok"
    if plan is None or len(out) != plan:
        out.append((suite + ".all_cases_reported", False,
                    "plan %s, got %d case results" % (plan, len(out))))
    if verdict is None or (not verdict and all(t[1] for t in out)):
        out.append((suite + ".suite_verdict", False,
                    "suite says not ok" if verdict is False else "no suite result"))
    return out


def parse_ksft(name, body, end):
    out = []
    for line in body:
        m = TAP_RE.match(line)
        if not m or line.startswith(" "):
            continue
        directive = (m.group(5) or "").upper()
        ok = m.group(1) == "ok" or directive.startswith("SKIP")
        out.append((name + "." + m.group(3), ok, directive or m.group(1)))
    rc = re.search(r"rc=(\d+)", end or "")
    if end is None or not rc:
        out.append((name + ".completed", False, "no end marker (hung or crashed)"))
    elif not out:
        out.append((name + ".completed", False, "no TAP output, rc=" + rc.group(1)))
    elif int(rc.group(1)) != 0 and all(t[1] for t in out):
        out.append((name + ".exit_status", False, "rc=" + rc.group(1)))
    return out


def parse(console, results):
    tests = []
    for line in results.splitlines():
        m = re.match(r"^@@gmp step (ok|fail|skip) (\S+)\s*(.*)$", line.rstrip("\r"))
        if m and m.group(1) == "skip":
            tests.append(("step." + m.group(2), True, "SKIP " + m.group(3)))
        elif m:
            tests.append(("step." + m.group(2), m.group(1) == "ok", m.group(3)))
    leaks = []
    for kind, name, body, end in sections(results):
        if kind == "ktap":
            tests += [("kunit." + n, ok, d) for n, ok, d in parse_ktap(body, name)]
        elif kind == "ksft":
            tests += [("ksft." + n, ok, d) for n, ok, d in parse_ksft(name, body, end)]
        elif kind == "kmemleak":
            leaks += kmemleak_leaks(body)
    done = re.search(r"^@@gmp done rc=(\d+)", results, re.M)
    tests.append(("vm_completed", bool(done), "" if done else "plan did not finish"))
    found = splats(console) + splats(results)
    if leaks:
        found.append("kmemleak: " + leaks[0].strip())
    tests.append(("no_kernel_splat", not found, found[0] if found else ""))
    return tests, found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--console", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--label", default="vm")
    ap.add_argument("--json", help="also write the verdicts here")
    a = ap.parse_args()

    def read(path):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    tests, found = parse(read(a.console), read(a.results))
    passed = sum(1 for t in tests if t[1])
    failed = len(tests) - passed
    for name, ok, detail in tests:
        if ok and detail.startswith("SKIP"):
            print("skip %s: %s  %s" % (a.label, name, detail[5:]))
        elif ok:
            print("ok   %s: %s" % (a.label, name))
        else:
            print("FAIL %s: %s  %s" % (a.label, name, detail))
    for line in found[:20]:
        print("     splat: " + line)
    print("%s: %d passed, %d failed" % (a.label, passed, failed))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"label": a.label, "passed": passed, "failed": failed,
                       "tests": [{"name": n, "ok": ok, "detail": d}
                                 for n, ok, d in tests]}, f, indent=1)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
