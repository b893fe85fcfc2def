#!/usr/bin/env python3
"""The asyncio runner: what a Python program does to run many commands.

    asyncio_runner.py -j J -a FILE COMMAND

For every line of FILE, COMMAND with each "{}" replaced by the line runs
through asyncio.create_subprocess_shell (so /bin/sh -c) with stdout and
stderr on pipes, read by communicate(); an asyncio.Semaphore keeps J running.
Each job's stdout and stderr are written when it ends (grouped).  Exit
status 1 if any job failed.

On Python < 3.12 the default child watcher starts a thread per child; we use
PidfdChildWatcher instead, which is the default from 3.12 on, so asyncio is
measured at its best on Linux.
"""
import argparse
import asyncio
import sys


def use_pidfd_watcher():
    if sys.version_info >= (3, 12) or not hasattr(asyncio, "PidfdChildWatcher"):
        return
    watcher = asyncio.PidfdChildWatcher()
    watcher.attach_loop(asyncio.get_running_loop())
    asyncio.set_child_watcher(watcher)


def write_all(f, data):
    # BufferedWriter.write() can return short when a signal interrupts a
    # pipe write (seen under ptrace): loop, as a careful program would.
    view = memoryview(data)
    while view:
        view = view[f.write(view):]


async def run_one(sem, cmd, out, err):
    async with sem:
        proc = await asyncio.create_subprocess_shell(
            cmd, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await proc.communicate()
    write_all(out, stdout)
    write_all(err, stderr)
    return proc.returncode


async def main(args):
    use_pidfd_watcher()
    with open(args.a) as f:
        lines = f.read().splitlines()
    sem = asyncio.Semaphore(args.j)
    out, err = sys.stdout.buffer, sys.stderr.buffer
    codes = await asyncio.gather(
        *(run_one(sem, args.command.replace("{}", line), out, err)
          for line in lines))
    out.flush()
    return 1 if any(codes) else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-j", type=int, default=1, help="jobs running at once")
    ap.add_argument("-a", required=True, help="input file, one job per line")
    ap.add_argument("command")
    sys.exit(asyncio.run(main(ap.parse_args())))
