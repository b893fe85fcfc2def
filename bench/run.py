#!/usr/bin/env python3
"""ringrun bench: every comparison in one run.  See README.md.

    run.py --ringrun PATH --bin DIR [--rounds N] [--only KEY|GROUP,...]
           [--stdin-mib N] [--tmpfs DIR]

A workload is one entry in WORKLOADS, a tool one entry in TOOLS, a target one
entry in TARGETS: adding a comparison means adding entries, not code.  Every
tool is first run once and its output checked (a tool that fails gets no
time), then all tools run round-robin, ROUNDS times, under bench/measure.
The SSH workloads (group "ssh") run against loopback hosts served by real
sshds started here (class Fleet) and stopped by their pids when the bench
ends, failed, interrupted or not.  The control workloads (group "control",
issue 8) use that fleet too: "stop" times Ctrl-C to the last remote
process gone (run_stop), "stdin" streams bytes through each tool
(run_stdin).  The python workloads (group "python", issue 9) run the ringrun
Python package against asyncio's subprocesses, asyncssh and paramiko, each
side one Python process (py_local.py, py_ssh.py); py-ssh uses the fleet.
The copy workloads (group "copy", issue 10) send one file to every host of
the fleet (ringrun --copy against pdcp, clush, parallel-scp, GNU parallel
with scp), 20 MiB to 50 hosts and 4 KiB to 200, one big file to one host
(against scp and sftp), and a tree of 1000 small files to 20 hosts and back
(-r, against pdcp/rpdcp, clush, parallel-scp/parallel-slurp), source and
destination on a tmpfs (--tmpfs).
The report goes to stdout and bench/results/latest.txt; every figure, raw
rounds included, to bench/results/latest.json.
"""
import argparse
import collections
import filecmp
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from string import Template

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
MIB = 1 << 20
# Debian's python3 (what mk/deps.sh installs), not a version-manager shim
# whose own start-up would be timed.
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


@dataclass
class Tool:
    """How to run a runner.  argv is a template: ${j} jobs at once,
    ${inputs} the input file, ${cmd} the command with {} for the input
    line, ${ringrun} and ${bin} (our build dir) the programs.  SSH
    workloads add the hosts (Fleet.subst): ${hosts} a,b,... (ports are
    in ${ssh_config}), ${hostports} a:port,..., ${hostfile} one per line,
    ${key}, ${known_hosts}, ${ssh_config}, ${ssh_config_cm} (the same
    with ControlMaster), ${clush_dir}, ${per_host} inputs per host and
    ${cmd_i} the command with $i for {} (for a shell loop)."""
    argv: list
    label: str
    max_rounds: int = 0        # 0: as many as --rounds
    env: dict = field(default_factory=dict)  # more environment, templated too
    output: str = ""           # SSH: how its output names hosts (HOST_OUTPUT)
    reap: bool = False         # measure -r: end and count what it leaves behind
    own: bool = True           # its own RSS means something (not a shell loop)
    needs: str = ""            # the program that must be installed (default argv[0])
    floor: str = ""            # stdin: the tool whose rate this one's is divided by
    imports: str = ""          # a Python module it needs; "ringrun": the package,
                               # found from ${py_path} and ${ringrun_lib}
    lib: bool = False          # a program of ${bin} that calls libringrun: a
                               # ringrun row, built only with the library


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

# The SSH tools.  Every one gets the same client key, known_hosts and sshds;
# the OpenSSH-based ones get them from one ssh_config (ssh -F: IdentityFile,
# UserKnownHostsFile, StrictHostKeyChecking yes, BatchMode yes, a Port per
# Host block; see Fleet.write_configs), so nothing reads ~/.ssh.  ${j} is
# the number of hosts at once: every host at once for every tool.
PDSH_ENV = {"PDSH_SSH_ARGS": "-F ${ssh_config} -x -a -l%u %h"}
TOOLS.update({
    "ringrun-w": Tool(["${ringrun}", "-w", "${hostports}", "-i", "${key}",
                       "--known-hosts", "${known_hosts}", "-j", "${j}",
                       "${cmd}"], "ringrun -w", output="ringrun"),
    "ringrun-wa": Tool(["${ringrun}", "-w", "${hostports}", "-i", "${key}",
                        "--known-hosts", "${known_hosts}", "-j", "${j}",
                        "--per-host", "${per_host}", "-a", "${inputs}",
                        "${cmd}"], "ringrun -w -a", output="ringrun"),
    "pdsh": Tool(["pdsh", "-R", "ssh", "-S", "-f", "${j}", "-w", "${hosts}",
                  "${cmd}"], "pdsh -R ssh", env=PDSH_ENV, output="prefix"),
    # pdsh runs one command on many hosts: 10 commands are 10 pdsh runs,
    # one after the other (10 at once would be 500 handshakes at once).
    "pdsh-loop": Tool(["/bin/sh", "-c", "while read -r i; do pdsh -R ssh -S "
                       "-f ${j} -w ${hosts} \"${cmd_i}\" || exit; done "
                       "<${inputs}"], "pdsh -R ssh, once per input",
                      env=PDSH_ENV, output="prefix", own=False, needs="pdsh"),
    "pssh": Tool(["parallel-ssh", "-h", "${hostfile}", "-p", "${j}",
                  "-x", "-F ${ssh_config}", "-i", "${cmd}"],
                 "parallel-ssh -i", output="pssh"),
    "clush": Tool(["clush", "-S", "-f", "${j}", "-w", "${hosts}", "${cmd}"],
                  "clush", env={"CLUSTERSHELL_CFGDIR": "${clush_dir}"},
                  output="prefix"),
    "parallel-nonall": Tool(["parallel", "--will-cite", "--nonall",
                             "-j", "${j}", "--ssh", "ssh -F ${ssh_config}",
                             "-S", "${hosts}", "--tag", "${cmd}"],
                            "GNU parallel --nonall", output="tab",
                            max_rounds=1),     # ~11 s for 50 hosts
    # --onall: one sub-parallel per host (${j} hosts at once) running the
    # host's inputs one at a time over ssh; ControlMaster auto +
    # ControlPersist (ssh_config_cm) so each host's jobs share one
    # connection.  The masters detach from the tree: measure -r ends them
    # when parallel exits and counts their CPU as parallel's.
    "parallel-onall": Tool(["parallel", "--will-cite", "--onall",
                            "-j", "${j}", "--ssh", "ssh -F ${ssh_config_cm}",
                            "-S", "${hosts}", "--tag", "${cmd}",
                            "::::", "${inputs}"],
                           "GNU parallel --onall, ControlMaster",
                           output="tab", reap=True),
    # Collated output: identical outputs once, under the hosts that gave them.
    "ringrun-collate": Tool(["${ringrun}", "-w", "${hostports}", "-i", "${key}",
                             "--known-hosts", "${known_hosts}", "-j", "${j}",
                             "-o", "collate", "${cmd}"], "ringrun -o collate"),
    "clush-b": Tool(["clush", "-S", "-b", "-f", "${j}", "-w", "${hosts}",
                     "${cmd}"], "clush -b",
                    env={"CLUSTERSHELL_CFGDIR": "${clush_dir}"}, needs="clush"),
    "pdsh-dshbak": Tool(["/bin/sh", "-c", "pdsh -R ssh -S -f ${j} -w ${hosts} "
                         "\"${cmd}\" | dshbak -c"], "pdsh | dshbak -c",
                        env=PDSH_ENV, own=False, needs="dshbak"),
})

# Control of running work (issue 8).  stop: every tool gets one SIGINT;
# pdsh runs with -b (batch mode), without which its first SIGINT only lists
# the hosts still running and only a second one within a second ends it.
TOOLS.update({
    "pdsh-b": Tool(["pdsh", "-b", "-R", "ssh", "-S", "-f", "${j}", "-w",
                    "${hosts}", "${cmd}"], "pdsh -b -R ssh", env=PDSH_ENV),
})
# stdin: a stream piped into each tool (stdin_feed), which hands it to
# ${cmd}.  The floors run ${cmd} with no runner in between: /bin/sh here,
# OpenSSH's ssh to the host.  A second ssh row uses the cipher and MAC that
# libssh2 1.10 (ringrun) negotiates with this sshd: it cannot do
# chacha20-poly1305 or AES-GCM, ssh's first choices.
TOOLS.update({
    "stdin-sh": Tool(["/bin/sh", "-c", "${cmd}"], "sh -c (local floor)"),
    "ringrun-stdin": Tool(["${ringrun}", "--stdin", "${cmd}"],
                          "ringrun --stdin, 1 task", floor="stdin-sh"),
    "ringrun-stdin-C": Tool(["${ringrun}", "--stdin", "-j", "${j}",
                             "-C", "${inputs}"],
                            "ringrun --stdin, 4 tasks", floor="stdin-sh"),
    "stdin-ssh": Tool(["ssh", "-F", "${ssh_config}", "${hosts}", "${cmd}"],
                      "ssh (SSH floor)"),
    "stdin-ssh-aes": Tool(["ssh", "-F", "${ssh_config}", "-c", "aes128-ctr",
                           "-m", "hmac-sha2-256", "${hosts}", "${cmd}"],
                          "ssh, libssh2's cipher", floor="stdin-ssh"),
    "ringrun-w-stdin": Tool(["${ringrun}", "-w", "${hostports}", "-i",
                             "${key}", "--known-hosts", "${known_hosts}",
                             "--stdin", "${cmd}"], "ringrun -w --stdin",
                            floor="stdin-ssh"),
})

# From Python (issue 9), group "python": the ringrun package against what a
# Python program uses today.  py_local.py runs 5000 commands by exec, J at
# once; py_ssh.py one command on every host.  Each --side is one row.
PY_LOCAL = [PYTHON, os.path.join(HERE, "py_local.py"), "-j", "${j}",
            "-a", "${inputs}", "${cmd}", "--side"]
PY_SSH = [PYTHON, os.path.join(HERE, "py_ssh.py"), "--hosts", "${hostports}",
          "--key", "${key}", "--known-hosts", "${known_hosts}", "-j", "${j}",
          "${cmd}", "--side"]
TOOLS.update({
    "py-rr-many": Tool(PY_LOCAL + ["ringrun-many"], "ringrun.run_many",
                       imports="ringrun"),
    "py-rr-exec": Tool(PY_LOCAL + ["ringrun-exec"],
                       "ringrun.create_subprocess_exec", imports="ringrun"),
    "py-asyncio": Tool(PY_LOCAL + ["asyncio"], "asyncio.create_subprocess_exec"),
    # The same commands by exec without Python: the CLI (what the package
    # adds) and the spawn floor (its CPU per job bounds every side's rate).
    "ringrun-X": Tool(["${ringrun}", "-X", "-j", "${j}", "-a", "${inputs}",
                       "${cmd_words}"], "ringrun -X (CLI)"),
    "floor-X": Tool(["${bin}/floor", "-X", "-j", "${j}", "-a", "${inputs}",
                     "${cmd}"], "spawn floor, exec"),
    "py-rr-fleet": Tool(PY_SSH + ["ringrun"], "ringrun.fleet().run",
                        imports="ringrun", output="prefix"),
    "py-asyncssh": Tool(PY_SSH + ["asyncssh"], "asyncssh, gather",
                        imports="asyncssh", output="prefix"),
    "py-paramiko": Tool(PY_SSH + ["paramiko"], "paramiko, threads",
                        imports="paramiko", output="prefix"),
})

