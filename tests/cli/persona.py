#!/usr/bin/env python3
"""The personalities' oracle (tests/cli/persona.c runs it): each case of
tests/data/persona/cases.txt, and generated ones (a fixed seed), run by the
real pdsh -R ssh, clush and parallel-ssh and by ringrun called by that
tool's name (a link), on the same hosts of the test's sshd, through the
same ssh_config; what they print is compared as the case says.

Usage: persona.py DIR RINGRUN CASES H1 H2 H3
DIR holds ssh_config; the links and each run's directories are made there.
Prints "oracle TOOL: AGREED/RUN" per tool on stderr, each disagreement on
stdout; exits 1 unless every case agreed."""
import concurrent.futures
import os
import random
import re
import shlex
import subprocess
import sys

DIR, RINGRUN, CASES = sys.argv[1:4]
HOSTS = sys.argv[4:7]
CFG = os.path.join(DIR, "ssh_config")
DOWN = "127.0.9.254"  # nothing listens there
SEED = 11
GENERATED = 18
GENERATED_Q = 60  # pdsh -q and -Q: no host is reached
HANG_GUARD = 30  # seconds: a hang guard, never a measure
OWN = ("pdsh@", "clush: ", "ringrun: ")  # each tool's own words


def links():
    """DIR/bin/TOOL -> ringrun: the personality by its name."""
    bindir = os.path.join(DIR, "bin")
    os.makedirs(bindir, exist_ok=True)
    for tool in ("pdsh", "clush", "pssh"):
        path = os.path.join(bindir, tool)
        if not os.path.lexists(path):
            os.symlink(RINGRUN, path)
    return bindir


BIN = links()
HOSTFILE = os.path.join(DIR, "hosts.txt")  # pssh -h's, clush --hostfile's
with open(HOSTFILE, "w") as f:
    f.write("%s\n%s\n" % (HOSTS[0], HOSTS[1]))  # no comment: clush reads none
PSSHFILE = os.path.join(DIR, "pssh-hosts.txt")  # pssh's own lines
with open(PSSHFILE, "w") as f:
    f.write("# pssh's forms\n%s root\n\nroot@%s  # a comment\n  %s\t\n"
            % tuple(HOSTS))


def expand(word, run_dir):
    for k, h in enumerate(HOSTS):
        word = word.replace("@H%d" % (k + 1), h)
    word = word.replace("@NET", HOSTS[0].rsplit(".", 1)[0])
    word = word.replace("@DOWN", DOWN).replace("@HOSTFILE", HOSTFILE)
    word = word.replace("@PSSHFILE", PSSHFILE)
    word = word.replace("@OUT", os.path.join(run_dir, "out"))
    return word.replace("@ERR", os.path.join(run_dir, "err"))


def real_argv(tool, args):
    if tool == "pdsh":
        return ["pdsh"] + args, {"PDSH_SSH_ARGS": "-F %s -2 -a -x -l%%u %%h" % CFG}
    if tool == "clush":
        return ["clush", "-o", "-F " + CFG] + args, {}
    return ["parallel-ssh", "-x", "-F " + CFG] + args, {}


def ours_argv(tool, args):
    return [os.path.join(BIN, tool), "--ssh-config", CFG, "--no-agent"] + args, {}


def run(argv, extra_env, run_dir):
    env = dict(os.environ, **extra_env)
    env.pop("SSH_AUTH_SOCK", None)
    os.makedirs(run_dir, exist_ok=True)
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       env=env, cwd=run_dir, timeout=HANG_GUARD)
    files = {}
    for sub in ("out", "err"):
        d = os.path.join(run_dir, sub)
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                with open(os.path.join(d, name), "rb") as f:
                    files[sub + "/" + name] = f.read()
    return p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), \
        p.returncode, files


PSSH_HEAD = re.compile(r"^\[\d+\] \d\d:\d\d:\d\d ", re.M)


def pssh_blocks(out, down):
    """pssh's output as blocks, each from its status line, masked, sorted;
    with a host not reached, only the status lines."""
    out = PSSH_HEAD.sub("[N] HH:MM:SS ", out)
    if down:
        return sorted(l for l in out.splitlines() if l.startswith("[N] "))
    blocks, cur = [], None
    for line in out.splitlines(keepends=True):
        if line.startswith("[N] HH:MM:SS ") or cur is None:
            cur = [line]
            blocks.append(cur)
        else:
            cur.append(line)
    return sorted("".join(b) for b in blocks)


