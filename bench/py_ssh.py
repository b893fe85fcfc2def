#!/usr/bin/env python3
"""One command on many SSH hosts from Python: one side of the py-ssh workload.

    py_ssh.py --side SIDE --hosts ADDR:PORT,... --key KEY --known-hosts KH
              -j J COMMAND

COMMAND runs on every host, J hosts at once, as the user running this.  The
client key is KEY, the host keys are checked against KH (strict: a host
whose key is not there fails).  Each output line is printed as "ADDR: line"
when its host is done; a host that fails prints one line on stderr, and the
exit status is then 1.  SIDE says how:

  ringrun   ringrun.fleet(hosts).run(COMMAND): one loop, one thread
  asyncssh  asyncio.gather of asyncssh.connect + conn.run per host
  paramiko  a ThreadPoolExecutor(J), one SSHClient per host, RejectPolicy

The ringrun side needs the ringrun package (PYTHONPATH, RINGRUN_LIB).
"""
import argparse
import asyncio
import concurrent.futures
import getpass
import sys
import warnings

from asyncio_runner import write_all


def emit(out, addr, stdout):
    write_all(out, b"".join(addr.encode() + b": " + line + b"\n"
                            for line in stdout.splitlines()))


def fail(addr, why):
    sys.stderr.write(f"py_ssh: host {addr}: {why}\n")
    return 1


async def ringrun_side(args, hosts, out):
    import ringrun
    specs = [f"{addr}:{port}" for addr, port in hosts]
    failed = 0
    async for r in ringrun.fleet(specs, jobs=args.j, identities=[args.key],
                                 known_hosts=args.known_hosts, agent=False
                                 ).run(args.command):
        addr = r.host.rsplit(":", 1)[0]     # its name is "ADDR:PORT"
        if r.ok:
            emit(out, addr, r.stdout)
        else:
            failed |= fail(addr, r.message)
    return failed


async def asyncssh_side(args, hosts, out):
    with warnings.catch_warnings():   # its imports of old ciphers warn
        warnings.simplefilter("ignore")
        import asyncssh
    # Key and known_hosts parsed once, as a program connecting to many hosts
    # would; config=None: no ~/.ssh/config, agent_path=None: no agent.
    key = asyncssh.read_private_key(args.key)
    known = asyncssh.read_known_hosts(args.known_hosts)
    user = getpass.getuser()
    sem = asyncio.Semaphore(args.j)

    async def one(addr, port):
        async with sem:
            try:
                async with asyncssh.connect(
                        addr, port, username=user, client_keys=[key],
                        known_hosts=known, agent_path=None, config=None,
                        connect_timeout=30) as conn:
                    r = await conn.run(args.command, check=False,
                                       encoding=None)
            except (OSError, asyncssh.Error) as e:
                return fail(addr, e)
        if r.exit_status != 0:
            return fail(addr, f"exit status {r.exit_status}")
        emit(out, addr, r.stdout)
        return 0

    codes = await asyncio.gather(*(one(a, p) for a, p in hosts))
    return 1 if any(codes) else 0


def paramiko_side(args, hosts, out):
    import paramiko
    key = paramiko.Ed25519Key.from_private_key_file(args.key)
    user = getpass.getuser()

    def one(addr, port):
        client = paramiko.SSHClient()
        try:
            client.load_host_keys(args.known_hosts)
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
            client.connect(addr, port, username=user, pkey=key,
                           allow_agent=False, look_for_keys=False,
                           timeout=30, banner_timeout=30, auth_timeout=30)
            _, stdout, _ = client.exec_command(args.command)
            data = stdout.read()
            status = stdout.channel.recv_exit_status()
        except (OSError, paramiko.SSHException) as e:
            return addr, None, str(e)
        finally:
            client.close()
        return addr, data, "" if status == 0 else f"exit status {status}"

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        for f in concurrent.futures.as_completed(
                [pool.submit(one, a, p) for a, p in hosts]):
            addr, data, why = f.result()
            if why:
                failed |= fail(addr, why)
            else:
                emit(out, addr, data)
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", required=True,
                    choices=["ringrun", "asyncssh", "paramiko"])
    ap.add_argument("--hosts", required=True, help="ADDR:PORT,...")
    ap.add_argument("--key", required=True, help="the client's private key")
    ap.add_argument("--known-hosts", required=True)
    ap.add_argument("-j", type=int, default=1, help="hosts at once")
    ap.add_argument("command")
    args = ap.parse_args()
    hosts = [(a, int(p)) for a, p in
             (h.rsplit(":", 1) for h in args.hosts.split(","))]
    out = sys.stdout.buffer
    if args.side == "paramiko":
        rc = paramiko_side(args, hosts, out)
    else:
        side = ringrun_side if args.side == "ringrun" else asyncssh_side
        rc = asyncio.run(side(args, hosts, out))
    out.flush()
    return rc


if __name__ == "__main__":
    sys.exit(main())
