"""run_many() and fleet(): results in input order / as hosts complete,
statuses, exit codes, outputs, messages, jobs, timeouts, cancellation."""
import asyncio
import os

import pytest

import ringrun
from conftest import procs, until


def run(coro):
    return asyncio.run(coro)


def test_run_many_in_input_order():
    cmds = ["echo a; echo e >&2", ["printf", "%s", "b c"], ("sh", "-c", "exit 4"),
            "kill -9 $$", ["no-such-program-7751"]]
    res = run(ringrun.run_many(cmds, jobs=2))
    assert [(r.status, r.returncode, r.stdout, r.stderr) for r in res] == [
        ("ok", 0, b"a\n", b"e\n"), ("ok", 0, b"b c", b""), ("exit", 4, b"", b""),
        ("signaled", -9, b"", b""), ("spawn-failed", None, b"", b"")]
    assert [r.ok for r in res] == [True, True, False, False, False]
    assert res[2].message == "'sh -c exit 4' exited with status 4"
    assert "No such file or directory" in res[4].message and not res[4].started
    assert res[0].title == "echo a; echo e >&2" and res[0].host is None


def test_run_many_jobs_bound_how_many_run(tmp_path):
    # Each command counts the others running beside it: with jobs=3 never
    # more than 2, whatever the timing.
    d = tmp_path / "running"
    d.mkdir()
    cmd = f'touch {d}/$$; ls {d} | wc -l; rm {d}/$$'
    res = run(ringrun.run_many([cmd] * 60, jobs=3))
    assert all(r.ok for r in res)
    assert max(int(r.stdout) for r in res) <= 3


def test_run_many_timeout_input_env_cwd(tmp_path):
    res = run(ringrun.run_many(["sleep 7752", "cat; echo $V7753; pwd"], timeout=0.05,
                               input=b"in\n", env=dict(os.environ, V7753="v"), cwd=tmp_path))
    assert (res[0].status, res[0].returncode) == ("timeout", -15)
    assert res[1].stdout == b"in\nv\n" + os.fsencode(tmp_path) + b"\n"


def test_run_many_empty_and_bad_items():
    assert run(ringrun.run_many([])) == []
    with pytest.raises(TypeError, match="command 1 is a int"):
        run(ringrun.run_many(["true", 7]))
    with pytest.raises(ValueError, match="jobs"):
        run(ringrun.run_many(["true"], jobs=0))


def test_cancelled_run_many_kills_every_command():
    async def main():
        cmds = ["exec sleep 7754"] * 5 + ["exec sleep 7755"]
        many = asyncio.ensure_future(ringrun.run_many(cmds))
        await until(lambda: len(procs("sleep 7754")) == 5 and procs("sleep 7755"), "all run")
        many.cancel()
        with pytest.raises(asyncio.CancelledError):
            await many
        await until(lambda: not procs("sleep 7754") and not procs("sleep 7755"),
                    "all are gone")
    run(main())


def test_fleet_yields_per_host_as_they_complete(sshd, host_opts):
    # The one that blocks on a FIFO ends last: it completes after the others
    # have been yielded, whatever the timing.
    async def main():
        hosts = sshd["addrs"] + ["127.0.0.1"]  # nothing listens on 127.0.0.1
        seen = []
        async for r in ringrun.fleet(hosts, **host_opts).run("echo $SSH_CONNECTION"):
            seen.append(r)
        by_host = {r.host.rsplit(":", 1)[0]: r for r in seen}
        assert sorted(by_host) == sorted(hosts)
        for a in sshd["addrs"]:
            assert by_host[a].ok and by_host[a].stdout.split()[2] == a.encode()
        bad = by_host["127.0.0.1"]
        assert bad.status == "connect-failed" and not bad.started and bad.returncode is None
        assert "connection refused" in bad.message
    run(main())


def test_fleet_order_is_completion_order(sshd, host_opts, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def release():  # open() waits for the reader: off the event loop
        with open(fifo, "w") as f:
            f.write("slow\n")

    async def main():
        first, last = sshd["addrs"][0], sshd["addrs"][1]
        cmd = f'case $SSH_CONNECTION in *" {first} "*) cat {fifo};; *) echo quick;; esac'
        order = []
        async for r in ringrun.fleet([first, last], **host_opts).run(cmd):
            order.append(r.host.rsplit(":", 1)[0])
            if len(order) == 1:  # only now may the first one end
                await asyncio.get_running_loop().run_in_executor(None, release)
        assert order == [last, first]
    run(main())


def test_fleet_with_host_objects_and_jobs(sshd, host_opts):
    async def main():
        hosts = [ringrun.Host(a, **host_opts) for a in sshd["addrs"]]
        res = [r async for r in ringrun.fleet(hosts, jobs=1).run("exit 5", timeout=30)]
        assert [(r.status, r.returncode) for r in res] == [("exit", 5)] * 3
        for h in hosts:  # the caller's Hosts stay open for more
            assert await (await h.create_process("true")).wait() == 0
            h.close()
    run(main())


def test_fleet_left_early_kills_the_rest(sshd, host_opts):
    async def main():
        cmd = 'case $SSH_CONNECTION in *" %s "*) exit 0;; esac; exec sleep 7756' \
            % sshd["addrs"][0]
        async for r in ringrun.fleet(sshd["addrs"], **host_opts).run(cmd):
            assert r.ok
            break
        await until(lambda: not procs("sleep 7756"), "the rest are killed")
    run(main())


def test_run_many_stdin_is_dev_null_and_loop_stats():
    async def main():
        res = await ringrun.run_many(["readlink /proc/self/fd/0"] * 3)
        stats = ringrun.loop_stats()
        return res, stats
    res, stats = run(main())
    assert [r.stdout for r in res] == [b"/dev/null\n"] * 3
    assert stats["spawned"] == stats["finished"] == 3 and stats["running"] == 0
