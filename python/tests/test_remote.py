"""Remote commands against a real sshd on loopback (the harness): the same
Process as locally, signals, stdin streaming, cancellation killing the
remote process group (the sshd runs here, so /proc shows its commands),
host-key refusal, bad host specs, Host.from_config."""
import asyncio
import errno
import os
import shutil
import signal
import subprocess

import pytest

import ringrun
from ringrun import _lib
from conftest import procs, until


def run(coro):
    return asyncio.run(coro)


def test_create_process_streams_and_returncode(sshd, host_opts):
    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            p = await h.create_process("echo out; echo err >&2; exit 3",
                                       stdout=ringrun.PIPE, stderr=ringrun.PIPE)
            assert p.pid == 0
            assert await p.communicate() == (b"out\n", b"err\n")
            assert p.returncode == 3 and p.status == "exit"
            p = await h.create_process("echo 1; echo 2 >&2", stdout=ringrun.PIPE,
                                       stderr=ringrun.STDOUT)
            assert await p.communicate() == (b"1\n2\n", None)
            assert h.name == f"{sshd['addrs'][0]}:{sshd['port']}"
    run(main())


def test_stdin_streams_to_a_remote_command(sshd, host_opts):
    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            p = await h.create_process("cat", stdin=ringrun.PIPE, stdout=ringrun.PIPE)
            for i in range(20):  # each line comes back before the next goes
                p.stdin.write(b"line %d\n" % i)
                await p.stdin.drain()
                assert await p.stdout.readline() == b"line %d\n" % i
            big = bytes(range(256)) * 4096
            out, _ = await p.communicate(big)
            assert out == big and p.returncode == 0
    run(main())


def test_remote_signals(sshd, host_opts):
    script = "trap 'kill $!; echo usr1; exit 7' USR1; echo ready; sleep 7741 & wait"

    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            p = await h.create_process(script, stdout=ringrun.PIPE)
            assert await p.stdout.readline() == b"ready\n"
            p.send_signal(signal.SIGUSR1)
            assert await p.stdout.read() == b"usr1\n"
            assert await p.wait() == 7
            with pytest.raises(ProcessLookupError):
                p.send_signal(signal.SIGUSR1)
            p = await h.create_process("exec sleep 7742")
            p.terminate()
            assert await p.wait() == -signal.SIGTERM and p.status == "signaled"
    run(main())


def test_cancelled_wait_kills_the_remote_process_group(sshd, host_opts):
    async def main():
        async with ringrun.Host(sshd["addrs"][1], **host_opts) as h:
            p = await h.create_process("sleep 7743 & echo started; sleep 7744; wait",
                                       stdout=ringrun.PIPE)
            assert await p.stdout.readline() == b"started\n"
            await until(lambda: procs("sleep 7743") and procs("sleep 7744"), "remote start")
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(p.communicate(), 0.01)
            await p.wait()
            assert p.status == "cancelled"
            await until(lambda: not procs("sleep 7743") and not procs("sleep 7744"),
                        "the remote group is gone")
    run(main())


def test_remote_timeout(sshd, host_opts):
    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            p = await h.create_process("sleep 7745", timeout=0.05)
            assert await p.wait() == -signal.SIGTERM and p.status == "timeout"
    run(main())


def test_remote_stdout_none_is_ours(sshd, host_opts, capfd):
    async def main():
        async with ringrun.Host(sshd["addrs"][0], **host_opts) as h:
            p = await h.create_process("echo to-our-stdout-7746; echo to-our-stderr-7746 >&2")
            assert await p.wait() == 0
    run(main())
    out, err = capfd.readouterr()
    assert out == "to-our-stdout-7746\n" and err == "to-our-stderr-7746\n"


