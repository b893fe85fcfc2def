"""File copy over SFTP on a host's connection: Host.put() and Host.get()
(rr_put / rr_get), the entries they report and the error they raise.

A copy is one task of the library: each file is written to a temporary
name beside its destination and renamed over it once complete; cancelling
the awaiting coroutine stops the copy (rr_task_kill) and returns once the
library has removed what it left behind."""
import asyncio
import os
import signal
from dataclasses import dataclass, field
from typing import List

from . import _lib, _loop
from ._lib import lib
from ._task import Error, _ms

_TYPES = {b"f": "file", b"d": "dir", b"l": "link"}


@dataclass(frozen=True)
class CopyEntry:
    """One file, directory or symbolic link of a copy, copied or failed."""
    src: str      # its path on the sending side
    dst: str      # its final path on the receiving side
    type: str     # "file", "dir" or "link"
    bytes: int    # bytes of it copied
    errno: int    # 0, or the errno that failed it
    message: str  # "" or the library's line: "host web7:22: /etc/x: permission denied"

    @property
    def ok(self):
        return self.errno == 0


@dataclass
class CopyResult:
    """How one copy ended: status "ok" when every entry was copied."""
    status: str    # rr_status_name: "ok", "error", "timeout", "connect-failed", ...
    message: str   # "" when ok, else the library's one line
    host: str      # how messages name the host ("web7:22")
    entries: List[CopyEntry] = field(default_factory=list)  # in the order they ended

    @property
    def ok(self):
        return self.status == "ok"

    @property
    def failed(self):
        return [e for e in self.entries if e.errno]

    @property
    def bytes(self):
        return sum(e.bytes for e in self.entries)


class CopyError(Error):
    """A copy that did not copy everything: status and message as Error's,
    result (the CopyResult: what was copied too), failed (its entries that
    failed: src, dst, errno, message) and errno (the first failure's, or
    None when no entry failed: a host not reached, a timeout)."""

    def __init__(self, result):
        super().__init__(result.status, result.message)
        self.result = result
        self.failed = result.failed
        self.errno = self.failed[0].errno if self.failed else None


def _flags(recursive, preserve, mkdirs, follow_symlinks):
    return ((_lib.RR_XFER_RECURSIVE if recursive else 0)
            | (_lib.RR_XFER_PRESERVE if preserve else 0)
            | (_lib.RR_XFER_MKDIRS if mkdirs else 0)
            | (_lib.RR_XFER_FOLLOW if follow_symlinks else 0))


class Transfer:
    """One rr_put / rr_get task: its options, the entries on_file reports
    and progress; done(result) is called when it ended."""

    def __init__(self, runner, host, get, src, dst, *, recursive=False, preserve=False,
                 mkdirs=False, follow_symlinks=False, timeout=None, progress=None):
        self.host, self.progress = host, progress
        self.entries = []
        self.exc = None  # raised by progress: the copy is stopped, the awaiter gets it
        self.task = None
        o = _lib.new(_lib.XferOpts, timeout_ms=_ms(timeout, "timeout"),
                     flags=_flags(recursive, preserve, mkdirs, follow_symlinks),
                     on_done=_loop.CALLBACKS["on_done"],
                     on_file=_loop.CALLBACKS["on_file"])
        if progress is not None:
            o.on_progress = _loop.CALLBACKS["on_progress"]
        verb, fn = ("get", lib.rr_get) if get else ("put", lib.rr_put)
        bsrc, bdst = _lib.cstr(src, "source"), _lib.cstr(dst, "destination")
        ptr = host.handle(runner)
        o.user = self.key = _loop.register(self)
        task = fn(runner.ptr, ptr, bsrc, bdst, o)
        if not task:
            _loop.unregister(self.key)
            raise _lib.errno_error(f"ringrun: {verb} {os.fsdecode(src)}")
        self.task = task
        runner.own(self)

    def on_file(self, f):
        self.entries.append(CopyEntry(
            src=os.fsdecode(f.src), dst=os.fsdecode(f.dst), type=_TYPES[f.type],
            bytes=f.bytes, errno=-f.err, message=(f.message or b"").decode(errors="replace")))

    def on_progress(self, done, total):
        self.progress(done, total)

    def on_done(self):
        r = lib.rr_task_result(self.task).contents
        res = CopyResult(status=_lib.status_name(r.status),
                         message=(r.message or b"").decode(errors="replace"),
                         host=self.host.name, entries=self.entries)
        self._free()
        self.done(res)

    def done(self, res):
        raise NotImplementedError

    def fail(self, exc):
        if self.exc is None:
            self.exc = exc
        self.kill()

    def kill(self):
        if self.task is not None:
            lib.rr_task_kill(self.task, signal.SIGTERM)

    def _free(self):
        _loop.unregister(self.key)
        task, self.task = self.task, None
        if task is not None:
            lib.rr_task_free(task)

    def invalidate(self):
        """The rr_loop is being freed, and the task with it."""
        _loop.unregister(self.key)
        self.task = None


class _Awaited(Transfer):
    """The copy of Host.put / Host.get: its end is the future wait() awaits."""

    def __init__(self, runner, *args, **kw):
        self.future = runner.aloop.create_future()
        super().__init__(runner, *args, **kw)

    def done(self, res):
        if not self.future.done():
            self.future.set_result(res)

    async def wait(self):
        try:
            res = await asyncio.shield(self.future)
        except asyncio.CancelledError:
            # Stopped, and awaited: once the library says it ended, the
            # temporary files it wrote are gone.
            self.kill()
            if self.task is not None:
                await asyncio.shield(self.future)
            raise
        if self.exc is not None:
            raise self.exc
        if not res.ok:
            raise CopyError(res)
        return res


async def copy(host, get, src, dst, **kw):
    """Host.put / Host.get: the CopyResult, or CopyError."""
    r = _loop.runner()
    await r.admit()
    return await _Awaited(r, host, get, src, dst, **kw).wait()