# File copy (issue 10), group "copy": ${src} (random bytes) to ${dest} (a
# directory on a tmpfs, emptied before every run) on each host, every host
# at once.  The OpenSSH-based tools take the fleet's ssh_config like the
# SSH tools (scp and sftp accept -F; clush hands its ssh_options to scp);
# pdcp runs pdcp on the host (this machine) through ssh.  parallel-scp
# always runs `scp -qC`: compression on, which no option turns off.
COPY_RR = ["${ringrun}", "-w", "${hostports}", "-i", "${key}",
           "--known-hosts", "${known_hosts}", "-j", "${j}",
           "--copy", "${src}", "--dest", "${dest}"]
TOOLS.update({
    "ringrun-copy": Tool(COPY_RR, "ringrun --copy"),
    # The library alone (bench/copy_put.c): one rr_put() per host.
    "rr-put": Tool(["${bin}/copy_put", "-i", "${key}", "-k", "${known_hosts}",
                    "${src}", "${dest}", "${hostports}"], "rr_put (library)",
                   lib=True),
    "pdcp": Tool(["pdcp", "-R", "ssh", "-f", "${j}", "-w", "${hosts}",
                  "${src}", "${dest}"], "pdcp -R ssh", env=PDSH_ENV),
    "clush-copy": Tool(["clush", "-S", "-f", "${j}", "-w", "${hosts}",
                        "--copy", "${src}", "--dest", "${dest}"],
                       "clush --copy",
                       env={"CLUSTERSHELL_CFGDIR": "${clush_dir}"}),
    "pscp": Tool(["parallel-scp", "-h", "${hostfile}", "-p", "${j}",
                       "-x", "-F ${ssh_config}", "${src}", "${dest}"],
                      "parallel-scp"),
    "gnu-parallel-scp": Tool(["parallel", "--will-cite", "-j", "${j}",
                              "-a", "${hostfile}", "scp", "-F",
                              "${ssh_config}", "${src}", "{}:${dest}/"],
                             "GNU parallel + scp", needs="parallel"),
    # One big file to one host: scp and sftp (batch: "put SRC DEST/"), and
    # scp again with the cipher and MAC libssh2 1.10 (ringrun) negotiates
    # here (see the stdin tools).
    "scp": Tool(["scp", "-F", "${ssh_config}", "${src}", "${hosts}:${dest}/"],
                "scp"),
    "scp-aes": Tool(["scp", "-F", "${ssh_config}", "-c", "aes128-ctr",
                     "-o", "MACs=hmac-sha2-256", "${src}", "${hosts}:${dest}/"],
                    "scp, libssh2's cipher"),
    "sftp-b": Tool(["sftp", "-F", "${ssh_config}", "-b", "${batch}",
                    "${hosts}"], "sftp -b"),
})

# Trees (copy-tree): each tool's recursive copy; clush --copy of a
# directory is recursive by nature (it runs scp -r).  Back (copy-tree-back):
# every host's ${src} into ${dest}, as NAME.HOST (parallel-slurp: HOST/NAME,
# ${name} being the local name it wants).
COPY_RR_R = COPY_RR[:-4] + ["-r", "--copy", "${src}", "--dest", "${dest}"]
TOOLS.update({
    "ringrun-copy-r": Tool(COPY_RR_R, "ringrun -r --copy"),
    "rr-put-r": Tool(["${bin}/copy_put", "-r", "-i", "${key}", "-k",
                      "${known_hosts}", "${src}", "${dest}", "${hostports}"],
                     "rr_put (library), recursive", lib=True),
    "pdcp-r": Tool(["pdcp", "-R", "ssh", "-r", "-f", "${j}", "-w", "${hosts}",
                    "${src}", "${dest}"], "pdcp -r", env=PDSH_ENV),
    "pscp-r": Tool(["parallel-scp", "-r", "-h", "${hostfile}", "-p", "${j}",
                    "-x", "-F ${ssh_config}", "${src}", "${dest}"],
                   "parallel-scp -r"),
    "gnu-parallel-scp-r": Tool(["parallel", "--will-cite", "-j", "${j}",
                                "-a", "${hostfile}", "scp", "-r", "-F",
                                "${ssh_config}", "${src}", "{}:${dest}/"],
                               "GNU parallel + scp -r", needs="parallel"),
    "ringrun-rcopy-r": Tool(COPY_RR[:-4] + ["-r", "--rcopy", "${src}",
                                            "--dest", "${dest}"],
                            "ringrun -r --rcopy"),
    "rpdcp-r": Tool(["rpdcp", "-R", "ssh", "-r", "-f", "${j}", "-w",
                     "${hosts}", "${src}", "${dest}"], "rpdcp -r",
                    env=PDSH_ENV),
    "clush-rcopy": Tool(["clush", "-S", "-f", "${j}", "-w", "${hosts}",
                         "--rcopy", "${src}", "--dest", "${dest}"],
                        "clush --rcopy",
                        env={"CLUSTERSHELL_CFGDIR": "${clush_dir}"}),
    "pslurp-r": Tool(["parallel-slurp", "-r", "-h", "${hostfile}", "-p",
                      "${j}", "-x", "-F ${ssh_config}", "-L", "${dest}",
                      "${src}", "${name}"], "parallel-slurp -r"),
})

# How an SSH tool's output says which host a line came from: "HOST: line",
# "HOST<tab>line", or a header line naming the host above its lines.
HOST_OUTPUT = {
    "prefix": (re.compile(r"^(\S+?): (.*)$"), None),
    "tab": (re.compile(r"^(\S+)\t(.*)$"), None),
    "ringrun": (None, re.compile(r"^---- (\S+?)(?::\d+)?(?: .*)? ----$")),
    "pssh": (None, re.compile(r"^\[\d+\] \S+ \[SUCCESS\] (\S+?)(?::\d+)?$")),
}

# Appended to every sshd's config (tests/sshd/sshd-harness.sh start); the
# KexAlgorithms line is left out with --ssh-kex default (SSH_KEX=default).
SSHD_CONFIG = [
    # Every tool's handshakes at once must not be throttled; MaxSessions
    # stays at its default (10 channels per connection) for every tool.
    "MaxStartups 200:30:400",
    # One key exchange for every client.  OpenSSH 9's ssh prefers
    # sntrup761x25519, which libssh2 (ringrun) cannot do and which costs the
    # ssh client ~60 ms of CPU per connection (curve25519: ~5 ms): left
    # open, that would be measured instead of the runners.
    "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org",
]
SSHD_PER_PROCESS = 16          # addresses one sshd listens on (its build limit)

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
    group: str = "local"       # local | ssh: --only takes a group too
    hosts: int = 0             # ssh: this many hosts (the fleet's first ones)
    per_host: int = 0          # ssh: inputs per host (0: the command once per host)
    max_rounds: int = 0        # 0: as many as --rounds
    in_bytes: int = 0          # stdin: bytes piped into each run (--stdin-mib)
    copy_bytes: int = 0        # copy: size of the file (each file of the
                               # tree) sent to every host
    copy_files: int = 0        # copy: 0 one file; N a tree of N files in
                               # COPY_TREE_FANOUT directories per level
    rcopy: bool = False        # copy: from every host into ${dest}
    runs_with: str = ""        # --only this key runs this workload too
    versus: list = field(default_factory=list)  # copy: ringrun's MiB/s and
                               # CPU over these tools' ("fastest": the fastest other)

    @property
    def fanout(self):
        """Timed runs of a command on each of its hosts (groups ssh and
        python): hosts/s, sshd CPU, output checked per host."""
        return self.kind == "timed" and self.hosts > 0

    @property
    def title(self):
        if self.kind == "stop":
            return (f"Ctrl-C: {self.hosts} hosts x 'sleep 6...' over SSH, "
                    f"SIGINT once every remote sleep runs{self.note}")
        if self.kind == "stdin":
            return (f"{self.in_bytes // MIB} MiB piped through each tool's "
                    f"stdin to {self.cmd!r}{self.note}")
        if self.copy_bytes:
            what = (f"a tree of {self.copy_files} files of {size(self.copy_bytes)}"
                    if self.copy_files else f"one {size(self.copy_bytes)} file")
            return (f"{what} {'from' if self.rcopy else 'to'} {self.hosts} "
                    f"host{'s' if self.hosts > 1 else ''} over SSH"
                    f"{', all at once' if self.hosts > 1 else ''}, "
                    f"destination on a tmpfs{self.note}")
        if self.fanout and self.per_host:
            return (f"{self.hosts} hosts x {self.per_host} commands "
                    f"{self.cmd!r} ({self.n} commands) over SSH, all hosts at "
                    f"once{self.note}")
        if self.fanout:
            return (f"{self.hosts} hosts x {self.cmd!r} over SSH, all hosts "
                    f"at once{self.note}")
        return f"{self.n} x {self.cmd!r}, {self.j} at a time{self.note}"

    @property
    def unit(self):
        if self.kind == "stdin" or self.copy_bytes >= MIB:
            return "MiB/s"
        if self.copy_bytes:
            return "files/s"
        if self.kind == "stop":
            return "s"
        if self.fanout:
            return "cmds/s" if self.per_host else "hosts/s"
        return "MB/s" if self.check == "bytes" else "jobs/s"


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

# The SSH workloads: hosts are the fleet's first N; every tool runs on every
# host at once.  SSH runs take seconds each (the sshds' CPU bounds them): 3
# rounds at most.
SSH_ONCE = ["ringrun-w", "pdsh", "pssh", "clush"]
SSH_ROUNDS = 3
WORKLOADS += [
    Workload("ssh-true-50", 50, 50, "true", SSH_ONCE, group="ssh", hosts=50,
             check="hosts", max_rounds=SSH_ROUNDS),
    Workload("ssh-echo-50", 50, 50, "echo hello",
             SSH_ONCE + ["parallel-nonall"], group="ssh", hosts=50,
             check="hosts", max_rounds=SSH_ROUNDS),
    Workload("ssh-true-200", 200, 200, "true", SSH_ONCE, group="ssh",
             hosts=200, check="hosts", max_rounds=SSH_ROUNDS),
    Workload("ssh-echo-200", 200, 200, "echo hello", SSH_ONCE, group="ssh",
             hosts=200, check="hosts", max_rounds=SSH_ROUNDS),
    Workload("ssh-collate-50", 50, 50, "uname -s",
             ["ringrun-collate", "clush-b", "pdsh-dshbak"], group="ssh",
             hosts=50, check="collated", max_rounds=SSH_ROUNDS,
             note=", identical outputs merged under their hosts"),
    Workload("ssh-cmds-50", 500, 50, "echo {}",
             ["ringrun-wa", "pdsh-loop", "parallel-onall"], group="ssh",
             hosts=50, per_host=10, check="hosts", max_rounds=SSH_ROUNDS,
             note="; ringrun: 10 channels on one connection per host"),
]


# Control of running work (issue 8), group "control".  stop: Ctrl-C to
# every remote process gone (run_stop); the fleet's first 200 hosts, all at
# once.  stdin: a stream to one task, to 4 (the -C file: the command 4
# times) and to one loopback host, against the floors (run_stdin); the
# check runs 'wc -c' instead of the command.
WORKLOADS += [
    Workload("stop", 200, 200, "sleep", ["ringrun-w", "pdsh-b", "pssh", "clush"],
             kind="stop", group="control", hosts=200, max_rounds=3),
    Workload("stdin", 4, 4, "cat >/dev/null",
             ["stdin-sh", "ringrun-stdin", "ringrun-stdin-C", "stdin-ssh",
              "stdin-ssh-aes", "ringrun-w-stdin"],
             kind="stdin", group="control", hosts=1, inputs="cat >/dev/null",
             check="stdin", max_rounds=3),
]


