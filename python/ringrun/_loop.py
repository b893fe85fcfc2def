"""One rr_loop per asyncio event loop, joined to it.

The loop's fd is an add_reader(); rr_loop_on_timeout() and the value of
rr_loop_timeout_ms() after each turn keep one call_soon/call_later handle;
a turn is rr_loop_run(RR_RUN_NOWAIT), bounded by max_spawns_per_turn.

C calls back through the module-level trampolines below (made once, alive
as long as the module): their `user` is a key into _handlers, so no
CFUNCTYPE object is ever made per task.  An exception raised while handling
a callback is caught in the trampoline and handed to the handler's fail(),
which gives it to whoever awaits that task: never printed and dropped.
"""
import asyncio
import atexit
import collections
import ctypes
import errno
import itertools
import logging
import weakref

from . import _lib
from ._lib import lib

log = logging.getLogger("ringrun")

_ids = itertools.count(1)
# key -> handler, or a weakref to one (a Process the user may drop: its
# __del__ frees its task, so C never calls for it again).
_handlers = {}


def register(handler, weak=False):
    key = next(_ids)
    _handlers[key] = weakref.ref(handler) if weak else handler
    return key


def unregister(key):
    _handlers.pop(key, None)


def _lookup(key):
    h = _handlers.get(key)
    if isinstance(h, weakref.ref):
        h = h()
    return h


def _deliver(key, method, *args):
    h = _lookup(key)
    if h is None:
        return
    try:
        getattr(h, method)(*args)
    except BaseException as e:  # noqa: B902 - every exception reaches a waiter
        h.fail(e)


@_lib.DATA_CB
def _on_chunk(task, stream, data, length, user):
    _deliver(user, "on_chunk", stream, ctypes.string_at(data, length))


@_lib.DONE_CB
def _on_done(task, user):
    _deliver(user, "on_done")


@_lib.START_CB
def _on_start(task, pid, user):
    _deliver(user, "on_start", pid)


@_lib.EOF_CB
def _on_eof(task, stream, user):
    _deliver(user, "on_eof", stream)


@_lib.DRAIN_CB
def _on_drain(task, user):
    _deliver(user, "on_drain")


@_lib.TIMEOUT_CB
def _on_timeout(loop, ms, user):
    _deliver(user, "on_timeout", ms)


@_lib.XFER_FILE_CB
def _on_file(task, file, user):
    _deliver(user, "on_file", file.contents)


@_lib.PROGRESS_CB
def _on_progress(task, done, total, user):
    _deliver(user, "on_progress", done, total)


@_lib.HOSTKEY_CB
def _on_hostkey(host, info, user):
    h = _lookup(user)
    try:
        return h.on_hostkey(info.contents) if h is not None else 0
    except BaseException as e:  # noqa: B902 - refused, and the waiter gets it
        h.fail(e)
        return 0  # RR_HOSTKEY_REJECT


@_lib.PASSPHRASE_CB
def _on_passphrase(host, path, buf, size, user):
    h = _lookup(user)
    try:
        return h.on_passphrase(path, buf, size) if h is not None else -errno.ENOKEY
    except BaseException as e:  # noqa: B902 - the key is skipped, the caller gets it
        h.fail(e)
        return -errno.ECANCELED


@_lib.WARN_CB
def _on_warning(loop, msg, user):
    _deliver(user, "on_warning", msg.decode(errors="replace"))


CALLBACKS = {"on_chunk": _on_chunk, "on_done": _on_done, "on_start": _on_start,
             "on_eof": _on_eof, "on_drain": _on_drain, "on_hostkey": _on_hostkey,
             "on_passphrase": _on_passphrase, "on_file": _on_file,
             "on_progress": _on_progress}

_runners = weakref.WeakKeyDictionary()

# Tasks submitted in one pass of the asyncio loop at most: a program that
# gathers 1000 create_subprocess_exec() would otherwise build them all in
# one pass (~20 us each) and stall the loop's timers, while the library
# starts only max_spawns_per_turn of them a turn anyway.
SUBMITS_PER_PASS = 64


