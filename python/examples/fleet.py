#!/usr/bin/env python3
"""Run one command on many hosts over SSH and print each host's result as
it completes.

    fleet.py [-p PORT] [-i IDENTITY] [-k KNOWN_HOSTS] [-t SECONDS] -c CMD HOST...
"""
import argparse
import asyncio
import sys

import ringrun


async def main(args):
    failed = 0
    hosts = ringrun.fleet(args.hosts, jobs=args.jobs, port=args.port,
                          identities=args.identity, known_hosts=args.known_hosts)
    async for r in hosts.run(args.command, timeout=args.timeout):
        if r.ok:
            for line in r.stdout.decode(errors="replace").splitlines():
                print(f"{r.host}: {line}")
        else:
            failed += 1
            print(f"{r.host}: {r.status}: {r.message}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-c", dest="command", required=True, help="the command to run")
    ap.add_argument("-p", dest="port", type=int, help="SSH port (default 22)")
    ap.add_argument("-i", dest="identity", action="append", help="private key file")
    ap.add_argument("-k", dest="known_hosts", help="known_hosts file")
    ap.add_argument("-t", dest="timeout", type=float, help="seconds per host")
    ap.add_argument("-j", dest="jobs", type=int, help="hosts at once (default all)")
    ap.add_argument("hosts", nargs="+", metavar="HOST", help="[user@]host[:port]")
    sys.exit(asyncio.run(main(ap.parse_args())))
