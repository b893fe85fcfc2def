#!/usr/bin/env python3
"""Run shell commands and collect their output: asyncio's
create_subprocess_shell example with `import ringrun` in its place."""
import asyncio
import sys

import ringrun


async def run(cmd):
    proc = await ringrun.create_subprocess_shell(
        cmd, stdout=ringrun.PIPE, stderr=ringrun.PIPE)
    stdout, stderr = await proc.communicate()
    print(f"[{cmd!r} exited with {proc.returncode}]")
    if stdout:
        print(f"[stdout]\n{stdout.decode()}")
    if stderr:
        print(f"[stderr]\n{stderr.decode()}")


async def main(cmds):
    # Several at once, as the asyncio documentation's gather() does.
    await asyncio.gather(*(run(cmd) for cmd in cmds))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:] or ["ls /zzz", "sleep 0.1; echo hello"]))