class Runner:
    """The rr_loop of one asyncio loop; made by runner() on first use and
    freed when that loop closes."""

    def __init__(self, aloop):
        self.aloop = aloop
        self._key = register(self)
        opts = _lib.new(_lib.LoopOpts, on_warning=_on_warning, user=self._key)
        ptr = lib.rr_loop_new(ctypes.byref(opts))
        if not ptr:
            unregister(self._key)
            raise _lib.errno_error("ringrun: rr_loop_new")
        self.ptr = ptr
        self.fd = lib.rr_loop_fd(ptr)
        self.last_warning = None  # the library's last on_warning line
        self._handle = None  # the pending call_soon/call_later of a turn
        self._submits = SUBMITS_PER_PASS  # left in this pass of the loop
        self._waiting = collections.deque()  # futures of those waiting for a pass
        self._pass_scheduled = False
        self._owners = weakref.WeakSet()  # what holds a task or host of ours
        aloop.add_reader(self.fd, self.turn)
        lib.rr_loop_on_timeout(ptr, _on_timeout, self._key)
        self._arm(lib.rr_loop_timeout_ms(ptr))
        self._wrap_close()

    def _wrap_close(self):
        # asyncio has no close hook: the loop's own close() is wrapped on
        # this instance so that our children are killed while it can.
        close = self.aloop.close

        def closing():
            self.free()
            close()
        self.aloop.close = closing

    async def admit(self):
        """Wait, once this pass of the asyncio loop has submitted its
        share, for a later pass (first come, first served)."""
        if self._submits > 0 and not self._waiting:
            self._submits -= 1
        else:
            fut = self.aloop.create_future()
            self._waiting.append(fut)
            await fut
        if self._submits == 0 or self._waiting:
            self._schedule_pass()

    def _schedule_pass(self):
        if not self._pass_scheduled:
            self._pass_scheduled = True
            self.aloop.call_soon(self._new_pass)

    def _new_pass(self):
        self._pass_scheduled = False
        self._submits = SUBMITS_PER_PASS
        while self._waiting and self._submits:
            fut = self._waiting.popleft()
            if not fut.done():  # a waiter cancelled meanwhile has gone
                fut.set_result(None)
                self._submits -= 1

    def own(self, owner):
        """owner.invalidate() is called when the rr_loop is freed."""
        self._owners.add(owner)

    def on_warning(self, msg):
        self.last_warning = msg
        log.warning("%s", msg)

    def fail(self, exc):
        # Nobody awaits the loop's own callbacks (timeouts, warnings): asyncio's
        # handler for errors without a waiter gets it.
        self.aloop.call_exception_handler(
            {"message": "ringrun: error in a callback of the loop itself", "exception": exc})

    def on_timeout(self, ms):
        self._arm(ms)

    def _arm(self, ms):
        if self._handle is not None:
            if ms == 0 and self._handle_ms == 0:
                return
            self._handle.cancel()
            self._handle = None
        if ms == 0:
            self._handle = self.aloop.call_soon(self.turn)
        elif ms > 0:
            self._handle = self.aloop.call_later(ms / 1000.0, self.turn)
        self._handle_ms = ms

    def turn(self):
        if self.ptr is None:
            return
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        n = lib.rr_loop_run(self.ptr, _lib.RR_RUN_NOWAIT)
        assert n >= 0, _lib.strerror(n)
        if self.ptr is not None:
            self._arm(lib.rr_loop_timeout_ms(self.ptr))

    def stats(self):
        s = _lib.new(_lib.LoopStats)
        lib.rr_loop_stats(self.ptr, ctypes.byref(s))
        return {name: getattr(s, name) for name, _ in s._fields_ if name != "size"}

    def free(self):
        if self.ptr is None:
            return
        ptr, self.ptr = self.ptr, None
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if not self.aloop.is_closed():
            self.aloop.remove_reader(self.fd)
        for owner in list(self._owners):
            owner.invalidate()
        unregister(self._key)
        lib.rr_loop_free(ptr)  # kills and reaps what still runs
        _runners.pop(self.aloop, None)


@atexit.register
def _free_all():
    # An event loop never closed: its commands must not outlive us either.
    for r in list(_runners.values()):
        r.free()


def runner():
    """The Runner of the running asyncio loop (RuntimeError outside one)."""
    aloop = asyncio.get_running_loop()
    r = _runners.get(aloop)
    if r is None:
        r = _runners[aloop] = Runner(aloop)
    return r
