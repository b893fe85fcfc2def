#!/usr/bin/env python3
"""ringrun bench: every comparison in one run.  See README.md.

    run.py --ringrun PATH --bin DIR [--rounds N] [--only KEY,...]

A workload is one entry in WORKLOADS, a tool one entry in TOOLS, a target one
entry in TARGETS: adding a comparison means adding entries, not code.  Every
tool is first run once and its output checked (a tool that fails gets no
time), then all tools run round-robin, ROUNDS times, under bench/measure.
The report goes to stdout and bench/results/latest.txt; every figure, raw
rounds included, to bench/results/latest.json.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from string import Template

HERE = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20
# Debian's python3 (what mk/deps.sh installs), not a version-manager shim
# whose own start-up would be timed.
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


@dataclass
class Tool:
    """How to run a runner.  argv is a template: ${j} jobs at once,
    ${inputs} the input file, ${cmd} the command with {} for the input
    line, ${ringrun} and ${bin} (our build dir) the programs."""
    argv: list
    label: str
    max_rounds: int = 0        # 0: as many as --rounds


TOOLS = {
    "ringrun": Tool(["${ringrun}", "-j", "${j}", "-a", "${inputs}", "${cmd}"],
                    "ringrun"),
    "xargs": Tool(["xargs", "-P", "${j}", "-a", "${inputs}", "-I{}",
                   "/bin/sh", "-c", "${cmd}"], "xargs -P"),
    "parallel": Tool(["parallel", "--will-cite", "-j", "${j}",
                      "-a", "${inputs}", "${cmd}"], "GNU parallel",
                     max_rounds=3),     # 12-15 s a run on 2 CPUs
    "asyncio": Tool([PYTHON, os.path.join(HERE, "asyncio_runner.py"),
                     "-j", "${j}", "-a", "${inputs}", "${cmd}"], "asyncio"),
    "floor": Tool(["${bin}/floor", "-j", "${j}", "-a", "${inputs}", "${cmd}"],
                  "spawn floor"),
    "floor_output": Tool(["${bin}/floor_output", "-j", "${j}", "-a",
                          "${inputs}", "${cmd}"], "output floor"),
}

# Every tool runs with this environment: a short PATH (no tool pays for a
# long one in execvp), GNU parallel on /bin/sh like everyone else (it
# otherwise uses $SHELL), the C locale.
ENV_OVERRIDES = {"PATH": "/usr/bin:/bin", "PARALLEL_SHELL": "/bin/sh",
                 "LC_ALL": "C"}


@dataclass
class Workload:
    key: str
    n: int                     # jobs
    j: int                     # at once
    cmd: str
    tools: list
    kind: str = "timed"        # timed: rounds under measure; strace: strace -c once
    inputs: str = ""           # "" = the numbers 1..n; otherwise this line n times
    check: str = "silent"      # silent | lines | bytes (what a correct run prints)
    out_bytes: int = 0         # check "bytes": expected NUL bytes on stdout
    note: str = ""             # said after the title
    ceiling: str = ""          # tool whose CPU per job bounds any runner's rate

    @property
    def title(self):
        return f"{self.n} x {self.cmd!r}, {self.j} at a time{self.note}"


WORKLOADS = [
    Workload("true", 5000, 64, "true",
             ["ringrun", "xargs", "parallel", "asyncio", "floor"],
             ceiling="floor"),
    Workload("echo", 5000, 64, "echo {}",
             ["ringrun", "xargs", "parallel", "asyncio", "floor"],
             check="lines", ceiling="floor"),
    Workload("output", 32, 32, "head -c 33554432 {}",
             ["ringrun", "parallel", "asyncio", "floor_output"],
             inputs="/dev/zero", check="bytes", out_bytes=32 * 32 * MIB,
             note=": 1 GiB captured, grouped"),
    Workload("syscalls", 1000, 64, "echo {}",
             ["ringrun", "xargs", "parallel", "asyncio", "floor"],
             kind="strace", check="lines",
             note=": syscalls of the runner's own process (strace -c, no -f)"),
]


@dataclass
class Target:
    text: str
    workload: str
    metric: str                # rate: rr/vs rate; time: rr/vs wall; per_job: rr syscalls per job
    vs: str = ""
    need: float = 0.0          # rate: at least; time, per_job: at most


TARGETS = [
    Target("throughput >= spawn floor's, capturing output", "true", "rate", "floor", 1.0),
    Target("throughput >= spawn floor's, capturing output", "echo", "rate", "floor", 1.0),
    Target("throughput >= 1.4 x xargs -P", "true", "rate", "xargs", 1.4),
    Target("throughput >= 1.4 x xargs -P", "echo", "rate", "xargs", 1.4),
    Target("throughput >= 7 x GNU parallel", "true", "rate", "parallel", 7.0),
    Target("throughput >= 7 x GNU parallel", "echo", "rate", "parallel", 7.0),
    Target("throughput >= 2 x asyncio", "true", "rate", "asyncio", 2.0),
    Target("throughput >= 2 x asyncio", "echo", "rate", "asyncio", 2.0),
    Target("1 GiB of output within 1.2 x the output floor's time", "output",
           "time", "floor_output", 1.2),
    Target("<= 8 syscalls per job in the ringrun process", "syscalls",
           "per_job", "", 8.0),
]

RUN_TIMEOUT = 600              # seconds; a run past this is killed and failed
BUSY_SHARE = 0.05              # other CPU use above this share of the machine: warn


# ------------------------------------------------------------------ output
class Report:
    """Prints to stdout and keeps the text for results/latest.txt."""

    def __init__(self):
        self.lines = []

    def __call__(self, text=""):
        print(text, flush=True)
        self.lines.append(text)

    def table(self, head, rows):
        cols = list(zip(*([head] + rows)))
        width = [max(len(str(c)) for c in col) for col in cols]
        fmt = lambda row: "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, width))).rstrip()
        self(fmt(head))
        for row in rows:
            self(fmt(row))


def progress(text):
    sys.stderr.write(text)
    sys.stderr.flush()


def fmt(x, digits=2):
    if x is None:
        return "-"
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.{digits}f}"


# ------------------------------------------------------------------ running
def run(argv, timeout=RUN_TIMEOUT):
    """Run argv in its own session; return (status, stdout, stderr)."""
    env = dict(os.environ, **ENV_OVERRIDES)
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return -1, out, err + f"\ntimed out after {timeout} s".encode()
    return p.returncode, out, err


def measure(ctx, argv, *, out="/dev/null", count=False, own=False):
    """Run argv under bench/measure; return its key=value report as a dict,
    with the tool's stderr under "stderr"."""
    m = [os.path.join(ctx.bin, "measure")]
    m += ["-x"] if own else []
    m += ["-c"] if count else ["-o", out]
    rc, stdout, stderr = run(m + ["--"] + argv)
    if rc != 0:
        return {"status": -1, "stderr": stderr.decode(errors="replace")}
    rep = {k: int(v) for k, v in
           (kv.split("=") for kv in stdout.decode().split())}
    rep["stderr"] = stderr.decode(errors="replace")
    return rep


