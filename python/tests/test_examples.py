"""Every example in python/examples runs, with the output it promises."""
import os
import subprocess
import sys

from conftest import PYDIR

EXAMPLES = os.path.join(PYDIR, "examples")


def example(name, *args):
    env = dict(os.environ, PYTHONPATH=PYDIR)
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_every_example_is_tested():
    assert sorted(os.listdir(EXAMPLES)) == sorted(
        ["shell_communicate.py", "read_line.py", "tr_stdin.py", "fleet.py", "copy.py"])


def test_shell_communicate():
    r = example("shell_communicate.py", "ls /zzz-7771", "echo 7772")
    assert r.returncode == 0
    assert "['ls /zzz-7771' exited with 2]\n[stderr]\nls: cannot access" in r.stdout
    assert "['echo 7772' exited with 0]\n[stdout]\n7772\n" in r.stdout


def test_read_line():
    r = example("read_line.py")
    assert r.returncode == 0 and r.stdout.startswith("Current date: 2")


def test_tr_stdin():
    r = example("tr_stdin.py", "abc", "x7773y")
    assert (r.returncode, r.stdout) == (0, "ABC\nX7773Y\n")


def test_fleet(sshd):
    r = example("fleet.py", "-p", str(sshd["port"]), "-i", sshd["identity"],
                "-k", sshd["known_hosts"], "-c", "echo $SSH_CONNECTION",
                *sshd["addrs"], "127.0.0.1")
    assert r.returncode == 1  # the host where nothing listens
    lines = sorted(r.stdout.splitlines())
    assert [line.split()[0] for line in lines] == [f"{a}:{sshd['port']}:" for a in sshd["addrs"]]
    assert [line.split()[3] for line in lines] == sshd["addrs"]
    assert r.stderr == f"127.0.0.1:{sshd['port']}: connect-failed: host " \
        f"127.0.0.1:{sshd['port']}: connection refused\n"


def test_copy(sshd, tmp_path):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a").write_bytes(b"7781\n")
    (tree / "sub" / "b").write_bytes(b"7782" * 1000)
    ssh = ["-p", str(sshd["port"]), "-i", sshd["identity"], "-k", sshd["known_hosts"]]
    first, second = sshd["addrs"][:2]
    r = example("copy.py", *ssh, "-r", str(tree), str(tmp_path / "put"), first)
    assert (r.returncode, r.stdout) == (0, f"{first}:{sshd['port']}: 4 entries, 4005 bytes\n")
    (tmp_path / "back").mkdir()
    r = example("copy.py", *ssh, "--get", "-r", str(tmp_path / "put"), str(tmp_path / "back"),
                first, second, "127.0.0.1")
    assert r.returncode == 1  # the host where nothing listens
    assert sorted(os.listdir(tmp_path / "back")) == [f"put.{first}", f"put.{second}"]
    for a in (first, second):
        assert (tmp_path / "back" / f"put.{a}" / "sub" / "b").read_bytes() == b"7782" * 1000
    assert r.stderr == f"127.0.0.1:{sshd['port']}: connect-failed: host " \
        f"127.0.0.1:{sshd['port']}: connection refused\n"
    r = example("copy.py", *ssh, str(tmp_path / "no-such-7783"), "/tmp/x", first)
    assert r.returncode == 1 and "no-such-7783: No such file or directory" in r.stderr
