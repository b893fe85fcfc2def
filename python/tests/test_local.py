"""Local processes: ringrun's asyncio API against asyncio.subprocess on the
same commands, and what ringrun adds (timeouts, ptys, cancellation that
kills the process group, garbage collection, exceptions in callbacks)."""
import asyncio
import asyncio.subprocess as aio
import gc
import os
import random
import signal
import subprocess
import sys

import pytest

import ringrun
from conftest import procs, until


def run(coro):
    return asyncio.run(coro)


async def outcome(api, argv, shell=False, input=None, **kw):
    kw.setdefault("stdout", api.PIPE)
    kw.setdefault("stderr", api.PIPE)
    if input is not None:
        kw["stdin"] = api.PIPE
    if shell:
        p = await api.create_subprocess_shell(argv, **kw)
    else:
        p = await api.create_subprocess_exec(*argv, **kw)
    out, err = await p.communicate(input)
    return out, err, p.returncode


def generated_cases(n=40):
    rnd = random.Random(7700)
    cases = []
    for i in range(n):
        out = bytes(rnd.randrange(256) for _ in range(rnd.choice([0, 1, 100, 5000, 60000])))
        err = bytes(rnd.randrange(256) for _ in range(rnd.choice([0, 3, 1000])))
        code = rnd.choice([0, 1, 2, 42, 255])
        script = ("import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1])); "
                  "sys.stdout.flush(); sys.stderr.buffer.write(bytes.fromhex(sys.argv[2])); "
                  "sys.exit(int(sys.argv[3]))")
        cases.append([sys.executable, "-c", script, out.hex(), err.hex(), str(code)])
    return cases


@pytest.mark.parametrize("argv", generated_cases())
def test_generated_exec_same_as_asyncio(argv):
    assert run(outcome(ringrun, argv)) == run(outcome(aio, argv))


SHELL_CASES = [
    "echo out; echo err >&2; exit 3",
    "kill -TERM $$",
    "kill -KILL $$",
    "printf 'a\\nb'; printf 'no newline' >&2",
    "head -c 3000000 /dev/zero | tr '\\0' x",
    "exec 1>&-; echo err >&2",
    "exit 0",
]


@pytest.mark.parametrize("cmd", SHELL_CASES)
def test_shell_same_as_asyncio(cmd):
    assert run(outcome(ringrun, cmd, shell=True)) == run(outcome(aio, cmd, shell=True))


@pytest.mark.parametrize("kw", [
    dict(stderr="STDOUT"), dict(stdout="DEVNULL"), dict(stderr="DEVNULL"),
    dict(stdout="DEVNULL", stderr="DEVNULL"),
])
def test_stream_modes_same_as_asyncio(kw):
    cmd = "echo 1; echo 2 >&2; echo 3; echo 4 >&2"

    def modes(api):
        return {k: getattr(api, v) for k, v in kw.items()}
    assert run(outcome(ringrun, cmd, shell=True, **modes(ringrun))) == \
        run(outcome(aio, cmd, shell=True, **modes(aio)))


def test_constants_are_asyncios():
    assert (ringrun.PIPE, ringrun.STDOUT, ringrun.DEVNULL) == (aio.PIPE, aio.STDOUT, aio.DEVNULL)