def tool_argv(ctx, tool, w):
    subst = {"ringrun": ctx.ringrun, "bin": ctx.bin, "j": str(w.j),
             "inputs": ctx.inputs[w.key], "cmd": w.cmd}
    return [Template(a).substitute(subst) for a in tool.argv]


def tool_missing(ctx, name):
    argv0 = TOOLS[name].argv[0]
    if name == "ringrun":
        if not ctx.ringrun or not os.access(ctx.ringrun, os.X_OK):
            return f"not built ({ctx.ringrun or 'no --ringrun'})"
        return ""
    if "$" in argv0 or os.path.isabs(argv0):
        return ""
    return "" if shutil.which(argv0, path=ENV_OVERRIDES["PATH"]) else "not installed"


def tail(text, n=4):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return " | ".join(lines[-n:])


def lines_error(w, path):
    """"" if the file holds exactly the lines 1..n in any order."""
    with open(path, "rb") as f:
        got = f.read().split(b"\n")
    os.unlink(path)
    if got and got[-1] == b"":
        got.pop()
    want = [str(i).encode() for i in range(1, w.n + 1)]
    if sorted(got) == sorted(want):
        return ""
    return (f"output is not the {w.n} lines 1..{w.n}: {len(got)} lines, "
            f"{len(set(got))} distinct, {len(set(got) - set(want))} unexpected")


