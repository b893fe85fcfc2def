#!/usr/bin/env python3
"""Feed a process's stdin and read its stdout: lines through `tr a-z A-Z`."""
import asyncio
import sys

import ringrun


async def upper(lines):
    proc = await ringrun.create_subprocess_exec("tr", "a-z", "A-Z", stdin=ringrun.PIPE,
                                                stdout=ringrun.PIPE)
    out = []
    # tr's output to a pipe is block-buffered, shown when tr ends: write
    # every line (drain() waits while much is pending), then its EOF.
    for line in lines:
        proc.stdin.write(line.encode() + b"\n")
        await proc.stdin.drain()
    proc.stdin.close()
    async for got in proc.stdout:
        out.append(got.decode().rstrip("\n"))
    await proc.wait()
    return out


if __name__ == "__main__":
    for line in asyncio.run(upper(sys.argv[1:] or ["hello", "ringrun"])):
        print(line)