# From Python (issue 9): the ringrun package against asyncio's subprocesses,
# asyncssh and paramiko, in one process each (bench/py_local.py, py_ssh.py).
WORKLOADS += [
    Workload("py-local", 5000, 64, "echo {}",
             ["py-rr-many", "py-rr-exec", "py-asyncio", "ringrun-X",
              "floor-X"], group="python", check="lines", ceiling="floor-X",
             note=" from asyncio, by exec (no shell)"),
    Workload("py-ssh", 200, 200, "echo hello",
             ["py-rr-fleet", "py-asyncssh", "py-paramiko", "ringrun-w"],
             group="python", hosts=200, check="hosts", max_rounds=SSH_ROUNDS,
             note=", from Python (and the CLI: what the package adds)"),
]


# File copy (issue 10), group "copy": one file to many hosts, one big file
# to one host.  The destination is a directory on a tmpfs (--tmpfs), so the
# disk is not what is measured; every host is this machine, so they all
# write the same path (ringrun through a temporary name and a rename, the
# others in place): the timing is what counts, and the check run's file must
# be the source's bytes, alone in the directory.
WORKLOADS += [
    Workload("copy-fleet", 50, 50, "",
             ["ringrun-copy", "rr-put", "pdcp", "clush-copy", "pscp",
              "gnu-parallel-scp"], group="copy", hosts=50, check="copy",
             copy_bytes=20 * MIB, max_rounds=SSH_ROUNDS, versus=["fastest"]),
    Workload("copy-big", 1, 1, "",
             ["ringrun-copy", "rr-put", "scp", "scp-aes", "sftp-b"],
             group="copy", hosts=1, check="copy", copy_bytes=256 * MIB,
             max_rounds=SSH_ROUNDS, versus=["scp", "scp-aes"]),
]

# Where fan-out, connection set-up and per-file round trips are the cost,
# not bytes: configuration and code go to many hosts as small files and
# trees.  copy-small runs every tool at 200 hosts at once (each one's -f,
# -p, -j took 200 here); copy-tree sends 1000 files, copy-tree-back
# (run by --only copy-tree too) fetches them from every host into
# ${dest}/NAME.HOST (parallel-slurp: ${dest}/HOST/NAME).
WORKLOADS += [
    Workload("copy-small", 200, 200, "",
             ["ringrun-copy", "rr-put", "pdcp", "clush-copy", "pscp",
              "gnu-parallel-scp"], group="copy", hosts=200, check="copy",
             copy_bytes=4096, max_rounds=SSH_ROUNDS, versus=["fastest"]),
    Workload("copy-tree", 20, 20, "",
             ["ringrun-copy-r", "rr-put-r", "pdcp-r", "clush-copy", "pscp-r",
              "gnu-parallel-scp-r"], group="copy", hosts=20, check="copy",
             copy_bytes=4096, copy_files=1000, max_rounds=SSH_ROUNDS,
             versus=["fastest"]),
    Workload("copy-tree-back", 20, 20, "",
             ["ringrun-rcopy-r", "rpdcp-r", "clush-rcopy", "pslurp-r"],
             group="copy", hosts=20, check="copy", copy_bytes=4096,
             copy_files=1000, rcopy=True, runs_with="copy-tree",
             max_rounds=SSH_ROUNDS, versus=["fastest"]),
]


@dataclass
class Target:
    text: str
    workload: str
    metric: str                # rate: rr/vs rate; time: rr/vs wall; cpu: rr/vs client CPU;
                               # per_job: rr syscalls per job
    vs: str = ""
    need: float = 0.0          # rate: at least; time, per_job: at most
    rr: str = ""               # the ringrun tool measured ("": the workload's first)


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
    Target("200 hosts in <= 0.6 x pdsh's wall time", "ssh-true-200",
           "time", "pdsh", 0.6),
    Target("200 hosts in <= 0.6 x pdsh's wall time", "ssh-echo-200",
           "time", "pdsh", 0.6),
    Target("200 hosts with <= 1/8 of pdsh's client CPU", "ssh-true-200",
           "cpu", "pdsh", 1 / 8),
    Target("200 hosts with <= 1/8 of pdsh's client CPU", "ssh-echo-200",
           "cpu", "pdsh", 1 / 8),
    Target("50 hosts collated in <= 0.7 x clush -b's wall time",
           "ssh-collate-50", "time", "clush-b", 0.7),
    Target("50 hosts collated in <= 0.7 x pdsh | dshbak -c's wall time",
           "ssh-collate-50", "time", "pdsh-dshbak", 0.7),
    Target("50 hosts collated with <= 1/5 of clush -b's client CPU",
           "ssh-collate-50", "cpu", "clush-b", 1 / 5),
    Target("50 hosts x 10 commands >= 4 x faster than pdsh", "ssh-cmds-50",
           "rate", "pdsh-loop", 4.0),
    Target("50 hosts x 10 commands >= 2 x faster than GNU parallel with "
           "ControlMaster", "ssh-cmds-50", "rate", "parallel-onall", 2.0),
    Target("Python: run_many >= 2 x asyncio's rate", "py-local", "rate",
           "py-asyncio", 2.0, rr="py-rr-many"),
    Target("Python: create_subprocess_exec >= 2 x asyncio's rate", "py-local",
           "rate", "py-asyncio", 2.0, rr="py-rr-exec"),
    Target("Python: 200 hosts >= 3 x asyncssh's hosts/s", "py-ssh", "rate",
           "py-asyncssh", 3.0),
    Target("Python: 200 hosts with <= 1/4 of asyncssh's client CPU", "py-ssh",
           "cpu", "py-asyncssh", 1 / 4),
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


def size(n):
    """4 KiB, 20 MiB: a copy workload's file size."""
    return f"{n // MIB} MiB" if n >= MIB else f"{n // 1024} KiB"


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
def run(argv, timeout=RUN_TIMEOUT, env=None, stdout=subprocess.PIPE):
    """Run argv in its own session; return (status, stdout, stderr)."""
    env = dict(os.environ, **ENV_OVERRIDES, **(env or {}))
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                         stdout=stdout, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(p.pid)
        out, err = p.communicate()
        return -1, out, err + f"\ntimed out after {timeout} s".encode()
    except BaseException:      # interrupted: do not leave the run behind
        kill_tree(p.pid)
        p.wait()
        raise
    return p.returncode, out, err


def kill_tree(root):
    """SIGKILL root and all its descendants, by pid.  Its process group is
    not enough: GNU parallel puts every job in a group of its own.  The tree
    is frozen (SIGSTOP) until no new process shows up, then killed, so
    nothing is re-parented away while we look."""
    seen = set()
    for _ in range(20):
        children = collections.defaultdict(list)
        for d in os.listdir("/proc"):
            st = proc_stat(d) if d.isdigit() else None
            if st:
                children[st[0]].append(int(d))
        tree, todo = set(), [root]
        while todo:
            pid = todo.pop()
            if pid not in tree:
                tree.add(pid)
                todo += children.get(pid, [])
        new = tree - seen
        for pid in new:
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                pass
        seen |= tree
        if not new:
            break
    for pid in seen:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def measure(ctx, argv, *, out="/dev/null", count=False, own=False,
            reap=False, env=None):
    """Run argv under bench/measure; return its key=value report as a dict,
    with the tool's stderr under "stderr"."""
    m = [os.path.join(ctx.bin, "measure")]
    m += ["-x"] if own else []
    m += ["-r"] if reap else []
    m += ["-c"] if count else ["-o", out]
    rc, stdout, stderr = run(m + ["--"] + argv, env=env)
    if rc != 0:
        return {"status": -1, "stderr": stderr.decode(errors="replace")}
    rep = {k: int(v) for k, v in
           (kv.split("=") for kv in stdout.decode().split())}
    rep["stderr"] = stderr.decode(errors="replace")
    return rep


def measure_tool(ctx, w, name, **kw):
    """measure() one run of a tool on a workload.  For SSH, also the sshds'
    CPU over the run (server_ns) and what their logs say (log): the run
    starts and ends with no sshd session left, so the listeners' own CPU
    plus the CPU of the sessions they reaped is all the server did.
    A stdin workload pipes its stream into the tool."""
    tool = TOOLS[name]
    if w.copy_bytes:
        empty_dest(ctx, w)
    argv, env = tool_argv(ctx, tool, w), tool_env(ctx, tool, w)
    if w.kind == "stdin":
        argv = stdin_feed(w) + argv
    if not w.hosts:
        return measure(ctx, argv, env=env, **kw)
    fleet = ctx.fleet
    fleet.quiesce()
    mark, cpu0 = fleet.log_mark(), fleet.cpu_s()
    rep = measure(ctx, argv, env=env, reap=tool.reap, **kw)
    settled = fleet.quiesce()
    rep["server_ns"] = int((fleet.cpu_s() - cpu0) * 1e9)
    rep["log"] = fleet.log_since(mark)
    if not settled:
        rep["log"]["trouble"].append(
            f"sshd sessions still running {QUIESCE_S} s after the tool ended")
    return rep


def subst(ctx, w):
    d = {"ringrun": ctx.ringrun, "bin": ctx.bin, "j": str(w.j),
         "inputs": ctx.inputs[w.key], "cmd": w.cmd}
    if w.hosts:
        d.update(ctx.fleet.subst(w))
    if w.copy_bytes:
        d.update(copy_files(ctx, w))
    return d


def copy_files(ctx, w):
    """${src}, ${dest}, ${batch}, ${name} of a copy workload, made at first
    use in ctx.copy_dir (on the tmpfs): the source, random bytes (nothing
    on the way can compress them), a file or a tree (make_tree); the
    destination directory; sftp's batch file; the source's name."""
    if ctx.copy_dir is None:
        ctx.copy_dir = tempfile.mkdtemp(prefix="ringrun-bench-copy-",
                                        dir=ctx.tmpfs)
    name = "tree" if w.copy_files else f"{w.key}.bin"
    src = os.path.join(ctx.copy_dir, "src", w.key, name)
    dest = os.path.join(ctx.copy_dir, w.key)
    batch = os.path.join(ctx.work, f"batch-{w.key}")
    if not os.path.exists(batch):
        os.makedirs(os.path.dirname(src))
        os.makedirs(dest)
        if w.copy_files:
            make_tree(src, w.copy_files, w.copy_bytes)
        else:
            random_file(src, w.copy_bytes)
        with open(batch, "w") as f:
            f.write(f"put {src} {dest}/\n")
    return {"src": src, "dest": dest, "batch": batch, "name": name}


def random_file(path, n):
    with open(path, "wb") as f:
        for at in range(0, n, MIB):
            f.write(os.urandom(min(MIB, n - at)))


