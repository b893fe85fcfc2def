"""asyncio.subprocess's API on ringrun tasks: create_subprocess_exec/shell
and the Process they return (Host.create_process returns one too)."""
import asyncio
import errno
import os
import signal

from . import _lib, _loop
from ._lib import lib
from ._task import PIPE, Spec, result, start_error, submit

# asyncio's default high-water mark of a write transport.
HIGH_WATER = 64 * 1024

_IGNORED_KWDS = {"close_fds"}  # ringrun's children never inherit our fds


class StdinWriter:
    """A Process's stdin (asyncio.StreamWriter's methods): writes are queued
    by rr_task_write(); drain() waits, once more than HIGH_WATER bytes are
    pending, until the library has handed all of them to the command."""

    def __init__(self, proc):
        self._proc = proc
        self._closing = False
        self._broken = None
        self._drained = None  # a future while drain() waits

    transport = None

    def get_extra_info(self, name, default=None):
        return default

    def write(self, data):
        # As asyncio's pipe transport: writes after close are dropped.
        task = self._proc._task
        if self._closing or self._broken or task is None:
            return
        data = bytes(data)
        if not data:
            return
        err = lib.rr_task_write(task, data, len(data))
        if err == -errno.EPIPE:
            self._broken = "stdin of the command is closed"
        elif err < 0:
            raise _lib.oserror(err, "ringrun: stdin write")

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def can_write_eof(self):
        return True

    def write_eof(self):
        self.close()

    def close(self):
        task = self._proc._task
        if not self._closing and task is not None:
            lib.rr_task_close_stdin(task)
        self._closing = True

    def is_closing(self):
        return self._closing

    def _pending(self):
        task = self._proc._task
        return 0 if task is None or self._proc.returncode is not None \
            else lib.rr_task_stdin_pending(task)

    async def _wait_drained(self, above):
        while self._pending() > above:
            self._drained = self._proc._aloop.create_future()
            try:
                await self._drained
            finally:
                self._drained = None

    async def drain(self):
        if self._broken:
            raise BrokenPipeError(errno.EPIPE, self._broken)
        await self._wait_drained(HIGH_WATER)
        if self._broken:
            raise BrokenPipeError(errno.EPIPE, self._broken)

    async def wait_closed(self):
        await self._wait_drained(0)

    def _wake(self, exc=None):
        f = self._drained
        if f is not None and not f.done():
            if exc is None:
                f.set_result(None)
            else:
                f.set_exception(exc)


