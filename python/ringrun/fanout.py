"""Fan-out: run_many() (local commands, results in input order),
fleet(hosts).run(cmd) (one command per host, results as they complete)
and fleet(hosts).put()/get() (one copy per host, likewise).  Outputs are
captured by the library; at most `jobs` tasks of a call are submitted at
once, the next when one ends."""
import asyncio
import contextlib
import os

from . import _loop
from ._lib import lib
from ._task import DEVNULL, Spec, result, submit
from .host import Host
from .xfer import Transfer


class _Job:
    def __init__(self, batch, index, host=None):
        self.batch, self.index, self.host = batch, index, host
        self.task = None
        self.key = _loop.register(self)

    def on_done(self):
        self.batch.ended(self, result(self.task, self.host and self.host.name))

    def fail(self, exc):
        self.batch.queue.put_nowait(exc)


class _CopyJob(Transfer):
    """A copy of a fleet: its end goes to the batch as a _Job's does."""

    def __init__(self, batch, index, host, *args, **kw):
        self.batch, self.index = batch, index
        super().__init__(batch.runner, host, *args, **kw)

    def done(self, res):
        self.batch.ended(self, res)

    fail = _Job.fail


class _Batch:
    """The tasks of one call in flight; their ends arrive on a queue."""

    def __init__(self, runner):
        self.runner = runner
        self.queue = asyncio.Queue()
        self.jobs = set()
        runner.own(self)

    def ended(self, job, res):
        host = job.host
        self._drop(job)
        exc = host and host._callback_exc  # its hostkey_callback raised it
        if exc is not None:
            host._callback_exc = None
            self.queue.put_nowait(exc)
        else:
            self.queue.put_nowait((job.index, res))

    def _drop(self, job):
        self.jobs.discard(job)
        _loop.unregister(job.key)
        if job.task is not None:
            lib.rr_task_free(job.task)  # kills it if it still runs
            job.task = None

    def invalidate(self):
        for job in list(self.jobs):
            job.task = None
            self._drop(job)

    def close(self):
        for job in list(self.jobs):
            self._drop(job)


async def _drive(items, jobs, launch):
    """Yield (index, Result) as tasks end; launch(batch, index, item) submits one."""
    if jobs is not None and jobs < 1:
        raise ValueError(f"ringrun: jobs must be >= 1, not {jobs}")
    batch = _Batch(_loop.runner())
    todo = iter(enumerate(items))
    waiting = 0  # launched, its end not yet taken from the queue

    def next_one():
        nonlocal waiting
        for index, item in todo:
            batch.jobs.add(launch(batch, index, item))
            waiting += 1
            return True
        return False
    try:
        while jobs is None or waiting < jobs:
            await batch.runner.admit()
            if not next_one():
                break
        while waiting:
            got = await batch.queue.get()
            if isinstance(got, BaseException):
                raise got
            waiting -= 1
            next_one()
            yield got
    finally:
        batch.close()  # a consumer that stopped early or was cancelled


def _task_kwds(timeout, kill_grace, cwd, env, input):
    # Many commands never share this program's stdin: /dev/null, or input.
    return dict(timeout=timeout, kill_grace=kill_grace, cwd=cwd, env=env, input=input,
                stdin=DEVNULL, capture=True)


async def run_many(cmds, *, jobs=None, timeout=None, kill_grace=None, cwd=None, env=None,
                   input=None):
    """Run every command (a str through /bin/sh -c, a list or tuple as an
    argv) and return their Results in input order.  timeout: seconds each."""
    cmds = list(cmds)
    kw = _task_kwds(timeout, kill_grace, cwd, env, input)

    def launch(batch, index, cmd):
        job = _Job(batch, index)
        spec = Spec(**kw)
        spec.callbacks(job.key, "on_done")
        if isinstance(cmd, (list, tuple)):
            job.task = submit(batch.runner, spec, argv=[os.fsdecode(a) for a in cmd])
        elif isinstance(cmd, (str, bytes)):
            job.task = submit(batch.runner, spec, cmd=cmd)
        else:
            _loop.unregister(job.key)
            raise TypeError(f"ringrun: run_many: command {index} is a "
                            f"{type(cmd).__name__}, not a str or an argv list")
        return job

    results = [None] * len(cmds)
    async with contextlib.aclosing(_drive(cmds, jobs, launch)) as ends:
        async for index, res in ends:
            results[index] = res
    return results


class fleet:
    """fleet(hosts, jobs=None, **host_options): hosts are "[user@]host[:port]"
    specs (made into Host(spec, **host_options)) or Host objects."""

    def __init__(self, hosts, *, jobs=None, **host_opts):
        self.hosts = list(hosts)
        self.jobs = jobs
        self.host_opts = host_opts

    def run(self, cmd, *, timeout=None, kill_grace=None, cwd=None, env=None, input=None):
        """An async iterator of one Result per host, as each completes."""
        return self._run(cmd, _task_kwds(timeout, kill_grace, cwd, env, input))

    def _run(self, cmd, kw):
        def launch(batch, index, host):
            ptr = host.handle(batch.runner)
            job = _Job(batch, index, host)
            spec = Spec(remote=True, **kw)
            spec.callbacks(job.key, "on_done")
            job.task = submit(batch.runner, spec, cmd=cmd, host=ptr)
            return job
        return self._each(launch)

    def put(self, local, remote, *, recursive=False, preserve=False, mkdirs=False,
            follow_symlinks=False, timeout=None):
        """An async iterator of one CopyResult per host as each completes
        (Host.put's; a host whose copy failed has ok False, its status and
        message say why).  local or remote may be a callable given the
        host as listed (its spec), returning that host's path."""
        return self._copy(False, local, remote, dict(
            recursive=recursive, preserve=preserve, mkdirs=mkdirs,
            follow_symlinks=follow_symlinks, timeout=timeout))

    def get(self, remote, local, *, recursive=False, preserve=False, mkdirs=False,
            follow_symlinks=False, timeout=None):
        """Host.get from every host, as put(); give each its own local path
        with a callable, e.g. lambda host: f"logs/syslog.{host}"."""
        return self._copy(True, remote, local, dict(
            recursive=recursive, preserve=preserve, mkdirs=mkdirs,
            follow_symlinks=follow_symlinks, timeout=timeout))

    def _copy(self, get, src, dst, kw):
        def path(p, host):
            return p(host.spec) if callable(p) else p

        def launch(batch, index, host):
            return _CopyJob(batch, index, host, get, path(src, host), path(dst, host), **kw)
        return self._each(launch)

    async def _each(self, launch):
        hosts, made = [], []  # made: the Hosts this call made, and closes
        for h in self.hosts:
            if not isinstance(h, Host):
                h = Host(h, **self.host_opts)
                made.append(h)
            hosts.append(h)
        try:
            async with contextlib.aclosing(_drive(hosts, self.jobs, launch)) as ends:
                async for _, res in ends:
                    yield res
        finally:
            for h in made:
                h.close()
