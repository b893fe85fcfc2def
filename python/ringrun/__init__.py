"""ringrun: asyncio subprocesses, remote commands over SSH and fan-out on
libringrun's io_uring loop.

    proc = await ringrun.create_subprocess_exec("ls", stdout=ringrun.PIPE)
    out, _ = await proc.communicate()   # as with asyncio's

One ringrun loop is made per asyncio event loop, on first use, and freed
(killing what still runs) when that event loop closes.  Use the package
from the event loop's thread only.
"""
from . import _loop
from ._lib import lib as _lib_handle
from ._task import DEVNULL, PIPE, STDOUT, Error, Result
from .xfer import CopyEntry, CopyError, CopyResult
from .fanout import fleet, run_many
from .host import Host, HostKey
from .process import Process, StdinWriter, create_subprocess_exec, create_subprocess_shell

__all__ = ["PIPE", "STDOUT", "DEVNULL", "Error", "Result", "Process", "StdinWriter",
           "Host", "HostKey", "CopyResult", "CopyEntry", "CopyError",
           "create_subprocess_exec", "create_subprocess_shell",
           "run_many", "fleet", "library_version", "loop_stats"]


def library_version():
    """RR_VERSION_NUM of the libringrun loaded (0x000100 is 0.1.0)."""
    return _lib_handle.rr_version()


def loop_stats():
    """The running asyncio loop's libringrun counters (rr_loop_stats):
    spawned, finished, running, queued, max_running, enters, sqes, cqes,
    features."""
    return _loop.runner().stats()
