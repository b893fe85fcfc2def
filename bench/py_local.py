#!/usr/bin/env python3
"""Many local commands from asyncio: one side of the py-local workload.

    py_local.py --side SIDE -j J -a FILE COMMAND

For every line of FILE, COMMAND split into words (shlex) with each "{}"
replaced by the line runs by exec, no shell, with stdout and stderr on
pipes; J run at once.  Each job's stdout and stderr are written when it ends
(grouped).  Exit status 1 if any job failed.  SIDE says how:

  asyncio       asyncio.create_subprocess_exec + communicate(), a Semaphore(J)
  ringrun-exec  the same code with ringrun.create_subprocess_exec
  ringrun-many  one await ringrun.run_many(argvs, jobs=J)

The ringrun sides need the ringrun package (PYTHONPATH, RINGRUN_LIB).
"""
import argparse
import asyncio
import shlex
import sys

from asyncio_runner import use_pidfd_watcher, write_all


async def exec_side(create, argvs, j, out, err):
    """The asyncio way, with create as its create_subprocess_exec."""
    sem = asyncio.Semaphore(j)

    async def one(argv):
        async with sem:
            proc = await create(*argv, stdin=asyncio.subprocess.DEVNULL,
                                stdout=asyncio.subprocess.PIPE,
                                stderr=asyncio.subprocess.PIPE)
            stdout, stderr = await proc.communicate()
        write_all(out, stdout)
        write_all(err, stderr)
        return proc.returncode

    return await asyncio.gather(*(one(argv) for argv in argvs))


async def many_side(argvs, j, out, err):
    import ringrun
    results = await ringrun.run_many(argvs, jobs=j)
    for i, r in enumerate(results):
        if r is None:       # must not happen: say so, do not crash on it
            write_all(err, f"py_local: run_many gave no Result for command "
                           f"{i + 1}\n".encode())
            continue
        write_all(out, r.stdout)
        write_all(err, r.stderr)
        if not r.ok:
            write_all(err, f"py_local: {r.message}\n".encode())
    return [0 if r and r.ok else 1 for r in results]


async def main(args):
    words = shlex.split(args.command)
    with open(args.a) as f:
        argvs = [[w.replace("{}", line) for w in words]
                 for line in f.read().splitlines()]
    out, err = sys.stdout.buffer, sys.stderr.buffer
    if args.side == "asyncio":
        use_pidfd_watcher()
        codes = await exec_side(asyncio.create_subprocess_exec, argvs,
                                args.j, out, err)
    elif args.side == "ringrun-exec":
        import ringrun
        codes = await exec_side(ringrun.create_subprocess_exec, argvs,
                                args.j, out, err)
    else:
        codes = await many_side(argvs, args.j, out, err)
    out.flush()
    return 1 if any(codes) else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", required=True,
                    choices=["asyncio", "ringrun-exec", "ringrun-many"])
    ap.add_argument("-j", type=int, default=1, help="jobs running at once")
    ap.add_argument("-a", required=True, help="input file, one job per line")
    ap.add_argument("command")
    sys.exit(asyncio.run(main(ap.parse_args())))
