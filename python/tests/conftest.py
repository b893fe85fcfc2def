"""Fixtures shared by the package's tests: the source tree's paths, a real
sshd on loopback (tests/sshd/sshd-harness.sh), and /proc looked at for
the processes a test marked (numbers 77xx)."""
import asyncio
import os
import subprocess
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
TREE = os.path.dirname(PYDIR)
HARNESS = os.path.join(TREE, "tests", "sshd", "sshd-harness.sh")
# A hang guard only: far away, never what a test decides by.
HANG_GUARD_S = 30


def procs(marker):
    """pids whose command line contains marker (e.g. "sleep 7731")."""
    found = []
    needle = marker.encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ")
        except OSError:
            continue
        if needle in cmd:
            found.append(int(pid))
    return found


async def until(predicate, what):
    """Poll predicate() until true; the guard only stops a hang."""
    end = time.monotonic() + HANG_GUARD_S
    while not predicate():
        assert time.monotonic() < end, f"hang guard: {what}"
        await asyncio.sleep(0.01)


@pytest.fixture(scope="session")
def sshd(tmp_path_factory):
    """Three loopback addresses served by one sshd; stopped at the end."""
    d = tmp_path_factory.mktemp("sshd")
    subprocess.run(["sh", HARNESS, "start", str(d), "3"], check=True,
                   stdout=subprocess.DEVNULL)
    info = {
        "dir": str(d),
        "port": int((d / "port").read_text()),
        "addrs": (d / "addrs").read_text().split(),
        "known_hosts": str(d / "known_hosts"),
        "identity": str(d / "client_ed25519"),
    }
    try:
        yield info
    finally:
        subprocess.run(["sh", HARNESS, "stop", str(d)], check=True)


@pytest.fixture
def host_opts(sshd):
    return dict(port=sshd["port"], identities=[sshd["identity"]],
                known_hosts=sshd["known_hosts"], agent=False)
