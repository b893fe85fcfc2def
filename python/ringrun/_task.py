"""What every task of the package shares: its rr_opts made from Python
keywords, its submission, and its result read back from rr_result."""
import ctypes
import os
import subprocess
from dataclasses import dataclass
from typing import Optional

from . import _lib, _loop
from ._lib import lib

# asyncio.subprocess's values, so that either module's constants work.
PIPE = subprocess.PIPE
STDOUT = subprocess.STDOUT
DEVNULL = subprocess.DEVNULL


class Error(OSError):
    """A task that ended before its command could run (a spawn that failed,
    a host not reached): status is its rr_status_name, message its line."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Result:
    """How one command of run_many() or fleet().run() ended."""
    status: str             # rr_status_name: "ok", "exit", "timeout", ...
    returncode: Optional[int]  # exit status, -N for signal N; None if it never ran
    stdout: bytes
    stderr: bytes
    message: str            # one line naming the command and the cause; "" when ok
    title: str
    host: Optional[str]     # rr_host_name of a remote one, None locally
    started: bool           # the command may have run

    @property
    def ok(self):
        return self.status == "ok"


def _ms(seconds, what):
    if seconds is None:
        return 0
    if seconds < 0:
        raise ValueError(f"{what} must be >= 0 seconds, not {seconds}")
    return max(1, round(seconds * 1000)) if seconds else 0


def _mode(value, which, remote):
    if value == PIPE:
        return _lib.RR_IO_CALLBACK
    if value == DEVNULL:
        return _lib.RR_IO_DISCARD
    if value == STDOUT and which == "stderr":
        return _lib.RR_IO_MERGE
    if value is None:
        # Remotely there is no fd of ours to give: ours are written to.
        return _lib.RR_IO_CALLBACK if remote else _lib.RR_IO_INHERIT
    name = {PIPE: "PIPE", STDOUT: "STDOUT", DEVNULL: "DEVNULL"}.get(value, repr(value))
    raise ValueError(f"ringrun: {which}={name}: only PIPE, DEVNULL"
                     + (", STDOUT" if which == "stderr" else "") + " and None are supported")


def _env(env):
    if env is None:
        return None
    items = []
    for k, v in env.items():
        k, v = os.fsencode(k), os.fsencode(v)
        if not k or b"=" in k:
            raise ValueError(f"ringrun: env: bad variable name {k!r}")
        items.append(k + b"=" + v)
    return _lib.cstrs(items, "env")


class Spec:
    """The keywords of one task turned into its rr_opts (kept alive with the
    buffers it points to until the submit has copied them)."""

    def __init__(self, *, stdin=None, stdout=None, stderr=None, cwd=None, env=None,
                 timeout=None, kill_grace=None, pty=None, term=None, title=None,
                 input=None, capture=False, remote=False):
        o = self.opts = _lib.new(_lib.Opts)
        self._keep = []
        if capture:
            o.stdout_mode = o.stderr_mode = _lib.RR_IO_CAPTURE
        else:
            o.stdout_mode = _mode(stdout, "stdout", remote)
            o.stderr_mode = _mode(stderr, "stderr", remote)
        if stdin == PIPE:
            o.flags |= _lib.RR_F_STDIN_PIPE
        elif stdin is None and not remote and input is None:
            o.flags |= _lib.RR_F_STDIN_INHERIT
        elif stdin not in (DEVNULL, None):
            raise ValueError(f"ringrun: stdin={stdin!r}: only PIPE, DEVNULL and None are supported")
        if input is not None:
            data = bytes(input)
            self._keep.append(data)
            o.stdin_data = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p)
            o.stdin_len = len(data)
        o.timeout_ms = _ms(timeout, "timeout")
        o.kill_grace_ms = _ms(kill_grace, "kill_grace")
        if cwd is not None:
            o.cwd = self._b(_lib.cstr(cwd, "cwd"))
        if env is not None:
            o.env = self._hold(_env(env))
        if title is not None:
            o.title = self._b(_lib.cstr(str(title), "title"))
        if pty:
            rows, cols = (24, 80) if pty is True else pty
            p = self._hold(_lib.new(_lib.Pty, rows=rows, cols=cols,
                                    term=_lib.cstr(term, "term") if term else None))
            o.pty = ctypes.pointer(p)
            o.flags |= _lib.RR_F_PTY

    def _b(self, b):
        self._keep.append(b)
        return b

    def _hold(self, obj):
        self._keep.append(obj)
        return obj

    def callbacks(self, key, *names):
        self.opts.user = key
        for name in names:
            setattr(self.opts, name, _loop.CALLBACKS[name])


def submit(runner, spec, cmd=None, argv=None, host=None):
    """rr_shell / rr_exec / rr_ssh; OSError naming the command when refused."""
    o = ctypes.byref(spec.opts)
    if host is not None:
        task = lib.rr_ssh(runner.ptr, host, _lib.cstr(cmd, "command"), o)
    elif argv is not None:
        task = lib.rr_exec(runner.ptr, _lib.cstrs(argv, "argv"), o)
    else:
        task = lib.rr_shell(runner.ptr, _lib.cstr(cmd, "command"), o)
    if not task:
        raise _lib.errno_error(f"ringrun: cannot run {cmd if argv is None else argv[0]!r}")
    return task


def result(task, host_name=None):
    r = lib.rr_task_result(task).contents
    status = _lib.status_name(r.status)

    def cap(c):
        return ctypes.string_at(c.data, c.len) if c.data and c.len else b""
    return Result(status=status, returncode=r.exit_code if r.started else None,
                  stdout=cap(r.out), stderr=cap(r.err),
                  message=(r.message or b"").decode(errors="replace"),
                  title=lib.rr_task_title(task).decode(errors="replace"),
                  host=host_name, started=r.started)


def start_error(res):
    """The exception for a task that ended before it started: OSError of
    the errno its message ends with (FileNotFoundError ...), as
    asyncio.create_subprocess_exec raises, else Error."""
    for e in _ERRNO_BY_TEXT:
        if res.message.endswith(": " + e[1]):
            return OSError(e[0], res.message)
    return Error(res.status, res.message)


_ERRNO_BY_TEXT = sorted(((n, os.strerror(n)) for n in range(1, 134)),
                        key=lambda e: -len(e[1]))