@pytest.mark.parametrize("size", [0, 1, 65536, 3 * 1024 * 1024])
def test_communicate_input_same_as_asyncio(size):
    data = bytes(random.Random(size).randrange(256) for _ in range(min(size, 4096))) \
        * (size // 4096 or 1)
    data = data[:size]
    assert run(outcome(ringrun, ["cat"], input=data)) == run(outcome(aio, ["cat"], input=data))


def test_env_and_cwd_same_as_asyncio(tmp_path):
    env = dict(os.environ, RINGRUN_T="7701 x=y")
    cmd = 'echo "$RINGRUN_T"; pwd'
    assert run(outcome(ringrun, cmd, shell=True, env=env, cwd=tmp_path)) == \
        run(outcome(aio, cmd, shell=True, env=env, cwd=tmp_path))


@pytest.mark.parametrize("argv,kw", [
    (["/nonexistent/7702"], {}),
    (["no-such-program-7703"], {}),
    (["true"], {"cwd": "/nonexistent/7704"}),
])
def test_spawn_errors_are_asyncios(argv, kw):
    async def err(api):
        with pytest.raises(OSError) as e:
            await api.create_subprocess_exec(*argv, **kw)
        return type(e.value), e.value.errno
    assert run(err(ringrun)) == run(err(aio))


def test_readers_same_as_asyncio():
    text = b"".join(b"line %d\n" % i for i in range(2000)) + b"tail"

    async def reads(api):
        p = await api.create_subprocess_exec("cat", stdin=api.PIPE, stdout=api.PIPE)
        p.stdin.write(text)
        p.stdin.close()
        got = [await p.stdout.readline(), await p.stdout.readexactly(7),
               await p.stdout.readuntil(b"9\n"), await p.stdout.read(5)]
        got += [line async for line in p.stdout]
        await p.wait()
        return got, p.returncode
    assert run(reads(ringrun)) == run(reads(aio))


def test_limit_same_as_asyncio():
    async def over(api):
        p = await api.create_subprocess_shell("head -c 5000 /dev/zero; echo",
                                              stdout=api.PIPE, limit=1000)
        with pytest.raises(ValueError) as e:
            await p.stdout.readline()
        await p.wait()
        return type(e.value)
    assert run(over(ringrun)) == run(over(aio))


def test_pid_is_the_process():
    async def main():
        p = await ringrun.create_subprocess_exec("sleep", "7705")
        # Just past its execve a process may show no command line yet.
        await until(lambda: procs("sleep 7705"), "its command line shows")
        assert procs("sleep 7705") == [p.pid]
        p.kill()
        assert await p.wait() == -signal.SIGKILL
    run(main())


def test_signals_same_as_asyncio():
    script = "trap 'echo usr1; exit 7' USR1; echo ready; while :; do sleep 0.01; done"

    async def sig(api):
        p = await api.create_subprocess_exec("sh", "-c", script, stdout=api.PIPE)
        assert await p.stdout.readline() == b"ready\n"
        p.send_signal(signal.SIGUSR1)
        rest = await p.stdout.read()
        code = await p.wait()
        # After its end ours raises, as asyncio's does once its pipes are
        # closed - which may come after wait() returns: asyncio's own then
        # signals nothing and raises nothing, so only ours is held to it.
        if api is ringrun:
            with pytest.raises(ProcessLookupError):
                p.send_signal(signal.SIGUSR1)
        return rest, code
    assert run(sig(ringrun)) == run(sig(aio))


@pytest.mark.parametrize("method,code", [("terminate", -15), ("kill", -9)])
def test_terminate_kill_same_as_asyncio(method, code):
    async def end(api):
        p = await api.create_subprocess_exec("sleep", "7706")
        getattr(p, method)()
        return await p.wait()
    assert run(end(ringrun)) == run(end(aio)) == code


def test_stdin_streams_and_drain_waits():
    async def main():
        p = await ringrun.create_subprocess_exec("cat", stdin=ringrun.PIPE, stdout=ringrun.PIPE)
        for i in range(50):  # each line comes back before the next goes
            p.stdin.write(b"%d\n" % i)
            await p.stdin.drain()
            assert await p.stdout.readline() == b"%d\n" % i
        big = b"x" * (1 << 20)
        reader = asyncio.ensure_future(p.stdout.readexactly(len(big)))
        p.stdin.writelines([big[:1000], big[1000:]])
        assert p.stdin._pending() > 0
        await p.stdin.drain()  # above the high-water mark: waits for on_drain
        assert p.stdin._pending() == 0
        assert await reader == big
        assert p.stdin.can_write_eof()
        p.stdin.write_eof()
        assert p.stdin.is_closing()
        await p.stdin.wait_closed()
        p.stdin.write(b"dropped after close, as asyncio drops it")
        assert await p.stdout.read() == b""
        assert await p.wait() == 0
    run(main())


def test_drain_after_reader_gone_is_broken_pipe():
    async def main():
        p = await ringrun.create_subprocess_exec("true", stdin=ringrun.PIPE)
        await p.wait()
        p.stdin.write(b"x" * 100000)
        with pytest.raises(BrokenPipeError):
            await p.stdin.drain()
    run(main())


def test_communicate_closes_stdin_without_input():
    async def main():
        p = await ringrun.create_subprocess_exec("cat", stdin=ringrun.PIPE, stdout=ringrun.PIPE)
        assert await p.communicate() == (b"", None)
        assert p.returncode == 0
    run(main())


def test_timeout_and_kill_grace():
    async def main():
        p = await ringrun.create_subprocess_exec("sleep", "7707", timeout=0.05)
        assert await p.wait() == -signal.SIGTERM
        assert p.status == "timeout" and "timed out" in p.message
        trap = "trap '' TERM; echo ready; exec sleep 7708"
        p = await ringrun.create_subprocess_exec("sh", "-c", trap, stdout=ringrun.PIPE,
                                                 timeout=0.05, kill_grace=0.05)
        assert await p.wait() == -signal.SIGKILL
    run(main())


def test_pty_size_resize_and_title():
    async def main():
        p = await ringrun.create_subprocess_exec(
            "sh", "-c", "stty size; read x; stty size", pty=(30, 100), stdin=ringrun.PIPE,
            stdout=ringrun.PIPE, stderr=ringrun.PIPE, title="tty-7709")
        assert await p.stdout.readline() == b"30 100\r\n"
        p.resize(40, 120)
        p.stdin.write(b"go\n")
        rest = await p.stdout.read()
        assert rest.endswith(b"40 120\r\n")
        assert await p.stderr.read() == b""  # one stream on a pty
        assert await p.wait() == 0
    run(main())


def test_cancelled_wait_kills_the_process_group():
    async def main():
        p = await ringrun.create_subprocess_shell("sleep 7711 & sleep 7712; wait")
        await until(lambda: procs("sleep 7711") and procs("sleep 7712"), "children start")
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(p.wait(), 0.01)
        assert await p.wait() == -signal.SIGTERM and p.status == "cancelled"
        await until(lambda: not procs("sleep 7711") and not procs("sleep 7712"),
                    "the group is gone")
    run(main())


def test_cancelled_communicate_kills_the_process_group():
    async def main():
        p = await ringrun.create_subprocess_shell("sleep 7713 & echo x; sleep 7714; wait",
                                                  stdout=ringrun.PIPE)
        assert await p.stdout.readline() == b"x\n"
        task = asyncio.ensure_future(p.communicate())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await p.wait()
        await until(lambda: not procs("sleep 7713") and not procs("sleep 7714"),
                    "the group is gone")
    run(main())


def test_garbage_collected_process_frees_its_task():
    async def main():
        p = await ringrun.create_subprocess_exec("sleep", "7715")
        pid = p.pid
        del p
        gc.collect()
        await until(lambda: not procs("sleep 7715"), "a dropped process is killed")
        assert not os.path.exists(f"/proc/{pid}/cmdline") or not procs("sleep 7715")
    run(main())


def test_loop_close_kills_what_runs():
    async def main():
        keep.append(await ringrun.create_subprocess_exec("sleep", "7716"))
        keep.append(await ringrun.create_subprocess_exec("sleep", "7717"))
        await until(lambda: procs("sleep 7716") and procs("sleep 7717"), "both show")
    keep = []
    run(main())
    # rr_loop_free killed and reaped them before asyncio.run returned.
    assert not procs("sleep 7716") and not procs("sleep 7717")
    with pytest.raises(ProcessLookupError):  # its loop is gone, and it
        keep[1].send_signal(signal.SIGTERM)
    run(main())  # a second event loop gets a loop of its own
    keep.clear()


def test_exception_in_a_callback_reaches_the_waiter():
    async def main():
        p = await ringrun.create_subprocess_exec("cat", stdin=ringrun.PIPE,
                                                 stdout=ringrun.PIPE)

        def boom(data):
            raise RuntimeError("boom 7718")
        p.stdout.feed_data = boom  # before cat can have any output
        p.stdin.write(b"7718\n")
        p.stdin.close()
        with pytest.raises(RuntimeError, match="boom 7718"):
            await p.stdout.read()
        with pytest.raises(RuntimeError, match="boom 7718"):
            await p.wait()
    run(main())


@pytest.mark.parametrize("call,exc,words", [
    (lambda: ringrun.create_subprocess_exec("true", stdin=open(os.devnull)), ValueError,
     "stdin="),
    (lambda: ringrun.create_subprocess_exec("true", stdout=ringrun.STDOUT), ValueError,
     "stdout=STDOUT"),
    (lambda: ringrun.create_subprocess_exec("true", preexec_fn=print), TypeError,
     "preexec_fn"),
    (lambda: ringrun.create_subprocess_exec("true", env={"A=B": "1"}), ValueError, "env"),
    (lambda: ringrun.create_subprocess_exec("true", timeout=-1), ValueError, "timeout"),
    (lambda: ringrun.create_subprocess_shell("echo \0"), ValueError, "null"),
])
def test_bad_arguments_are_one_clear_error(call, exc, words):
    async def main():
        with pytest.raises(exc) as e:
            await call()
        assert words in str(e.value)
    run(main())


def test_exit_without_closing_the_loop_kills_what_runs():
    script = ("import asyncio, ringrun\n"
              "loop = asyncio.new_event_loop()\n"
              "p = loop.run_until_complete(ringrun.create_subprocess_exec('sleep', '7719'))\n"
              "print(p.pid)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                         capture_output=True, text=True).stdout
    assert int(out) > 0 and not procs("sleep 7719")