class Process:
    """A running command, as asyncio.subprocess.Process: pid (0 remotely),
    returncode (-N for signal N), stdin, stdout, stderr, wait(),
    communicate(), send_signal(), terminate(), kill().

    The one deliberate difference: cancelling a wait() or communicate()
    (asyncio.wait_for's timeout) kills the command's whole process group,
    remote ones included.  A Process that is garbage-collected frees its
    task, which kills what still runs."""

    def __init__(self, runner, stdin, stdout, stderr, limit):
        self._aloop = runner.aloop
        self._task = None
        self.pid = None
        self.returncode = None
        self.status = "running"  # rr_status_name once it ended
        self.message = ""        # the library's line on how it ended
        self._ended = []  # readers given their EOF
        self._started = self._aloop.create_future()
        self._done = self._aloop.create_future()
        self.stdin = StdinWriter(self) if stdin == PIPE else None
        self.stdout = self._reader(limit) if stdout == PIPE else None
        self.stderr = self._reader(limit) if stderr == PIPE else None
        self._key = _loop.register(self, weak=True)

    def _reader(self, limit):
        return asyncio.StreamReader(limit=limit, loop=self._aloop)

    def __repr__(self):
        return f"<{type(self).__name__} {self.pid}>"

    # ---- what the library tells (through _loop's trampolines)
    def on_start(self, pid):
        self.pid = pid
        if not self._started.done():
            self._started.set_result(None)

    def on_chunk(self, stream, data):
        reader = self.stdout if stream == _lib.RR_STDOUT else self.stderr
        if reader is not None:
            reader.feed_data(data)
            return
        # A remote stream left as None goes where ssh would put it: ours.
        fd = 1 if stream == _lib.RR_STDOUT else 2
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    def on_eof(self, stream):
        self._eof(self.stdout if stream == _lib.RR_STDOUT else self.stderr)

    def _eof(self, reader):
        if reader is not None and reader not in self._ended:
            self._ended.append(reader)
            reader.feed_eof()

    def on_drain(self):
        if self.stdin is not None:
            self.stdin._wake()

    def on_done(self):
        res = result(self._task)
        self.status, self.message = res.status, res.message
        self._eof(self.stdout)
        self._eof(self.stderr)
        if not self._started.done():
            self._started.set_exception(start_error(res))
            return
        self.returncode = res.returncode
        if self.stdin is not None:
            self.stdin._wake()
        if not self._done.done():
            self._done.set_result(self.returncode)

    def fail(self, exc):
        """An exception raised while handling a callback: whoever waits for
        this process gets it."""
        for fut in (self._started, self._done):
            if not fut.done():
                fut.set_exception(exc)
        for reader in (self.stdout, self.stderr):
            if reader is not None:
                reader.set_exception(exc)
        if self.stdin is not None:
            self.stdin._wake(exc)

    def invalidate(self):
        """The rr_loop is being freed, and the task with it."""
        if self._task is not None:
            _loop.unregister(self._key)
            self._task = None

    def __del__(self):
        task, self._task = getattr(self, "_task", None), None
        if task is not None:
            _loop.unregister(self._key)
            lib.rr_task_free(task)

    # ---- asyncio.subprocess.Process
    def _kill_group(self):
        if self._task is not None and not self._done.done():
            lib.rr_task_kill(self._task, signal.SIGTERM)

    async def wait(self):
        try:
            return await asyncio.shield(self._done)
        except asyncio.CancelledError:
            self._kill_group()
            raise

    def send_signal(self, sig):
        # As asyncio's: once it has ended (its transport closed) there is
        # no process to signal.
        if self.returncode is not None or self._task is None:
            raise ProcessLookupError(f"ringrun: process {self.pid} has ended")
        err = lib.rr_task_signal(self._task, int(sig), _lib.RR_SIG_LEADER)
        if err == -errno.ESRCH:
            return  # it is gone, its end not yet told: as Popen, nothing
        if err < 0:
            raise _lib.oserror(err, f"ringrun: signal {int(sig)} to {self.pid}")

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def resize(self, rows, cols):
        """pty=: the terminal is now rows x cols (SIGWINCH; remotely a
        window-change request)."""
        err = lib.rr_task_resize(self._task, rows, cols) if self._task else -errno.ESRCH
        if err < 0:
            raise _lib.oserror(err, "ringrun: resize")

    async def _feed_stdin(self, input):
        try:
            if input:
                self.stdin.write(input)
                await self.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # as asyncio: the command did not want it all
        self.stdin.close()

    async def _nothing(self):
        return None

    async def communicate(self, input=None):
        """As asyncio's (3.12's: stdin=PIPE is closed also without input)."""
        try:
            parts = await asyncio.gather(
                self._feed_stdin(input) if self.stdin is not None else self._nothing(),
                self.stdout.read() if self.stdout is not None else self._nothing(),
                self.stderr.read() if self.stderr is not None else self._nothing())
            await self.wait()
        except asyncio.CancelledError:
            self._kill_group()
            raise
        return parts[1], parts[2]


def _check_kwds(kwds):
    bad = sorted(set(kwds) - _IGNORED_KWDS)
    if bad:
        raise TypeError(f"ringrun: unsupported keyword argument(s): {', '.join(bad)}")


async def spawn(cmd=None, argv=None, host=None, *, stdin=None, stdout=None, stderr=None,
                limit=2 ** 16, runner=None, **kw):
    """Submit one task with stream callbacks and wait until it started."""
    r = runner or _loop.runner()
    await r.admit()
    proc = Process(r, stdin, stdout, stderr, limit)
    spec = Spec(stdin=stdin, stdout=stdout, stderr=stderr, remote=host is not None, **kw)
    spec.callbacks(proc._key, "on_chunk", "on_done", "on_start", "on_eof", "on_drain")
    proc._task = submit(r, spec, cmd=cmd, argv=argv, host=host)
    r.own(proc)
    try:
        await asyncio.shield(proc._started)
    except asyncio.CancelledError:
        proc._kill_group()
        raise
    return proc


def _split(kwds):
    extra = {k: kwds.pop(k) for k in ("cwd", "env", "timeout", "kill_grace", "pty",
                                       "term", "title") if k in kwds}
    _check_kwds(kwds)
    return extra


async def create_subprocess_exec(program, *args, stdin=None, stdout=None, stderr=None,
                                 limit=2 ** 16, **kwds):
    """As asyncio.create_subprocess_exec; also timeout= and kill_grace=
    (seconds), pty= (True or (rows, cols)), term= and title=."""
    argv = [program, *args]
    return await spawn(argv=[os.fsdecode(a) for a in argv], stdin=stdin, stdout=stdout,
                       stderr=stderr, limit=limit, **_split(kwds))


async def create_subprocess_shell(cmd, stdin=None, stdout=None, stderr=None,
                                  limit=2 ** 16, **kwds):
    """As asyncio.create_subprocess_shell (/bin/sh -c cmd); the keywords of
    create_subprocess_exec."""
    return await spawn(cmd=cmd, stdin=stdin, stdout=stdout, stderr=stderr, limit=limit,
                       **_split(kwds))