def check(ctx, w, name):
    """One run of the tool, output checked; returns (error or "", report)."""
    argv = tool_argv(ctx, TOOLS[name], w)
    if w.check == "lines":
        path = os.path.join(ctx.work, f"{w.key}-{name}.out")
        rep = measure(ctx, argv, out=path)
        if rep["status"] == 0:
            return lines_error(w, path), rep
    else:
        rep = measure(ctx, argv, count=True)
        want = w.out_bytes if w.check == "bytes" else 0
        if rep["status"] == 0 and (rep["out_bytes"] != want or
                                   rep["out_nul"] != want):
            return (f"wrote {rep['out_bytes']} bytes ({rep['out_nul']} NUL), "
                    f"expected {want}", rep)
    if rep["status"] != 0:
        return f"exit status {rep['status']}: {tail(rep['stderr'])}", rep
    return "", rep


# ------------------------------------------------------------------ noise
def cpu_busy_s():
    """CPU seconds the whole machine has spent not idle, from /proc/stat."""
    with open("/proc/stat") as f:
        t = [int(x) for x in f.readline().split()[1:9]]
    return (sum(t) - t[3] - t[4]) / os.sysconf("SC_CLK_TCK")


def background(busy0, t0, ours):
    """What else ran while we measured: the machine's busy CPU time less
    the CPU of the measured runs (the harness itself counts as other)."""
    elapsed = time.monotonic() - t0
    other = max(0.0, cpu_busy_s() - busy0 - ours)
    return {"cpu_s": other, "elapsed_s": elapsed,
            "share": other / (elapsed * os.cpu_count())}


def say_background(say, bg, during="the rounds"):
    say(f"   other CPU use during {during}: {bg['cpu_s']:.1f} CPU-s in "
        f"{bg['elapsed_s']:.0f} s ({100 * bg['share']:.0f}% of the machine)"
        + ("  ** BUSY MACHINE: figures unreliable **"
           if bg["share"] > BUSY_SHARE else ""))


# ------------------------------------------------------------------ workloads
def summarise(w, rounds):
    walls = [r["wall_ns"] / 1e9 for r in rounds]
    wall = statistics.median(walls)
    med = lambda k: statistics.median(r[k] for r in rounds)
    s = {"rounds": len(rounds), "wall_s": wall, "wall_min_s": min(walls),
         "spread": (max(walls) - min(walls)) / wall,
         "cpu_s": statistics.median((r["user_ns"] + r["sys_ns"]) / 1e9
                                    for r in rounds),
         "user_s": med("user_ns") / 1e9, "sys_s": med("sys_ns") / 1e9,
         "tree_rss_kb": med("maxrss_kb"), "jobs_per_s": w.n / wall}
    if w.check == "bytes":
        s["mb_per_s"] = w.out_bytes / 1e6 / wall
    return s


def run_timed(ctx, w, res, say):
    """Check every tool, then time them round-robin."""
    ok = []
    progress(f"[{w.key}] checking:")
    for name in w.tools:
        r = res[name]
        r["error"] = tool_missing(ctx, name)
        if not r["error"]:
            r["error"], rep = check(ctx, w, name)
            r["check_wall_s"] = rep.get("wall_ns", 0) / 1e9
        progress(f" {name} {'FAILED' if r['error'] else 'ok'}")
        if not r["error"]:
            ok.append(name)
            r["rounds_raw"] = []
            r["own_rss_kb"] = own_rss(ctx, w, name)
    progress("\n")
    if "ringrun" in ok:
        res["ringrun"]["stats"] = ringrun_stats(ctx, w)

    cap = lambda name: min(ctx.rounds, TOOLS[name].max_rounds or ctx.rounds)
    busy0, t0 = cpu_busy_s(), time.monotonic()
    for i in range(ctx.rounds):
        progress(f"[{w.key}] round {i + 1}/{ctx.rounds}:")
        for name in list(ok):
            if i >= cap(name):
                continue
            rep = measure(ctx, tool_argv(ctx, TOOLS[name], w))
            progress(f" {name} {rep.get('wall_ns', 0) / 1e9:.2f}s")
            if rep["status"] != 0:
                res[name]["error"] = (f"round {i + 1}: exit status "
                                      f"{rep['status']}: {tail(rep['stderr'])}")
                ok.remove(name)
                continue
            del rep["stderr"]
            res[name]["rounds_raw"].append(rep)
        progress("\n")
    ours = sum((r["user_ns"] + r["sys_ns"]) / 1e9
               for name in ok for r in res[name]["rounds_raw"])
    other = background(busy0, t0, ours)
    for name in ok:
        res[name].update(summarise(w, res[name]["rounds_raw"]))
    print_timed(w, res, say, ctx.rounds)
    extra = {"other_cpu": other}
    if w.ceiling in ok:
        per_job = res[w.ceiling]["cpu_s"] / w.n
        extra["ceiling_jobs_per_s"] = os.cpu_count() / per_job
        say(f"   CPU ceiling: {os.cpu_count()} CPUs / {1e3 * per_job:.2f} ms"
            f" CPU per job ({TOOLS[w.ceiling].label}, children included) = "
            f"{extra['ceiling_jobs_per_s']:,.0f} jobs/s: no runner does better here")
    say_background(say, other)
    say()
    return extra


