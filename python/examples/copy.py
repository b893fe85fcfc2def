#!/usr/bin/env python3
"""Copy a file or tree to many hosts over SFTP, or from them (each host's
copy named NAME.HOST in a local directory, as rcopy does), and print each
host's result as it completes.

    copy.py [-p PORT] [-i IDENTITY] [-k KNOWN_HOSTS] [-r] [--preserve] SRC DST HOST...
    copy.py --get [...] REMOTE LOCALDIR HOST...
"""
import argparse
import asyncio
import os
import sys

import ringrun


async def main(args):
    failed = 0
    hosts = ringrun.fleet(args.hosts, jobs=args.jobs, port=args.port,
                          identities=args.identity, known_hosts=args.known_hosts)
    kw = dict(recursive=args.recursive, preserve=args.preserve, timeout=args.timeout)
    if args.get:
        name = os.path.basename(args.src.rstrip("/"))
        copies = hosts.get(args.src, lambda host: os.path.join(args.dst, f"{name}.{host}"), **kw)
    else:
        copies = hosts.put(args.src, args.dst, **kw)
    async for r in copies:
        if r.ok:
            print(f"{r.host}: {len(r.entries)} entries, {r.bytes} bytes")
        else:
            failed += 1
            print(f"{r.host}: {r.status}: {r.message}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--get", action="store_true", help="copy from the hosts into LOCALDIR")
    ap.add_argument("-r", dest="recursive", action="store_true", help="copy directories")
    ap.add_argument("--preserve", action="store_true", help="keep modes and times")
    ap.add_argument("-p", dest="port", type=int, help="SSH port (default 22)")
    ap.add_argument("-i", dest="identity", action="append", help="private key file")
    ap.add_argument("-k", dest="known_hosts", help="known_hosts file")
    ap.add_argument("-t", dest="timeout", type=float, help="seconds per host")
    ap.add_argument("-j", dest="jobs", type=int, help="hosts at once (default all)")
    ap.add_argument("src", metavar="SRC")
    ap.add_argument("dst", metavar="DST")
    ap.add_argument("hosts", nargs="+", metavar="HOST", help="[user@]host[:port]")
    try:
        sys.exit(asyncio.run(main(ap.parse_args())))
    except OSError as e:  # a source that cannot be copied at all
        sys.exit(f"copy.py: {e}")