# pdsh -q's lines of its own path ("Full program pathname\t/usr/bin/pdsh")
PROGRAM = re.compile(r"^(Full program pathname|Remote program path)\t.*$", re.M)


def normal_out(tool, args, out, down):
    if tool == "pdsh" and ("-q" in args or "-Q" in args):
        return PROGRAM.sub(r"\1\t(path)", out)  # its report: exactly
    if tool == "pssh":
        if "-P" in args:  # its lines as they came, then its status lines
            return sorted(PSSH_HEAD.sub("[N] HH:MM:SS ", out).splitlines())
        return pssh_blocks(out, down)
    if tool == "clush" and ("-L" in args or "-b" in args or "-B" in args):
        return out  # ordered by host, or gathered: exactly
    return sorted(out.splitlines())


# clush -L's progress ("clush: 1/3" redrawn with \r) when it is slow
PROGRESS = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\r|clush: \d+/\d+ *")


def normal_err(err):
    return sorted(l for l in PROGRESS.sub("\n", err).splitlines()
                  if l.strip() and not l.startswith(OWN))


# The tools' own failure lines, as a script may parse them: pdsh's
# "pdsh@HOST: web1: ssh exited with exit code 3" (HOST masked), clush's
# "clush: web1: exited with exit code 3", "...: command timeout".
WORDS = re.compile(r"^(?:pdsh@[^:]*|clush): (.*(?:exited with exit code \d+|"
                   r"command timeout))$", re.M)


def normal_own(err):
    return sorted(WORDS.findall(PROGRESS.sub("\n", err)))


def compare(case):
    tool, checks, args, n = case
    down = any("@DOWN" in a for a in args)
    base = os.path.join(DIR, "runs", str(n))
    results = []
    for who, make in (("real", real_argv), ("ours", ours_argv)):
        run_dir = os.path.join(base, who)
        argv, env = make(tool, [expand(a, run_dir) for a in args])
        results.append(run(argv, env, run_dir))
    (ro, re_, rs, rf), (oo, oe, os_, of) = results
    diffs = []
    if "out" in checks and normal_out(tool, args, ro, down) != \
            normal_out(tool, args, oo, down):
        diffs.append("stdout:\n--- %s\n%s--- ringrun\n%s" % (tool, ro, oo))
    if "err" in checks and normal_err(re_) != normal_err(oe):
        diffs.append("stderr:\n--- %s\n%s--- ringrun\n%s" % (tool, re_, oe))
    if "own" in checks and normal_own(re_) != normal_own(oe):
        diffs.append("own words:\n--- %s\n%s--- ringrun\n%s" % (tool, re_, oe))
    if "status" in checks and rs != os_:
        diffs.append("status: %s %d, ringrun %d" % (tool, rs, os_))
    if "files" in checks and rf != of:
        diffs.append("files: %s %r, ringrun %r" % (tool, rf, of))
    return tool, args, diffs


def read_cases():
    cases = []
    with open(CASES) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            words = shlex.split(line)
            cases.append((words[0], words[1].split(","), words[2:]))
    return cases


# Generated: commands of these pieces, on some of the hosts, with flags.
PIECES = ["echo w%d", "printf 'l1\\nl2\\n'", "echo e%d >&2", "printf 'x%d'",
          "true", "printf 'a\\n\\nb\\n'", "echo 'sp  aced'"]
FLAGS = {
    "pdsh": ["-N", "-S", "-f 2", "-u 30", "-t 5"],
    "clush": ["-N", "-S", "-L", "-f 2", "-u 30", "-t 5", "-q"],
    "pssh": ["-i", "-P", "-p 2", "-t 30", "-o @OUT", "-e @ERR"],
}