def own_rss(ctx, w, name):
    """The tool process's own peak RSS, from a run under measure -x (ptrace
    stops it at every signal: never timed, and a failure only loses this)."""
    rep = measure(ctx, tool_argv(ctx, TOOLS[name], w), own=True)
    return rep["own_hwm_kb"] if rep["status"] == 0 else None


def ringrun_stats(ctx, w):
    """One more ringrun run with --stats: its own view of CPU, RSS, ring."""
    argv = tool_argv(ctx, TOOLS["ringrun"], w)
    rc, _, err = run([argv[0], "--stats"] + argv[1:])
    text = err.decode(errors="replace").strip()
    return text if rc == 0 else f"(--stats run failed, status {rc}: {tail(text, 2)})"


def print_timed(w, res, say, rounds):
    rr = res.get("ringrun", {})
    rate = "MB/s" if w.check == "bytes" else "jobs/s"
    head = ["tool", "runs", "wall s", "spread", rate, "CPU s", "tree RSS MiB",
            "own RSS MiB", "wall/rr", "CPU/rr"]
    rows, notes = [], []
    for name in w.tools:
        r, label = res[name], TOOLS[name].label
        if r.get("error"):
            rows.append([label, "-", "-", "-", "-", "-", "-", "-", "-", "-"])
            notes.append(f"{label}: {r['error']}")
            continue
        ratio = lambda k: (r[k] / rr[k] if rr.get(k) and not rr.get("error")
                           else None)
        own = r.get("own_rss_kb")
        rows.append([label, r["rounds"], f"{r['wall_s']:.3f}",
                     f"{100 * r['spread']:.0f}%",
                     fmt(r["mb_per_s"] if w.check == "bytes" else r["jobs_per_s"]),
                     fmt(r["cpu_s"]), fmt(r["tree_rss_kb"] / 1024, 1),
                     fmt(own / 1024 if own and own > 0 else None, 1),
                     fmt(ratio("wall_s")), fmt(ratio("cpu_s"))])
        if r["rounds"] < rounds:
            notes.append(f"{label}: {r['rounds']} rounds only, to keep the "
                         f"bench short (max_rounds in its TOOLS entry)")
    say(f"== {w.title}; stdout to /dev/null")
    say.table(head, rows)
    for n in notes:
        say(f"   {n}")
    if rr.get("stats"):
        say("   ringrun --stats (one extra run):")
        for line in rr["stats"].splitlines():
            say(f"     {line}")


def parse_strace(path):
    """strace -c table -> ({syscall: calls}, total calls, total errors)."""
    calls, total, errors = {}, 0, 0
    with open(path) as f:
        for line in f:
            t = line.split()
            if len(t) < 5 or not t[3].isdigit():
                continue
            if t[-1] == "total":
                total = int(t[3])
                errors = int(t[4]) if len(t) == 6 else 0
            else:
                calls[t[-1]] = int(t[3])
    return calls, total, errors


