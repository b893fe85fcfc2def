#!/usr/bin/env python3
"""Read one line from a process while it runs, then wait for it: asyncio's
get_date example on ringrun."""
import asyncio
import sys

import ringrun


async def get_date():
    code = "import datetime; print(datetime.datetime.now())"
    proc = await ringrun.create_subprocess_exec(sys.executable, "-c", code,
                                                stdout=ringrun.PIPE)
    data = await proc.stdout.readline()
    line = data.decode("ascii").rstrip()
    await proc.wait()
    return line


if __name__ == "__main__":
    print(f"Current date: {asyncio.run(get_date())}")