def generate(rng):
    tool = rng.choice(sorted(FLAGS))
    flags = [f for f in FLAGS[tool] if rng.random() < 0.35]
    if "-i" in flags and "-P" in flags:
        flags.remove("-P")
    hosts = rng.sample(["@H1", "@H2", "@H3"], rng.randint(1, 3))
    if rng.random() < 0.15:
        hosts.append("@DOWN")
    pieces = [rng.choice(PIECES).replace("%d", str(rng.randint(0, 99)))
              for _ in range(rng.randint(1, 3))]
    if "-P" in flags:  # pssh -P prefixes each read, not each line
        pieces = ["echo p%d" % rng.randint(0, 99)]
    if tool == "pdsh":  # pdsh glues the next line to one without its \n
        pieces = [p for p in pieces if not p.startswith("printf 'x")]
    pieces.append("exit %d" % rng.choice([0, 0, 1, 3, 7]))
    args = []
    for f in flags:
        args += f.split()
    if tool == "pdsh":
        args = ["-R", "ssh"] + args + ["-w", ",".join(hosts)]
    elif tool == "clush":
        args += ["-w", ",".join(hosts)]
    elif rng.random() < 0.3:  # pssh's -H "a b"
        args += ["-H", " ".join(hosts)]
    else:
        for h in hosts:
            args += ["-H", h]
    checks = ["out", "status"]
    if tool != "pssh":
        checks.append("own")
    if "@DOWN" not in hosts:
        checks.append("err")
    if any(f.startswith(("-o", "-e")) for f in flags) and "@DOWN" not in hosts:
        checks.append("files")
    return tool, checks, args + ["; ".join(pieces)]


# pdsh -q's target lists: names of these prefixes, numbers of some widths,
# runs up and down; no host twice (ringrun runs a host once, pdsh as often
# as it is listed), never all left out (a usage error: pdsh's status 1,
# ringrun's 2).
Q_PREFIXES = ["h", "n0", "r1-n", "x", "10.0.0.", "web", "db-"]
Q_FLAGS = ["-N", "-l bob", "-t 3", "-u 9", "-f 4", "-x @X"]


def q_name(rng):
    prefix = rng.choice(Q_PREFIXES)
    if rng.random() < 0.08:
        return prefix + "z"  # no number
    n = rng.randint(0, 120)
    return prefix + str(n).zfill(rng.choice([1, 1, 2, 3]))


def generate_q(rng):
    names, items = set(), []
    for _ in range(rng.randint(1, 6)):
        start = q_name(rng)
        run = [start]
        m = re.match(r"(.*?)(\d+)$", start)
        if m and rng.random() < 0.5:
            step = rng.choice([1, 1, -1])
            num = int(m.group(2))
            for _ in range(rng.randint(1, 4)):
                num += step
                if num < 0:
                    break
                run.append(m.group(1) + str(num).zfill(len(m.group(2))))
        for name in run:
            if name not in names:
                names.add(name)
                items.append(name)
    args = ["-R", "ssh", rng.choice(["-q", "-q", "-Q"])]
    for f in Q_FLAGS:
        if rng.random() < 0.25 and (len(items) > 1 or "@X" not in f):
            args += f.replace("@X", rng.choice(items)).split()
    args += ["-w", ",".join(items)]
    if rng.random() < 0.7:
        args += ["echo", "q%d" % rng.randint(0, 99)]
    return "pdsh", ["out", "status"], args


def main():
    rng = random.Random(SEED)
    cases = read_cases() + [generate(rng) for _ in range(GENERATED)]
    cases += [generate_q(rng) for _ in range(GENERATED_Q)]
    cases.append(("pdsh", ["out", "status"], ["-R", "ssh", "-q", "-w", ",".join(
        "h%d" % n for n in range(1, 3000, 2))]))  # folded past 1023 bytes
    cases = [(t, c, a, n) for n, (t, c, a) in enumerate(cases)]
    agreed, total, bad = {}, {}, 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        for tool, args, diffs in pool.map(compare, cases):
            total[tool] = total.get(tool, 0) + 1
            agreed[tool] = agreed.get(tool, 0) + (not diffs)
            if diffs:
                bad += 1
                print("%s %s:\n%s\n" % (tool, shlex.join(args), "\n".join(diffs)))
    for tool in sorted(total):
        print("oracle %s: %d/%d" % (tool, agreed[tool], total[tool]), file=sys.stderr)
    return 1 if bad else 0


sys.exit(main())