def run_strace(ctx, w, res, say):
    progress(f"[{w.key}] strace:")
    for name in w.tools:
        r = res[name]
        r["error"] = tool_missing(ctx, name)
        if r["error"]:
            continue
        path = os.path.join(ctx.work, f"strace-{name}.txt")
        out = os.path.join(ctx.work, f"strace-{name}.out")
        rep = measure(ctx, ["strace", "-c", "-o", path, "--"] +
                      tool_argv(ctx, TOOLS[name], w), out=out)
        progress(f" {name}")
        if rep["status"] != 0:
            r["error"] = f"exit status {rep['status']}: {tail(rep['stderr'])}"
        else:
            r["error"] = lines_error(w, out)
        if r["error"]:
            continue
        r["syscalls"], r["total"], r["errors"] = parse_strace(path)
        r["per_job"] = r["total"] / w.n
    progress("\n")

    say(f"== {w.title}")
    rows, notes = [], []
    for name in w.tools:
        r, label = res[name], TOOLS[name].label
        if r.get("error"):
            rows.append([label, "-", "-", "-"])
            notes.append(f"{label}: {r['error']}")
        else:
            rows.append([label, f"{r['total']:,}", f"{r['per_job']:.1f}",
                         f"{r['errors']:,}"])
    say.table(["tool", "syscalls", "per job", "failed"], rows)
    for n in notes:
        say(f"   {n}")
    rr = res.get("ringrun", {})
    if rr.get("syscalls"):
        top = sorted(rr["syscalls"].items(), key=lambda kv: -kv[1])[:5]
        say("   ringrun's top 5: " + ", ".join(
            f"{k} {v:,} ({v / w.n:.2f}/job)" for k, v in top))
    say()
    return {}


# ------------------------------------------------------------------ targets
def evaluate(t, results):
    """(met, figure text) or (None, why not measured)."""
    res = results[t.workload]["tools"]
    ceiling = results[t.workload].get("ceiling_jobs_per_s")
    rr, vs = res.get("ringrun", {}), res.get(t.vs, {})
    for name, r in (("ringrun", rr), (t.vs, vs)):
        if name and (r.get("error") or not r):
            return None, f"{TOOLS[name].label}: {r.get('error') or 'not run'}"
    if t.metric == "per_job":
        v = rr["per_job"]
        return v <= t.need, f"{v:.1f} syscalls per job"
    if t.metric == "rate":
        v = rr["jobs_per_s"] / vs["jobs_per_s"]
        figure = (f"{rr['jobs_per_s']:,.0f} vs {vs['jobs_per_s']:,.0f}"
                  f" jobs/s = {v:.2f} x")
        if v < t.need and ceiling:
            figure += (f"; needs {t.need * vs['jobs_per_s']:,.0f}, CPU ceiling"
                       f" {ceiling:,.0f}")
        return v >= t.need, figure
    v = rr["wall_s"] / vs["wall_s"]
    return v <= t.need, (f"{rr['wall_s']:.3f} s vs {vs['wall_s']:.3f} s"
                         f" = {v:.2f} x the time")


# ------------------------------------------------------------------ machine
def first_line(argv):
    try:
        p = subprocess.run(argv, capture_output=True, timeout=30,
                           env=dict(os.environ, **ENV_OVERRIDES))
        text = (p.stdout or p.stderr).decode(errors="replace").strip()
        return text.splitlines()[0] if text and p.returncode == 0 else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine(ctx):
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "nproc": os.cpu_count(), "cpu": cpu, "mem_gib": round(mem_kb / MIB, 1),
        "kernel": platform.release(),
        "sh": os.path.realpath("/bin/sh"),
        "ringrun": first_line([ctx.ringrun, "--version"])
                   if not tool_missing(ctx, "ringrun") else "not built",
        "xargs": first_line(["xargs", "--version"]),
        "parallel": first_line(["parallel", "--version"]),
        "python": first_line([PYTHON, "--version"]) + f" ({PYTHON})",
        "strace": first_line(["strace", "-V"]),
        "cc": first_line([os.environ.get("CC", "cc"), "--version"]),
    }