def test_unknown_host_key_is_refused(sshd, host_opts, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    opts = dict(host_opts, known_hosts=str(empty))

    async def main():
        h = ringrun.Host(sshd["addrs"][0], **opts)
        with pytest.raises(ringrun.Error) as e:
            await h.create_process("true")
        assert e.value.status == "hostkey-rejected"
        assert sshd["addrs"][0] in str(e.value)
        h.close()
        # accept-new records it, and a strict host then accepts it.
        async with ringrun.Host(sshd["addrs"][0], **dict(opts, hostkey="accept-new")) as h:
            p = await h.create_process("true")
            assert await p.wait() == 0
        async with ringrun.Host(sshd["addrs"][0], **opts) as h:
            assert await (await h.create_process("true")).wait() == 0
    run(main())


def test_unreachable_host_is_an_error(sshd, host_opts):
    async def main():
        async with ringrun.Host("127.0.0.1", **host_opts) as h:  # nothing listens there
            with pytest.raises(ringrun.Error) as e:
                await h.create_process("true")
            assert e.value.status == "connect-failed"
    run(main())


@pytest.mark.parametrize("spec,exc", [
    ("-oProxyCommand=x", ValueError), ("a b", ValueError), ("host:99999", ValueError),
    ("", ValueError),
])
def test_bad_host_spec_is_refused_at_once(spec, exc):
    with pytest.raises(exc) as e:
        ringrun.Host(spec)
    assert "ringrun: host" in str(e.value)


def test_bad_host_options_are_refused():
    with pytest.raises(ValueError, match="hostkey"):
        ringrun.Host("web7", hostkey="maybe")
    with pytest.raises(TypeError, match="colour"):
        ringrun.Host("web7", colour=1)


def test_from_config(sshd, tmp_path):
    if not _lib.HAS_FROM_CONFIG:
        with pytest.raises(NotImplementedError, match="rr_host_from_config"):
            ringrun.Host.from_config("web7747")
        return
    cfg = tmp_path / "config"
    cfg.write_text(f"Host web7747\n  HostName {sshd['addrs'][2]}\n  Port {sshd['port']}\n"
                   f"  IdentityFile {sshd['identity']}\n"
                   f"  UserKnownHostsFile {sshd['known_hosts']}\n")

    bad = tmp_path / "bad"
    bad.write_text("Host web7747\n  Port seventy\n")

    async def main():
        async with ringrun.Host.from_config("web7747", config=str(cfg), agent=False) as h:
            p = await h.create_process("echo $SSH_CONNECTION", stdout=ringrun.PIPE)
            out, _ = await p.communicate()
            assert out.split()[2] == sshd["addrs"][2].encode()
        with pytest.raises(OSError) as e:
            await ringrun.Host.from_config("web7747", config=str(bad)).create_process("true")
        assert e.value.errno == errno.EINVAL and "line 2" in str(e.value) \
            and "Port" in str(e.value)
        with pytest.raises(FileNotFoundError):
            await ringrun.Host.from_config("web7747", config=str(tmp_path / "none")) \
                .create_process("true")
    run(main())


def predates(e):
    """The library has no rr_host_opts fields past its first layout."""
    return e.errno == errno.E2BIG and "predates password=" in str(e)


def test_hostkey_callback_sees_the_key_and_decides(sshd, host_opts, tmp_path):
    want = subprocess.run(["ssh-keygen", "-lf", os.path.join(sshd["dir"], "host_ed25519.pub")],
                          check=True, capture_output=True, text=True).stdout.split()[1]
    kh = tmp_path / "known_hosts"
    kh.write_text("")
    seen = []

    def decide(answer):
        def cb(key):
            seen.append(key)
            return answer
        return cb

    async def main():
        opts = dict(host_opts, known_hosts=str(kh))
        h = ringrun.Host(sshd["addrs"][0], hostkey_callback=decide("reject"), **opts)
        try:
            with pytest.raises(ringrun.Error) as e:
                await h.create_process("true")
        except OSError as e:
            assert predates(e)
            return False
        assert e.value.status == "hostkey-rejected" and want in str(e.value)
        h.close()
        key = seen[0]
        assert (key.type, key.fingerprint, key.known, key.policy, key.line) == \
            ("ssh-ed25519", want, "new", "reject", 0)
        assert key.host == f"{sshd['addrs'][0]}:{sshd['port']}"
        # "record" trusts it and writes it down; then strict needs no callback.
        async with ringrun.Host(sshd["addrs"][0], hostkey_callback=decide("record"),
                                **opts) as h:
            assert await (await h.create_process("true")).wait() == 0
        async with ringrun.Host(sshd["addrs"][0], **opts) as h:
            assert await (await h.create_process("true")).wait() == 0
        return True
    if run(main()):
        assert [k.known for k in seen] == ["new", "new"]


def test_hostkey_callback_exception_reaches_create_process(sshd, host_opts):
    def boom(key):
        raise KeyError("boom 7748")

    async def main():
        h = ringrun.Host(sshd["addrs"][0], hostkey_callback=boom, **host_opts)
        try:
            with pytest.raises(KeyError, match="boom 7748") as e:
                await h.create_process("true")
        except OSError as e:
            assert predates(e)
            return
        assert isinstance(e.value.__cause__, ringrun.Error)
        assert e.value.__cause__.status == "hostkey-rejected"
        h.close()
    run(main())


def test_password_is_refused_by_a_server_without_passwords(sshd, host_opts):
    # The harness's sshd takes keys only: a password alone cannot log in,
    # and a library without the field says so.
    opts = dict(host_opts, identities=[sshd["dir"] + "/other_ed25519"])

    async def main():
        h = ringrun.Host(sshd["addrs"][0], password="not-7749", **opts)
        try:
            with pytest.raises(ringrun.Error) as e:
                await h.create_process("true")
        except OSError as e:
            assert predates(e)
            return
        assert e.value.status == "auth-failed" and "not-7749" not in str(e.value)
        h.close()
    run(main())


def test_passphrase_callback_unlocks_an_encrypted_key(sshd, host_opts, tmp_path):
    key = tmp_path / "locked"
    shutil.copy(sshd["identity"], key)
    os.chmod(key, 0o600)
    # In argv of ssh-keygen, in a test only.
    subprocess.run(["ssh-keygen", "-q", "-p", "-N", "phrase-7750", "-f", str(key)],
                   check=True, stdout=subprocess.DEVNULL)
    asked = []

    def phrase(path):
        asked.append(path)
        return "phrase-7750"

    async def main():
        opts = dict(host_opts, identities=[str(key)])
        h = ringrun.Host(sshd["addrs"][0], passphrase_callback=phrase, **opts)
        try:
            p = await h.create_process("echo unlocked", stdout=ringrun.PIPE)
        except OSError as e:
            assert predates(e)
            return
        assert await p.communicate() == (b"unlocked\n", None)
        assert asked == [str(key)]
        h.close()
    run(main())

    def boom(path):
        raise LookupError("no phrase 7750")

    async def raising():  # a new loop, which has not unlocked the key yet
        h = ringrun.Host(sshd["addrs"][1], passphrase_callback=boom,
                         **dict(host_opts, identities=[str(key)]))
        with pytest.raises(LookupError, match="no phrase 7750"):
            await h.create_process("true")
    if asked:
        run(raising())


def test_bad_hostkey_answer_is_an_error(sshd, host_opts):
    async def main():
        h = ringrun.Host(sshd["addrs"][0], hostkey_callback=lambda key: "maybe", **host_opts)
        try:
            with pytest.raises(ValueError, match="answered 'maybe'"):
                await h.create_process("true")
        except OSError as e:
            assert predates(e)
        h.close()
    run(main())


def test_hostkey_callback_exception_reaches_the_fleet_iterator(sshd, host_opts):
    def boom(key):
        raise KeyError("boom 7757")

    async def main():
        hosts = [ringrun.Host(sshd["addrs"][1], hostkey_callback=boom, **host_opts)]
        try:
            with pytest.raises(KeyError, match="boom 7757"):
                async for r in ringrun.fleet(hosts).run("true"):
                    pass
        except OSError as e:
            assert predates(e)
        hosts[0].close()
    run(main())