def make_tree(top, files, n):
    """files files of n random bytes in 3 levels below top: dI/dJ/fK, 10
    directories a level, 10 files in each of the last."""
    for i in range(files):
        path = os.path.join(top, f"d{i // 100}", f"d{i // 10 % 10}",
                            f"f{i % 10}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        random_file(path, n)


def empty_dest(ctx, w):
    """Remove what an earlier run of a copy workload left in ${dest}: every
    run creates its file."""
    dest = copy_files(ctx, w)["dest"]
    for name in os.listdir(dest):
        path = os.path.join(dest, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def tool_argv(ctx, tool, w):
    """tool.argv filled in; "${cmd_words}" becomes the command's words
    (split at spaces, for a tool that runs it without a shell)."""
    d = subst(ctx, w)
    argv = []
    for a in tool.argv:
        argv += w.cmd.split() if a == "${cmd_words}" else [Template(a).substitute(d)]
    return argv


def py_env(ctx, tool):
    """What a tool that imports the ringrun package gets: the package and
    the library it loads (this tree's unless --py-path, --ringrun-lib)."""
    if tool.imports != "ringrun":
        return {}
    return {"PYTHONPATH": ctx.py_path, "RINGRUN_LIB": ctx.ringrun_lib}


def tool_env(ctx, tool, w):
    d = subst(ctx, w)
    return dict({k: Template(v).substitute(d) for k, v in tool.env.items()},
                **py_env(ctx, tool))


def is_ringrun(name):
    """The CLI, a side that runs the Python package, or a program that
    calls the library."""
    return (TOOLS[name].argv[0] == "${ringrun}" or
            TOOLS[name].imports == "ringrun" or TOOLS[name].lib)


def rr_key(tools):
    """The ringrun entry among a workload's tools ("ringrun" if none)."""
    return next((k for k in tools if is_ringrun(k)), "ringrun")


def tool_missing(ctx, name):
    argv0 = TOOLS[name].needs or TOOLS[name].argv[0]
    if TOOLS[name].imports:
        return python_missing(ctx, name)
    if TOOLS[name].lib:
        path = Template(argv0).substitute(bin=ctx.bin)
        return "" if os.access(path, os.X_OK) else (
            f"not built ({path}: bench/Makefile builds it when "
            f"lib/libringrun.so.0 is there)")
    if is_ringrun(name):
        if not ctx.ringrun or not os.access(ctx.ringrun, os.X_OK):
            return f"not built ({ctx.ringrun or 'no --ringrun'})"
        if "-w" in TOOLS[name].argv and "--hosts" not in ringrun_help(ctx):
            return f"{ctx.ringrun} has no fleet mode (no -w in its --help)"
        if "--copy" in TOOLS[name].argv and "--copy" not in ringrun_help(ctx):
            return f"{ctx.ringrun} cannot copy files (no --copy in its --help)"
        return ""
    if "$" in argv0 or os.path.isabs(argv0):
        return ""
    return "" if shutil.which(argv0, path=ENV_OVERRIDES["PATH"]) else "not installed"


def python_missing(ctx, name):
    """"" if the tool's Python module imports, with the tool's environment."""
    tool = TOOLS[name]
    rc, _, err = run([PYTHON, "-c", f"import {tool.imports}"], timeout=60,
                     env=py_env(ctx, tool))
    return "" if rc == 0 else (f"cannot import {tool.imports}: "
                               f"{tail(err.decode(errors='replace'), 1)}")


def ringrun_help(ctx):
    """ringrun --help's text, "" if it failed; run once."""
    if not hasattr(ctx, "help"):
        rc, out, _ = run([ctx.ringrun, "--help"], timeout=30)
        ctx.help = out.decode(errors="replace") if rc == 0 else ""
    return ctx.help


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


def hosts_error(ctx, w, name, path, log):
    """"" if every host printed what the command prints here, nothing else,
    and the sshd logs show every host ran it (and no server trouble)."""
    with open(path, errors="replace") as f:
        text = f.read()
    os.unlink(path)
    line_re, head_re = HOST_OUTPUT[TOOLS[name].output]
    got, stray, host = collections.Counter(), 0, None
    for line in text.splitlines():
        m = (head_re or line_re).match(line)
        if head_re and m:
            host = m.group(1)
        elif head_re and host:
            got[(host, line)] += 1
        elif m and not head_re:
            got[(m.group(1), m.group(2))] += 1
        else:
            stray += 1
    want = collections.Counter(
        {(a, line): n for a, _ in ctx.fleet.hosts[:w.hosts]
         for line, n in collections.Counter(ctx.expect[w.key]).items()})
    errors = []
    if got != want or stray:
        missing, extra = want - got, got - want
        errors.append(
            f"output: {sum(missing.values())} expected host lines missing, "
            f"{sum(extra.values())} unexpected, {stray} not naming a host"
            + (f" (e.g. {min(missing)})" if missing else "")
            + (f" (e.g. {min(extra)})" if extra else ""))
    return "; ".join(errors + sshd_errors(ctx, w, log))


def sshd_errors(ctx, w, log):
    """What the sshd logs of a run say went wrong: a host never connected
    to, fewer sessions than the workload's commands, trouble lines."""
    errors = []
    idle = [a for a, _ in ctx.fleet.hosts[:w.hosts] if not log["conns"][a]]
    if idle:
        errors.append(f"sshd: {len(idle)} hosts never connected to "
                      f"(e.g. {idle[0]})")
    if log["sessions"] < w.n:
        errors.append(f"sshd: {log['sessions']} commands started, "
                      f"not {w.n}")
    if log["trouble"]:
        errors.append(f"sshd logged trouble: {log['trouble'][0]}"
                      + (f" (and {len(log['trouble']) - 1} more)"
                         if len(log["trouble"]) > 1 else ""))
    return errors


def copy_error(ctx, w, log):
    """"" if ${dest} holds the source (its bytes, its tree) under its name
    and nothing else (no temporary file left), or for rcopy a copy of it
    from every host and nothing else; and the sshd logs show every host was
    copied to or from (a session each: exec, or the sftp subsystem)."""
    f = copy_files(ctx, w)
    want = listing(f["src"])
    if w.rcopy:
        errors = rcopy_errors(ctx, w, f, want)
    else:
        got = listing(f["dest"])
        errors = [] if got == {f["name"]: want} else [
            f"{f['dest']}: {listing_diff(got, {f['name']: want})}"]
    return "; ".join(errors + sshd_errors(ctx, w, log))


def rcopy_errors(ctx, w, f, want):
    """Each entry of ${dest} is NAME.HOST[:PORT] or HOST[:PORT] holding
    NAME (parallel-slurp), a whole copy of the source; every host has one."""
    got = listing(f["dest"])
    seen = {}
    for entry, tree in got.items():
        host = entry.removeprefix(f["name"] + ".")
        if (host == entry and isinstance(tree, dict)
                and list(tree) == [f["name"]]):
            tree = tree[f["name"]]
        seen[re.sub(r":\w+$", "", host)] = tree      # HOST:PORT, HOST:None
    bad = [f"{f['dest']}/{h}: {listing_diff(t, want)}"
           for h, t in sorted(seen.items()) if t != want]
    errors = bad[:1] + ([f"(and {len(bad) - 1} more)"] if bad[1:] else [])
    hosts = {a for a, _ in ctx.fleet.hosts[:w.hosts]}
    if set(seen) != hosts:
        errors.append(f"{f['dest']}: {len(hosts - set(seen))} hosts have no "
                      f"copy, {len(set(seen) - hosts)} entries name no host "
                      f"(e.g. {min(set(seen) ^ hosts)})")
    return errors


def listing(path):
    """What path holds: a file's bytes, a directory's {name: listing},
    a link's ("link", target)."""
    if os.path.islink(path):
        return ("link", os.readlink(path))
    if os.path.isdir(path):
        return {e: listing(os.path.join(path, e)) for e in os.listdir(path)}
    with open(path, "rb") as f:
        return f.read()


def listing_diff(got, want, at="."):
    """The first difference between two listings, as one phrase; at is
    where they are, below the compared directory."""
    if isinstance(got, dict) and isinstance(want, dict):
        for e in sorted(set(got) | set(want)):
            path = e if at == "." else f"{at}/{e}"
            if e not in want:
                return f"{path}: not in the source"
            if e not in got:
                return f"{path}: missing"
            if got[e] != want[e]:
                return listing_diff(got[e], want[e], path)
        return "same"
    return (f"{at}: not the source's "
            f"{'tree' if isinstance(want, dict) else 'bytes'}")


def collated_error(ctx, w, path, log):
    """"" if the command's output is there once, under one header, and the
    sshd logs show every host ran it."""
    with open(path, errors="replace") as f:
        text = f.read()
    os.unlink(path)
    lines = text.splitlines()
    errors = [f"{line!r} printed {lines.count(line)} times, not once"
              for line in ctx.expect[w.key] if lines.count(line) != 1]
    if log["sessions"] < w.n:
        errors.append(f"sshd: {log['sessions']} commands started, not {w.n}")
    return "; ".join(errors)


def check(ctx, w, name):
    """One run of the tool, output checked; returns (error or "", report)."""
    if w.check == "collated":
        path = os.path.join(ctx.work, f"{w.key}-{name}.out")
        rep = measure_tool(ctx, w, name, out=path, own=TOOLS[name].own)
        if rep["status"] == 0:
            return collated_error(ctx, w, path, rep["log"]), rep
    elif w.check == "hosts":
        # The own-RSS run (measure -x) is this one: the SSH runs are slow.
        path = os.path.join(ctx.work, f"{w.key}-{name}.out")
        rep = measure_tool(ctx, w, name, out=path, own=TOOLS[name].own)
        if rep["status"] == 0:
            return hosts_error(ctx, w, name, path, rep["log"]), rep
    elif w.check == "copy":
        rep = measure_tool(ctx, w, name, own=TOOLS[name].own)
        if rep["status"] == 0:
            return copy_error(ctx, w, rep["log"]), rep
    elif w.check == "lines":
        path = os.path.join(ctx.work, f"{w.key}-{name}.out")
        rep = measure_tool(ctx, w, name, out=path)
        if rep["status"] == 0:
            return lines_error(w, path), rep
    else:
        rep = measure_tool(ctx, w, name, count=True)
        want = w.out_bytes if w.check == "bytes" else 0
        if rep["status"] == 0 and (rep["out_bytes"] != want or
                                   rep["out_nul"] != want):
            return (f"wrote {rep['out_bytes']} bytes ({rep['out_nul']} NUL), "
                    f"expected {want}", rep)
    if rep["status"] != 0:
        return f"exit status {rep['status']}: {tail(rep['stderr'])}", rep
    return "", rep


# ------------------------------------------------------------------ ssh fleet
QUIESCE_S = 30                 # wait at most this long for sshd sessions to end


def proc_stat(pid):
    """(ppid, own ticks, reaped children's ticks) from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            t = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(t[1]), int(t[11]) + int(t[12]), int(t[13]) + int(t[14])


def children_of(pids):
    """Processes whose parent is one of pids."""
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(d)
            if st and st[0] in pids:
                found.append(int(d))
    return found


class Fleet:
    """N loopback hosts 127.0.X.Y served by ceil(N/16) throwaway sshds
    (tests/sshd/sshd-harness.sh, one port each), one client key, one
    known_hosts, one ssh_config for every tool.  stop() ends every sshd by
    its pid; call it from a finally."""
    HARNESS = os.path.join(TOP, "tests", "sshd", "sshd-harness.sh")
    LOG_CONN = re.compile(r"^Connection from \S+ port \d+ on (\S+) port \d+")
    LOG_SESSION = re.compile(r"^Starting session: ")
    LOG_TROUBLE = re.compile(r"MaxStartups|drop connection|error:|fatal:|"
                             r"Timeout before auth|(closed|reset|Disconnected)"
                             r".*\[preauth\]", re.I)

    def __init__(self, work, nhosts):
        self.dir = os.path.join(work, "ssh")
        self.nhosts = nhosts
        self.sshds = []            # {"dir", "log", "pid", "port", "addrs"}
        self.hosts = []            # (address, port), fleet order

    def harness(self, *args):
        log = os.path.join(args[1], "harness.log")
        # Its output goes to a file: the sshd it leaves running inherits it.
        with open(log, "ab") as f:
            rc = subprocess.run(["/bin/sh", self.HARNESS] + list(args),
                                stdin=subprocess.DEVNULL, stdout=f, stderr=f,
                                timeout=120).returncode
        if rc != 0:
            with open(log, errors="replace") as f:
                raise RuntimeError(f"sshd-harness.sh {args[0]}: status {rc}: "
                                   f"{tail(f.read())}")

    def start(self):
        os.makedirs(self.dir)
        self.key = os.path.join(self.dir, "client_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                        "ringrun-bench-client", "-f", self.key], check=True,
                       stdin=subprocess.DEVNULL)
        for i in range(math.ceil(self.nhosts / SSHD_PER_PROCESS)):
            first = i * SSHD_PER_PROCESS
            n = min(SSHD_PER_PROCESS, self.nhosts - first)
            d = os.path.join(self.dir, f"sshd{i:02d}")
            os.makedirs(d)
            for ext in ("", ".pub"):    # one client key for every sshd
                shutil.copy(self.key + ext, os.path.join(d, "client_ed25519" + ext))
            sshd = {"dir": d, "log": os.path.join(d, "sshd.log"), "pid": None}
            self.sshds.append(sshd)
            self.harness("start", d, str(n), str(first), *SSHD_CONFIG)
            read = lambda name: open(os.path.join(d, name)).read().split()
            sshd.update(pid=int(read("pid")[0]), port=int(read("port")[0]),
                        addrs=read("addrs"))
            self.hosts += [(a, sshd["port"]) for a in sshd["addrs"]]
        self.pids = {s["pid"] for s in self.sshds}
        self.write_configs()

    def write_configs(self):
        self.known_hosts = os.path.join(self.dir, "known_hosts")
        with open(self.known_hosts, "w") as f:
            for sshd in self.sshds:
                with open(os.path.join(sshd["dir"], "known_hosts")) as kh:
                    f.write(kh.read())
        common = [f"IdentityFile {self.key}", "IdentitiesOnly yes",
                  "IdentityAgent none", f"UserKnownHostsFile {self.known_hosts}",
                  "GlobalKnownHostsFile /dev/null", "StrictHostKeyChecking yes",
                  "BatchMode yes", "UpdateHostKeys no", "CheckHostIP no",
                  "ConnectTimeout 30", "LogLevel ERROR"]
        ports = [f"Host {' '.join(s['addrs'])}\n    Port {s['port']}"
                 for s in self.sshds]
        self.cm_dir = os.path.join(self.dir, "cm")
        os.makedirs(self.cm_dir)
        cm = ["ControlMaster auto", f"ControlPath {self.cm_dir}/%C",
              "ControlPersist 10"]
        self.ssh_config = os.path.join(self.dir, "ssh_config")
        self.ssh_config_cm = os.path.join(self.dir, "ssh_config_cm")
        for path, extra in ((self.ssh_config, []), (self.ssh_config_cm, cm)):
            with open(path, "w") as f:
                f.write("\n".join(ports + ["Host *"] + [
                    "    " + o for o in common + extra]) + "\n")
        self.clush_dir = os.path.join(self.dir, "clustershell")
        os.makedirs(self.clush_dir)
        with open(os.path.join(self.clush_dir, "clush.conf"), "w") as f:
            f.write("[Main]\nfanout: 64\nconnect_timeout: 30\n"
                    "command_timeout: 0\ncolor: never\nfd_max: 8192\n"
                    "history_size: 0\nnode_count: yes\nverbosity: 1\n"
                    f"ssh_options: -F {self.ssh_config}\n")

    def subst(self, w):
        hosts = self.hosts[:w.hosts]
        hostfile = os.path.join(self.dir, f"hosts-{w.hosts}")
        if not os.path.exists(hostfile):
            with open(hostfile, "w") as f:
                f.writelines(f"{a}\n" for a, _ in hosts)
        return {"hosts": ",".join(a for a, _ in hosts),
                "hostports": ",".join(f"{a}:{p}" for a, p in hosts),
                "hostfile": hostfile, "key": self.key,
                "known_hosts": self.known_hosts, "ssh_config": self.ssh_config,
                "ssh_config_cm": self.ssh_config_cm,
                "clush_dir": self.clush_dir, "per_host": str(w.per_host),
                "cmd_i": w.cmd.replace("{}", "$i")}

    def cpu_s(self):
        """CPU seconds of the listeners and of every session they reaped."""
        ticks = 0
        for pid in self.pids:
            st = proc_stat(pid)
            if st is None:
                raise RuntimeError(f"sshd {pid} is gone")
            ticks += st[1] + st[2]
        return ticks / os.sysconf("SC_CLK_TCK")

    def quiesce(self):
        """Wait until no sshd has a session process left; False on timeout."""
        end = time.monotonic() + QUIESCE_S
        while children_of(self.pids):
            if time.monotonic() > end:
                return False
            time.sleep(0.01)
        return True

    def log_mark(self):
        return [os.path.getsize(s["log"]) for s in self.sshds]

    def log_since(self, mark):
        """Connections per host address, command sessions (a count: the
        log names a session by the client's port only, and one port can be
        in use towards two addresses at once) and trouble lines, from what
        the sshds logged since mark."""
        conns, sessions, trouble = collections.Counter(), 0, []
        for sshd, off in zip(self.sshds, mark):
            with open(sshd["log"], "rb") as f:
                f.seek(off)
                text = f.read().decode(errors="replace")
            for line in text.splitlines():
                m = self.LOG_CONN.match(line)
                if m:
                    conns[m.group(1)] += 1
                elif self.LOG_SESSION.match(line):
                    sessions += 1
                elif self.LOG_TROUBLE.search(line):
                    trouble.append(line.strip())
        return {"conns": conns, "sessions": sessions, "trouble": trouble}

    def end_ssh_clients(self):
        """SIGTERM every ssh whose command line names this fleet: a master
        ("ssh: DIR/ssh/cm/HASH [mux]") or one still detaching ("ssh -F
        DIR/ssh/ssh_config_cm ..."); returns how many."""
        n = 0
        for d in os.listdir("/proc"):
            try:
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
                if ((argv[0] == b"ssh" or argv[0].startswith(b"ssh: ")) and
                        any(self.dir.encode() in a for a in argv)):
                    os.kill(int(d), signal.SIGTERM)
                    n += 1
            except (OSError, ValueError):
                pass
        return n

    def stop(self):
        """End every sshd by its pid (and any ControlMaster left behind)."""
        if os.path.isdir(getattr(self, "cm_dir", "")):
            # A master outlives its run only if the run was killed (measure
            # -r ends them otherwise): ask each to exit, then end by pid any
            # ssh left that uses our config.
            for sock in os.listdir(self.cm_dir):
                subprocess.run(["ssh", "-F", self.ssh_config_cm, "-o",
                                f"ControlPath={os.path.join(self.cm_dir, sock)}",
                                "-O", "exit", "cm"], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=10)
            for _ in range(3):     # one may be detaching as we look
                self.end_ssh_clients()
                time.sleep(0.2)
        for sshd in self.sshds:
            try:
                self.harness("stop", sshd["dir"])
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
            try:                # still there, and still that sshd?
                with open(f"/proc/{sshd['pid']}/cmdline", "rb") as f:
                    if sshd["dir"].encode() in f.read():
                        os.kill(sshd["pid"], signal.SIGKILL)
            except (OSError, TypeError):
                pass


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
    if w.kind == "stdin":
        s["mib_per_s"] = w.in_bytes / MIB / wall
    if w.copy_bytes:
        files = max(w.copy_files, 1) * w.hosts
        s["mib_per_s"] = files * w.copy_bytes / MIB / wall
        s["files_per_s"] = files / wall
    if w.hosts:
        s["server_cpu_s"] = med("server_ns") / 1e9
        s["conns"] = med("conns")
        s["sessions"] = med("sessions")
    return s


def rate_of(w, r):
    if w.kind == "stdin" or w.copy_bytes >= MIB:
        return r["mib_per_s"]
    if w.copy_bytes:
        return r["files_per_s"]
    return r["mb_per_s"] if w.check == "bytes" else r["jobs_per_s"]


def run_rounds(ctx, w, res, ok):
    """Time the tools in ok round-robin (a tool that fails a round leaves
    ok) and summarise their rounds; returns the other CPU use meanwhile."""
    cap = lambda name: min(ctx.rounds, TOOLS[name].max_rounds or ctx.rounds,
                           w.max_rounds or ctx.rounds)
    busy0, t0 = cpu_busy_s(), time.monotonic()
    n_rounds = min(ctx.rounds, w.max_rounds or ctx.rounds)
    for i in range(n_rounds):
        progress(f"[{w.key}] round {i + 1}/{n_rounds}:")
        for name in list(ok):
            if i >= cap(name):
                continue
            rep = measure_tool(ctx, w, name)
            progress(f" {name} {rep.get('wall_ns', 0) / 1e9:.2f}s")
            if rep["status"] != 0:
                res[name]["error"] = (f"round {i + 1}: exit status "
                                      f"{rep['status']}: {tail(rep['stderr'])}")
                ok.remove(name)
                continue
            del rep["stderr"]
            if "log" in rep:
                log = rep.pop("log")
                rep["conns"] = sum(log["conns"].values())
                rep["sessions"] = log["sessions"]
                rep["server_trouble"] = log["trouble"][:5]
                if log["trouble"]:
                    res[name].setdefault("server_trouble", []).append(
                        f"round {i + 1}: {len(log['trouble'])} lines, e.g. "
                        f"{log['trouble'][0]}")
            res[name]["rounds_raw"].append(rep)
        progress("\n")
    ours = sum((r["user_ns"] + r["sys_ns"] + r.get("server_ns", 0)) / 1e9
               for name in ok for r in res[name]["rounds_raw"])
    other = background(busy0, t0, ours)
    for name in ok:
        res[name].update(summarise(w, res[name]["rounds_raw"]))
    return other


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
            if w.fanout:   # the check run was measure -x
                hwm = rep.get("own_hwm_kb", -1)
                r["own_rss_kb"] = hwm if hwm > 0 else None
            else:
                r["own_rss_kb"] = own_rss(ctx, w, name)
    progress("\n")
    rr = rr_key(w.tools)
    if rr in ok and TOOLS[rr].argv[0] == "${ringrun}":     # the CLI's --stats
        res[rr]["stats"] = ringrun_stats(ctx, w, rr)
    other = run_rounds(ctx, w, res, ok)
    print_timed(w, res, say, ctx.rounds)
    extra = {"other_cpu": other}
    if w.versus:
        extra["versus"] = say_versus(w, res, ok, say)
    if w.ceiling in ok:
        per_job = res[w.ceiling]["cpu_s"] / w.n
        extra["ceiling_jobs_per_s"] = os.cpu_count() / per_job
        say(f"   CPU ceiling: {os.cpu_count()} CPUs / {1e3 * per_job:.2f} ms"
            f" CPU per job ({TOOLS[w.ceiling].label}, children included) = "
            f"{extra['ceiling_jobs_per_s']:,.0f} jobs/s: no runner does better here")
    if w.fanout and ok:
        srv, least = min((res[name]["server_cpu_s"], name) for name in ok)
        extra["sshd_floor_s"] = srv / os.cpu_count()
        say(f"   sshd CPU floor: the least sshd CPU any tool needed was "
            f"{srv:.2f} CPU-s ({TOOLS[least].label}; "
            f"{1e3 * srv / w.n:.1f} ms per "
            f"{'command' if w.per_host else 'host'}); on "
            f"{os.cpu_count()} CPUs no client finishes under "
            f"{extra['sshd_floor_s']:.2f} s here, and the client's own CPU "
            f"shares those CPUs")
    say_background(say, other)
    say()
    return extra


def say_versus(w, res, ok, say):
    """The MiB/s and client CPU of each ringrun row over those of each tool
    in w.versus ("fastest": the fastest other tool that ran); returns them
    by ringrun row and tool."""
    others = [n for n in ok if not is_ringrun(n)]
    rrs = [n for n in w.tools if is_ringrun(n)]
    return {rr: say_versus_one(w, res, ok, others, rr, say) for rr in rrs}


def say_versus_one(w, res, ok, others, rr, say):
    out = {}
    for v in w.versus:
        what = ""
        if v == "fastest":
            v = max(others, key=lambda n: rate_of(w, res[n]), default=None)
            what = "the fastest other, "
            if v is None:
                say(f"   {TOOLS[rr].label} vs the fastest other: n/a (no "
                    f"other tool ran)")
                continue
        head = f"   {TOOLS[rr].label} vs {what}{TOOLS[v].label}:"
        bad = [n for n in (rr, v) if n not in ok]
        if bad:
            say(f"{head} n/a ({TOOLS[bad[0]].label} did not run)")
            continue
        a, b = res[rr], res[v]
        rate, cpu = rate_of(w, a) / rate_of(w, b), a["cpu_s"] / b["cpu_s"]
        out[v] = {"rate_x": rate, "cpu_x": cpu}
        say(f"{head} {rate:.2f} x its {w.unit} ({fmt(rate_of(w, a))} vs "
            f"{fmt(rate_of(w, b))}), {cpu:.2f} x its client CPU "
            f"({a['cpu_s']:.2f} vs {b['cpu_s']:.2f} CPU-s)")
    return out


def own_rss(ctx, w, name):
    """The tool process's own peak RSS, from a run under measure -x (ptrace
    stops it at every signal: never timed, and a failure only loses this)."""
    rep = measure_tool(ctx, w, name, own=True)
    return rep["own_hwm_kb"] if rep["status"] == 0 else None


def ringrun_stats(ctx, w, name):
    """One more ringrun run with --stats: its own view of CPU, RSS, ring.
    Its stdout goes to /dev/null: read here, the output workload's 1 GiB
    would grow this process (and the peak RSS of all it forks after)."""
    argv = tool_argv(ctx, TOOLS[name], w)
    rc, _, err = run([argv[0], "--stats"] + argv[1:],
                     env=tool_env(ctx, TOOLS[name], w),
                     stdout=subprocess.DEVNULL)
    if w.fanout:
        ctx.fleet.quiesce()
    text = err.decode(errors="replace").strip()
    return text if rc == 0 else f"(--stats run failed, status {rc}: {tail(text, 2)})"


def print_timed(w, res, say, asked):
    """The workload's table; asked = --rounds."""
    rounds = min(asked, w.max_rounds or asked)
    rr = res.get(rr_key(w.tools), {})
    ssh = w.fanout
    head = ["tool", "runs", "wall s", "spread", w.unit,
            "client CPU s" if ssh else "CPU s", "tree RSS MiB", "own RSS MiB"]
    head += ["sshd CPU s", "conns"] if ssh else []
    head += ["wall/rr", "CPU/rr"]
    rows, notes = [], []
    for name in w.tools:
        r, label = res[name], TOOLS[name].label
        if r.get("error"):
            rows.append([label] + ["-"] * (len(head) - 1))
            notes.append(f"{label}: {r['error']}")
            continue
        ratio = lambda k: (r[k] / rr[k] if rr.get(k) and not rr.get("error")
                           else None)
        own = r.get("own_rss_kb")
        row = [label, r["rounds"], f"{r['wall_s']:.3f}",
               f"{100 * r['spread']:.0f}%", fmt(rate_of(w, r)),
               fmt(r["cpu_s"]), fmt(r["tree_rss_kb"] / 1024, 1),
               fmt(own / 1024 if own and own > 0 else None, 1)]
        if ssh:
            row += [fmt(r["server_cpu_s"]), f"{r['conns']:.0f}"]
        rows.append(row + [fmt(ratio("wall_s")), fmt(ratio("cpu_s"))])
        if r["rounds"] < rounds:
            notes.append(f"{label}: {r['rounds']} round(s) only, to keep the "
                         f"bench short (max_rounds in its TOOLS entry)")
        for t in r.get("server_trouble", []):
            notes.append(f"{label}: sshd logged trouble in {t}")
    say(f"== {w.title}; stdout to /dev/null")
    say.table(head, rows)
    if rounds < asked:
        say(f"   {rounds} rounds at most for this workload (max_rounds in "
            f"its WORKLOADS entry)")
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


# ------------------------------------------------------------------ stdin
def stdin_feed(w):
    """The argv prefix that pipes w.in_bytes into the rest of the argv: dd
    writes 1 MiB at a time, so the source is never what is slow.  Zeros:
    nothing on the way compresses (ssh and libssh2 leave it off)."""
    return ["/bin/sh", "-c", f"dd if=/dev/zero bs=1M count="
            f"{w.in_bytes // MIB} status=none | \"$@\"", "sh"]


def stdin_tasks(w, tool):
    """The tasks one run of the tool feeds: one per line of ${inputs} if it
    runs them (-C), else one."""
    return w.n if "${inputs}" in tool.argv else 1


def stdin_check(ctx, w, name):
    """One run with 'wc -c' for the command: every task must count every
    byte.  Returns the error, "" if none."""
    cw = replace(w, key=w.key + "-check", cmd="wc -c", inputs="wc -c")
    write_input(ctx, cw)
    path = os.path.join(ctx.work, f"{cw.key}-{name}.out")
    rep = measure_tool(ctx, cw, name, out=path)
    if rep["status"] != 0:
        return f"exit status {rep['status']}: {tail(rep['stderr'])}"
    with open(path, errors="replace") as f:
        counts = [l.strip() for l in f if l.strip().isdigit()]
    os.unlink(path)
    want = [str(w.in_bytes)] * stdin_tasks(w, TOOLS[name])
    if counts != want:
        return f"'wc -c' counted {counts or 'nothing'}, not {want}"
    return ""


def run_stdin(ctx, w, res, say):
    """Check every tool, time them round-robin, rate each against its
    floor."""
    ok = []
    progress(f"[{w.key}] checking:")
    for name in w.tools:
        r = res[name]
        r["error"] = tool_missing(ctx, name) or stdin_check(ctx, w, name)
        progress(f" {name} {'FAILED' if r['error'] else 'ok'}")
        if not r["error"]:
            ok.append(name)
            r["rounds_raw"] = []
    progress("\n")
    other = run_rounds(ctx, w, res, ok)
    for name in ok:
        floor = res.get(TOOLS[name].floor, {})
        if floor.get("mib_per_s"):
            res[name]["x_floor"] = res[name]["mib_per_s"] / floor["mib_per_s"]
            res[name]["cpu_x_floor"] = res[name]["cpu_s"] / floor["cpu_s"]
    print_stdin(w, res, say)
    say_background(say, other)
    say()
    return {"other_cpu": other, "in_bytes": w.in_bytes}


def print_stdin(w, res, say):
    head = ["tool", "runs", "wall s", "spread", "MiB/s", "x floor", "CPU s",
            "CPU/floor", "sshd CPU s", "tree RSS MiB"]
    rows, notes = [], []
    for name in w.tools:
        r, label = res[name], TOOLS[name].label
        if r.get("error"):
            rows.append([label] + ["-"] * (len(head) - 1))
            notes.append(f"{label}: {r['error']}")
            continue
        rows.append([label, r["rounds"], f"{r['wall_s']:.3f}",
                     f"{100 * r['spread']:.0f}%", fmt(r["mib_per_s"]),
                     fmt(r.get("x_floor")), fmt(r["cpu_s"]),
                     fmt(r.get("cpu_x_floor")), fmt(r["server_cpu_s"]),
                     fmt(r["tree_rss_kb"] / 1024, 1)])
    say(f"== {w.title}; stdout to /dev/null")
    say.table(head, rows)
    say("   MiB/s = the stream's size / wall time (the 4 tasks each get all "
        "of it); x floor = over the")
    say("   floor's MiB/s (local: sh -c, no runner; SSH: ssh with the "
        "fleet's options); CPU s = the whole")
    say("   pipeline's (dd, tool, the commands: 4 of them for 4 tasks); "
        "CPU/floor = over the floor's;")
    say("   sshd CPU s = the server's side.  On a busy machine the CPU "
        "figures mean more than the wall's.")
    rr, aes = res.get("ringrun-w-stdin", {}), res.get("stdin-ssh-aes", {})
    if rr.get("mib_per_s") and aes.get("mib_per_s"):
        say(f"   ringrun -w against ssh with its own cipher and MAC "
            f"(aes128-ctr, hmac-sha2-256): "
            f"{rr['mib_per_s'] / aes['mib_per_s']:.2f} x")
    for n in notes:
        say(f"   {n}")


# ------------------------------------------------------------------ stop
STOP_START_S = 120         # every remote sleep must run by then
STOP_EXIT_S = 10           # a tool still running this long after SIGINT is killed
# Remote processes are watched this long after the tool exits.  One still
# running then never ends: its SSH session is gone, and sshd signals no
# command without a pty.  5 s is well past any kill grace (ringrun's: 2 s).
STOP_CAP_S = 5
STOP_POLL_S = 0.002        # the watch's step: the stop times' resolution


def stop_marker(w, name, rnd):
    """The sleep duration of one run (6000-6999: this bench's), so its
    remote processes are found, counted and ended by it alone."""
    return 6000 + 100 * (w.tools.index(name) + 1) + rnd


def proc_life(pid):
    """(state letter, start time in ticks) of a process, None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            t = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return t[0], int(t[19])


def alive(proc):
    """proc = (pid, start time): still that process and not a zombie."""
    life = proc_life(proc[0])
    return life is not None and life[0] != "Z" and life[1] == proc[1]


def marked(marker):
    """(pid, start time) of every process running `sleep MARKER`."""
    want = [b"sleep", str(marker).encode()]
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")[:-1]
        except OSError:
            continue
        if argv[:1] and [os.path.basename(argv[0])] + argv[1:] == want:
            life = proc_life(d)
            if life:
                found.append((int(d), life[1]))
    return found


def kill_marked(marker):
    """SIGKILL every `sleep MARKER` and wait until they are gone; returns
    how many there were."""
    procs = marked(marker)
    for pid, _ in procs:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    end = time.monotonic() + 10
    while any(alive(p) for p in procs) and time.monotonic() < end:
        time.sleep(0.01)
    return len(procs)


def spawn(argv, env, err):
    """Start a tool as a terminal's foreground job would be: its own
    process group (Ctrl-C signals the group), SIGINT, SIGQUIT and SIGPIPE
    at their defaults (a shell's background job ignores SIGINT, Python
    ignores SIGPIPE), stdin and stdout /dev/null, stderr to the file err.
    posix_spawn, not Popen: os.wait4 gives the tool's rusage."""
    path = shutil.which(argv[0], path=ENV_OVERRIDES["PATH"]) or argv[0]
    files = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
             (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
             (os.POSIX_SPAWN_OPEN, 2, err,
              os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    return os.posix_spawn(path, argv, dict(os.environ, **ENV_OVERRIDES, **env),
                          file_actions=files, setsid=True,
                          setsigdef=(signal.SIGINT, signal.SIGQUIT,
                                     signal.SIGPIPE))


def reap(pid, block=False):
    """(wait status, CPU s of the tool and what it reaped) or None (also
    if it was reaped already)."""
    try:
        p, status, ru = os.wait4(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return None
    return (status, ru.ru_utime + ru.ru_stime) if p else None


def wait_started(pid, marker, n):
    """Wait until n `sleep MARKER` run; returns (their (pid, start time)s,
    reap() of the tool if it exited meanwhile, error or "")."""
    end = time.monotonic() + STOP_START_S
    procs = []
    while time.monotonic() < end:
        procs = marked(marker)
        if len(procs) >= n:
            return procs, None, ""
        done = reap(pid)
        if done:
            return procs, done, (f"exited ({exit_text(done[0])}) with "
                                 f"{len(procs)} of {n} remote sleeps running")
        time.sleep(0.05)
    return procs, None, (f"only {len(procs)} of {n} remote sleeps ran after "
                         f"{STOP_START_S} s")


def watch_stop(pid, procs, t0):
    """After the SIGINT at t0: poll until the tool has exited and every
    remote process is gone, or STOP_CAP_S after the exit.  A tool still
    running STOP_EXIT_S after the SIGINT is killed (and its tree)."""
    left = sorted(procs)       # alive ones from index i on
    i, r = 0, {"gone_s": None, "killed": False}
    while True:
        now = time.monotonic()
        # Each step looks at the first process not yet seen gone only:
        # cheap, so the watch can poll often without taking a CPU.
        while i < len(left) and not alive(left[i]):
            i += 1
        if i == len(left) and r["gone_s"] is None:
            r["gone_s"] = now - t0
        if "exit_s" not in r:
            done = reap(pid)
            if not done and now - t0 > STOP_EXIT_S:
                kill_tree(pid)
                done, r["killed"] = reap(pid, block=True), True
            if done:
                r["exit_s"], r["status"], r["cpu_s"] = now - t0, *done
        elif r["gone_s"] is not None or now - t0 - r["exit_s"] > STOP_CAP_S:
            break
        time.sleep(STOP_POLL_S)
    r["left"] = sum(alive(p) for p in left[i:])
    return r


def exit_text(status):
    code = os.waitstatus_to_exitcode(status)
    return (f"status {code}" if code >= 0
            else f"killed by {signal.Signals(-code).name}")


def stop_once(ctx, w, name, marker):
    """One run: start the tool on w.hosts hosts with `sleep MARKER`, wait
    until every remote sleep runs, SIGINT the tool's process group as
    Ctrl-C would, watch.  Whatever is left is killed by its marker."""
    tool, fleet = TOOLS[name], ctx.fleet
    run_w = replace(w, cmd=f"sleep {marker}")
    err = os.path.join(ctx.work, f"stop-{name}-{marker}.err")
    kill_marked(marker)        # left by an earlier bench that was killed
    fleet.quiesce()
    cpu0, self0 = fleet.cpu_s(), time.process_time()
    t_spawn = time.monotonic()
    pid = spawn(tool_argv(ctx, tool, run_w), tool_env(ctx, tool, run_w), err)
    r = {"marker": marker}
    try:
        procs, done, r["error"] = wait_started(pid, marker, w.hosts)
        if done:
            r["status"], r["cpu_s"] = done
        if not r["error"]:
            r["start_s"] = time.monotonic() - t_spawn
            t0 = time.monotonic()
            os.killpg(pid, signal.SIGINT)
            r.update(watch_stop(pid, procs, t0))
            r["exit"] = exit_text(r["status"])
    finally:
        if "status" not in r:      # failed, or the bench interrupted
            kill_tree(pid)
            reap(pid, block=True)
        r["killed_after"] = kill_marked(marker)
        r["ssh_left"] = fleet.end_ssh_clients()    # any the tool left
        fleet.quiesce()
    with open(err, errors="replace") as f:
        r["stderr"] = tail(f.read(), 2)
    if r["error"]:
        r["error"] += f": {r['stderr']}" if r["stderr"] else ""
    r["server_cpu_s"] = fleet.cpu_s() - cpu0
    r["bench_cpu_s"] = time.process_time() - self0
    return r


def run_stop(ctx, w, res, say):
    """Every tool round-robin; a tool whose remote processes outlived a run
    is not run again (another run would only show it again, at the cost
    of the cap)."""
    ok = []
    for name in w.tools:
        res[name]["error"] = tool_missing(ctx, name)
        if not res[name]["error"]:
            ok.append(name)
            res[name]["rounds_raw"] = []
    busy0, t0, ours = cpu_busy_s(), time.monotonic(), 0.0
    n_rounds = min(ctx.rounds, w.max_rounds or ctx.rounds)
    for i in range(n_rounds):
        if not ok:
            break
        progress(f"[{w.key}] round {i + 1}/{n_rounds}:")
        for name in list(ok):
            r = stop_once(ctx, w, name, stop_marker(w, name, i + 1))
            ours += r["server_cpu_s"] + r["bench_cpu_s"] + r.get("cpu_s", 0)
            if r["error"]:
                res[name]["error"] = f"round {i + 1}: {r['error']}"
                ok.remove(name)
                progress(f" {name} FAILED")
                continue
            res[name]["rounds_raw"].append(r)
            progress(f" {name} " + (f"{r['gone_s']:.2f}s" if r["left"] == 0
                                     else f"{r['left']} left"))
            if r["left"]:
                ok.remove(name)
        progress("\n")
    other = background(busy0, t0, ours)
    for name in w.tools:
        if res[name].get("rounds_raw") and not res[name].get("error"):
            res[name].update(summarise_stop(res[name]["rounds_raw"]))
    print_stop(w, res, say)
    say_background(say, other)
    say()
    return {"other_cpu": other}


def summarise_stop(rounds):
    med = lambda k: statistics.median(r[k] for r in rounds)
    s = {"rounds": len(rounds), "start_s": med("start_s"),
         "exit_s": med("exit_s"), "exit": rounds[-1]["exit"],
         "killed": any(r["killed"] for r in rounds),
         "ssh_left": max(r["ssh_left"] for r in rounds),
         "left": max(r["left"] for r in rounds)}
    if s["left"] == 0:
        gone = [r["gone_s"] for r in rounds]
        s.update(stop_s=statistics.median(gone),
                 spread=(max(gone) - min(gone)) / statistics.median(gone))
    return s


def print_stop(w, res, say):
    head = ["tool", "runs", "all running s", "stop s", "spread", "tool exit"]
    rows, notes = [], []
    for name in w.tools:
        r, label = res[name], TOOLS[name].label
        if r.get("error") or not r.get("rounds"):
            rows.append([label] + ["-"] * (len(head) - 1))
            notes.append(f"{label}: {r.get('error') or 'not run'}")
            continue
        if r["left"]:
            stop = f"never ({r['left']} of {w.hosts} left after the cap)"
        else:
            stop = f"{r['stop_s']:.3f}"
        how = (f"still running {STOP_EXIT_S} s after SIGINT: killed"
               if r["killed"] else f"{r['exit']}, {r['exit_s']:.2f} s "
               f"after SIGINT")
        rows.append([label, r["rounds"], f"{r['start_s']:.2f}", stop,
                     "-" if r["left"] else f"{100 * r['spread']:.0f}%", how])
        if r["ssh_left"]:
            notes.append(f"{label}: left {r['ssh_left']} ssh clients "
                         f"running after it exited (ended by the bench)")
    say(f"== {w.title}")
    say.table(head, rows)
    say(f"   stop s = from the SIGINT (to the tool's process group, as Ctrl-C"
        f" at a terminal) until the last")
    say(f"   remote sleep is gone (/proc polled every "
        f"{1e3 * STOP_POLL_S:.0f} ms); never = some still ran {STOP_CAP_S} s "
        f"after the tool exited")
    say(f"   (killed by the bench then); all running s = from the start until"
        f" every remote sleep ran.")
    say(f"   A tool that left remote processes runs once: more runs would "
        f"show the same.")
    for n in notes:
        say(f"   {n}")


# ------------------------------------------------------------------ targets
def ssh_floor(w, r):
    """What bounds a tool's SSH run on this machine, from its own rounds."""
    ncpu = os.cpu_count()
    return (f"sshd needed {r['server_cpu_s']:.2f} CPU-s for it "
            f"({1e3 * r['server_cpu_s'] / w['hosts']:.1f} ms per host), its "
            f"client {r['cpu_s']:.2f}: on {ncpu} CPUs no run is under "
            f"{r['server_cpu_s'] / ncpu:.2f} s (sshd alone), "
            f"{(r['server_cpu_s'] + r['cpu_s']) / ncpu:.2f} s (both)")


def evaluate(t, results):
    """(met, figure text) or (None, why not measured)."""
    w = results[t.workload]
    res = w["tools"]
    ceiling = w.get("ceiling_jobs_per_s")
    rk = t.rr or rr_key(res)
    rr, vs = res.get(rk, {}), res.get(t.vs, {})
    for name, r in ((rk, rr), (t.vs, vs)):
        if name and (r.get("error") or not r):
            return None, f"{TOOLS[name].label}: {r.get('error') or 'not run'}"
    ssh = w["kind"] == "timed" and w["hosts"] > 0      # Workload.fanout
    if t.metric == "per_job":
        v = rr["per_job"]
        return v <= t.need, f"{v:.1f} syscalls per job"
    if t.metric == "cpu":
        v = rr["cpu_s"] / vs["cpu_s"]
        figure = (f"{rr['cpu_s']:.3f} vs {vs['cpu_s']:.3f} client CPU-s"
                  f" = {v:.3f} x")
        if v > t.need:
            figure += (f"; needs <= {t.need * vs['cpu_s']:.3f}: ringrun "
                       f"{1e3 * rr['cpu_s'] / w['n']:.2f} ms per host")
        return v <= t.need, figure
    if t.metric == "rate":
        v = rr["jobs_per_s"] / vs["jobs_per_s"]
        unit = w.get("unit", "jobs/s")
        figure = (f"{rr['jobs_per_s']:,.0f} vs {vs['jobs_per_s']:,.0f}"
                  f" {unit} = {v:.2f} x")
        if ssh:
            figure = (f"{rr['wall_s']:.2f} s vs {vs['wall_s']:.2f} s, "
                      + figure)
        if v < t.need and ceiling:
            figure += (f"; needs {t.need * vs['jobs_per_s']:,.0f}, CPU ceiling"
                       f" {ceiling:,.0f}")
        if v < t.need and ssh:
            figure += (f"; needs <= {vs['wall_s'] / t.need:.2f} s; "
                       + ssh_floor(w, rr))
        return v >= t.need, figure
    v = rr["wall_s"] / vs["wall_s"]
    figure = (f"{rr['wall_s']:.3f} s vs {vs['wall_s']:.3f} s"
              f" = {v:.3f} x the time")
    if v > t.need and ssh:
        figure += f"; needs <= {t.need * vs['wall_s']:.2f} s; " + ssh_floor(w, rr)
    return v <= t.need, figure


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


def machine_ssh():
    libssh2 = "?"
    try:
        libssh2 = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "libssh2-1"],
            capture_output=True, text=True, timeout=30).stdout or "?"
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {
        "pdsh": first_line(["pdsh", "-V"]),
        "pssh": "parallel-ssh " + first_line(["parallel-ssh", "--version"]),
        "clush": first_line(["clush", "--version"]),
        "ssh": first_line(["ssh", "-V"]),
        "sshd": first_line(["/usr/sbin/sshd", "-V"]),
        "libssh2": libssh2,
    }


def machine_python(ctx):
    """The modules of the python group, as the bench's python imports them
    (the ringrun package with its environment)."""
    def version(module, env=None):
        rc, out, _ = run([PYTHON, "-c", f"import {module} as m; print(getattr("
                          f"m, '__version__', '?'), m.__file__)"],
                         timeout=60, env=env)
        return out.decode(errors="replace").strip() if rc == 0 else "missing"
    pkg = py_env(ctx, TOOLS["py-rr-many"])
    return {"asyncssh": version("asyncssh"), "paramiko": version("paramiko"),
            "ringrun-py": f"{version('ringrun', pkg)}, RINGRUN_LIB="
                          f"{pkg['RINGRUN_LIB']}"}


# ------------------------------------------------------------------ main
def write_inputs(ctx):
    """The input file of each workload, and for SSH what every host should
    print: the command run here, by /bin/sh, on each input."""
    ctx.inputs, ctx.expect = {}, {}
    for w in WORKLOADS:
        lines = write_input(ctx, w)
        if w.fanout and not w.copy_bytes:
            ctx.expect[w.key] = []
            for line in (lines if w.per_host else [None]):
                cmd = w.cmd if line is None else w.cmd.replace("{}", line)
                out = subprocess.run(["/bin/sh", "-c", cmd], check=True,
                                     capture_output=True, text=True).stdout
                ctx.expect[w.key] += out.splitlines()


def write_input(ctx, w):
    """ctx.inputs[w.key]: w.inputs (or the line number) on each of n lines
    (per_host lines for SSH); returns the lines."""
    path = os.path.join(ctx.work, f"inputs-{w.key}")
    lines = [f"{w.inputs or i}" for i in
             range(1, (w.per_host if w.fanout else w.n) + 1)]
    with open(path, "w") as f:
        f.writelines(line + "\n" for line in lines)
    ctx.inputs[w.key] = path
    return lines


def is_tmpfs(path):
    """True if path is on a tmpfs: the mount that holds it, the longest
    mount point above it in /proc/self/mounts."""
    path, best = os.path.realpath(path), ("", "")
    with open("/proc/self/mounts") as f:
        for line in f:
            _, point, fstype = line.split()[:3]
            point = point.replace("\\040", " ")
            inside = path == point or path.startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best[0]):
                best = (point, fstype)
    return best[1] == "tmpfs"


def on_signal(sig, frame):
    """SIGTERM, SIGHUP: unwind like SIGINT does, through the finally that
    stops the sshds."""
    raise SystemExit(128 + sig)


def main():
    ap = argparse.ArgumentParser(description="ringrun comparisons, one run")
    ap.add_argument("--ringrun", default="", help="the ringrun binary")
    ap.add_argument("--bin", default=os.path.join(HERE, "build"),
                    help="where floor, floor_output and measure are")
    ap.add_argument("--rounds", type=int,
                    default=int(os.environ.get("ROUNDS") or 5))
    ap.add_argument("--only", default="",
                    help="comma-separated workload keys or groups (local, "
                         "ssh, control, python, copy): " + ",".join(w.key for w in WORKLOADS))
    ap.add_argument("--ssh-kex", choices=["curve25519", "default"],
                    default=os.environ.get("SSH_KEX") or "curve25519",
                    help="curve25519: every sshd offers only curve25519 (what "
                         "libssh2 and ssh share); default: OpenSSH's own list")
    ap.add_argument("--stdin-mib", type=int,
                    default=int(os.environ.get("STDIN_MIB") or 256),
                    help="MiB piped through each tool in the stdin workload")
    ap.add_argument("--py-path", default=os.path.join(TOP, "python"),
                    help="PYTHONPATH of the ringrun package's sides")
    ap.add_argument("--ringrun-lib",
                    default=os.path.join(TOP, "lib", "libringrun.so.0"),
                    help="RINGRUN_LIB: the library the ringrun package loads")
    ap.add_argument("--tmpfs", default="/dev/shm",
                    help="a tmpfs directory: the copy workloads' source and "
                         "destination")
    ap.add_argument("--results", default=os.path.join(HERE, "results"))
    ctx = ap.parse_args()
    if ctx.ssh_kex == "default":
        SSHD_CONFIG[:] = [c for c in SSHD_CONFIG
                          if not c.startswith("KexAlgorithms")]
    ctx.ringrun = os.path.abspath(ctx.ringrun) if ctx.ringrun else ""
    ctx.bin = os.path.abspath(ctx.bin)
    ctx.py_path = os.path.abspath(ctx.py_path)
    ctx.ringrun_lib = os.path.abspath(ctx.ringrun_lib)
    only = set(filter(None, ctx.only.split(",")))
    known = {w.key for w in WORKLOADS} | {w.group for w in WORKLOADS}
    workloads = [replace(w, in_bytes=ctx.stdin_mib * MIB) for w in WORKLOADS
                 if not only or w.key in only or w.group in only
                 or w.runs_with in only]
    if ctx.rounds < 1 or ctx.stdin_mib < 1 or not only <= known:
        ap.error("bad --rounds, --stdin-mib or --only (keys: " + ", ".join(
            [w.key for w in WORKLOADS] +
            sorted({w.group for w in WORKLOADS})) + ")")
    if any(w.copy_bytes for w in workloads) and not is_tmpfs(ctx.tmpfs):
        ap.error(f"--tmpfs {ctx.tmpfs}: not a tmpfs mount (the copy "
                 f"workloads must not measure a disk)")
    os.makedirs(ctx.results, exist_ok=True)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    ssh = [w for w in workloads if w.fanout]
    fleet_size = max((w.hosts for w in workloads), default=0)

    say = Report()
    info = machine(ctx)
    say(f"ringrun bench  {info['date']}  rounds: {ctx.rounds}")
    say(f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['mem_gib']} GiB, "
        f"Linux {info['kernel']}, /bin/sh = {info['sh']}")
    keys = ["ringrun", "xargs", "parallel", "python", "strace", "cc"]
    if fleet_size:
        info.update(machine_ssh())
        keys += ["pdsh", "pssh", "clush", "ssh", "sshd", "libssh2"]
    if any(w.group == "python" for w in workloads):
        info.update(machine_python(ctx))
        keys += ["asyncssh", "paramiko", "ringrun-py"]
    for k in keys:
        say(f"  {k + ':':10} {info[k]}")
    say("columns: wall s = median wall time; spread = (max - min) / median;"
        " CPU s = user + sys of the")
    say("  tool and every process it waited for (the /bin/sh children too);"
        " tree RSS = largest")
    say("  single process in that tree (wait4 ru_maxrss); own RSS = the tool"
        " process's own peak")
    say("  (VmHWM at exit, one extra run under ptrace); wall/rr, CPU/rr = the tool's figure"
        " over ringrun's.")
    if ssh:
        say("SSH: N loopback hosts served by real sshds on this machine"
            " (16 addresses each), the same")
        say("  client key, known_hosts and sshds for every tool; sshd config"
            " adds: " + "; ".join(SSHD_CONFIG) + ".")
        say("  client CPU includes the ssh children (and GNU parallel's"
            " ControlMaster processes, which it")
        say("  runs with ssh ControlMaster auto + ControlPersist); sshd CPU ="
            " the listeners' CPU plus")
        say("  their reaped sessions' over each run; conns = TCP connections"
            " sshd accepted per run;")
        say("  own RSS from the check run (under ptrace).")
    if any(w.copy_bytes for w in workloads):
        say(f"copy: the source is random bytes, source and destination on "
            f"the tmpfs {ctx.tmpfs}; the")
        say("  destination is emptied before every run; MiB/s = bytes x"
            " hosts / wall; files/s (files of")
        say("  4 KiB) = files x hosts / wall, for copy-small hosts/s.")
    say()

    busy0, t0 = cpu_busy_s(), time.monotonic()
    time.sleep(1)
    idle_check = background(busy0, t0, 0.0)
    say_background(say, idle_check, "1 s before starting")
    say()

    results, ssh_setup = {}, None
    with tempfile.TemporaryDirectory(prefix="ringrun-bench-") as work:
        ctx.work = work
        ctx.fleet, ctx.copy_dir = None, None
        write_inputs(ctx)
        try:
            for w in workloads:
                if w.hosts and ctx.fleet is None:
                    progress("[ssh] starting sshds ...")
                    ctx.fleet = Fleet(work, fleet_size)
                    ctx.fleet.start()
                    progress(f" {len(ctx.fleet.sshds)} sshds, "
                             f"{len(ctx.fleet.hosts)} hosts\n")
                res = {name: {} for name in w.tools}
                runner = {"strace": run_strace, "stop": run_stop,
                          "stdin": run_stdin}.get(w.kind, run_timed)
                extra = runner(ctx, w, res, say)
                results[w.key] = {"title": w.title, "n": w.n, "j": w.j,
                                  "cmd": w.cmd, "kind": w.kind,
                                  "group": w.group, "hosts": w.hosts,
                                  "per_host": w.per_host, "unit": w.unit,
                                  "tools": res, "other_cpu": None, **extra}
        finally:
            if ctx.fleet:
                progress("[ssh] stopping sshds\n")
                ctx.fleet.stop()
            if ctx.copy_dir:
                shutil.rmtree(ctx.copy_dir, ignore_errors=True)
        if ctx.fleet:
            with open(ctx.fleet.ssh_config) as f:
                ssh_setup = {"sshd_config": SSHD_CONFIG, "ssh_config": f.read(),
                             "sshds": [{"port": s["port"], "addrs": s["addrs"]}
                                       for s in ctx.fleet.sshds]}

    busy = [k for k, r in results.items()
            if r.get("other_cpu") and r["other_cpu"]["share"] > BUSY_SHARE]
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
                   "idle_check": idle_check, "ssh_setup": ssh_setup,
                   "workloads": results, "targets": verdicts}, f, indent=1)
    with open(os.path.join(ctx.results, "latest.txt"), "w") as f:
        f.write("\n".join(say.lines) + "\n")
    where = os.path.relpath(ctx.results)
    where = ctx.results if where.startswith("..") else where
    say(f"\nwritten: {where}/latest.json, {where}/latest.txt")


if __name__ == "__main__":
    main()