# ------------------------------------------------------------------ main
def write_inputs(ctx):
    ctx.inputs = {}
    for w in WORKLOADS:
        path = os.path.join(ctx.work, f"inputs-{w.key}")
        with open(path, "w") as f:
            for i in range(1, w.n + 1):
                f.write(f"{w.inputs or i}\n")
        ctx.inputs[w.key] = path


def main():
    ap = argparse.ArgumentParser(description="ringrun comparisons, one run")
    ap.add_argument("--ringrun", default="", help="the ringrun binary")
    ap.add_argument("--bin", default=os.path.join(HERE, "build"),
                    help="where floor, floor_output and measure are")
    ap.add_argument("--rounds", type=int,
                    default=int(os.environ.get("ROUNDS") or 5))
    ap.add_argument("--only", default="",
                    help="comma-separated workload keys: "
                         + ",".join(w.key for w in WORKLOADS))
    ap.add_argument("--results", default=os.path.join(HERE, "results"))
    ctx = ap.parse_args()
    ctx.ringrun = os.path.abspath(ctx.ringrun) if ctx.ringrun else ""
    ctx.bin = os.path.abspath(ctx.bin)
    only = set(filter(None, ctx.only.split(",")))
    workloads = [w for w in WORKLOADS if not only or w.key in only]
    if ctx.rounds < 1 or (only and len(workloads) != len(only)):
        ap.error("bad --rounds or --only")
    os.makedirs(ctx.results, exist_ok=True)

    say = Report()
    info = machine(ctx)
    say(f"ringrun bench  {info['date']}  rounds: {ctx.rounds}")
    say(f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['mem_gib']} GiB, "
        f"Linux {info['kernel']}, /bin/sh = {info['sh']}")
    for k in ("ringrun", "xargs", "parallel", "python", "strace", "cc"):
        say(f"  {k + ':':10} {info[k]}")
    say("columns: wall s = median wall time; spread = (max - min) / median;"
        " CPU s = user + sys of the")
    say("  tool and every process it waited for (the /bin/sh children too);"
        " tree RSS = largest")
    say("  single process in that tree (wait4 ru_maxrss); own RSS = the tool"
        " process's own peak")
    say("  (VmHWM at exit, one extra run under ptrace); wall/rr, CPU/rr = the tool's figure"
        " over ringrun's.")
    say()

    busy0, t0 = cpu_busy_s(), time.monotonic()
    time.sleep(1)
    idle_check = background(busy0, t0, 0.0)
    say_background(say, idle_check, "1 s before starting")
    say()

    results = {}
    with tempfile.TemporaryDirectory(prefix="ringrun-bench-") as work:
        ctx.work = work
        write_inputs(ctx)
        for w in workloads:
            res = {name: {} for name in w.tools}
            extra = (run_strace if w.kind == "strace" else run_timed)(
                ctx, w, res, say)
            results[w.key] = {"title": w.title, "n": w.n, "j": w.j,
                              "cmd": w.cmd, "kind": w.kind, "tools": res,
                              "other_cpu": None, **extra}

    busy = [k for k, r in results.items()
            if r["other_cpu"] and r["other_cpu"]["share"] > BUSY_SHARE]
    say("== targets (ringrun, this run)" + (
        f"  ** machine busy during {', '.join(busy)}: take with salt **"
        if busy else ""))
    verdicts = []
    for t in TARGETS:
        if t.workload not in results:
            continue
        met, figure = evaluate(t, results)
        mark = {True: "met ", False: "MISS", None: "n/a "}[met]
        say(f"  [{mark}] {t.text} ({t.workload}): {figure}")
        verdicts.append({"target": t.text, "workload": t.workload,
                         "met": met, "figure": figure})

    with open(os.path.join(ctx.results, "latest.json"), "w") as f:
        json.dump({"machine": info, "rounds": ctx.rounds, "env": ENV_OVERRIDES,
                   "idle_check": idle_check,
                   "workloads": results, "targets": verdicts}, f, indent=1)
    with open(os.path.join(ctx.results, "latest.txt"), "w") as f:
        f.write("\n".join(say.lines) + "\n")
    where = os.path.relpath(ctx.results)
    where = ctx.results if where.startswith("..") else where
    say(f"\nwritten: {where}/latest.json, {where}/latest.txt")


if __name__ == "__main__":
    main()
