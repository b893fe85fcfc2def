"""ringrun.Host: a remote host that commands run on over SSH, as channels of
one connection the library opens when the first needs it."""
import ctypes
import os

from . import _lib, _loop
from ._lib import lib
from .process import _split, spawn

# Keywords of rr_host_opts fields being added to the library; refused
# until this package is built against a library that has them.
_SECRET_KWDS = ("password", "hostkey_callback", "passphrase_callback")


def parse_spec(spec):
    """Check "[user@]host[:port]" with the library's one grammar."""
    raw = os.fsencode(spec)
    out, why = _lib.HostSpec(), ctypes.c_char_p()
    if lib.rr_host_spec_parse(raw, len(raw), ctypes.byref(out), ctypes.byref(why)) < 0:
        reason = why.value.decode() if why.value else "invalid"
        raise ValueError(f"ringrun: host {spec!r}: {reason} (byte {out.error_at})")


def _ms(seconds):
    return 0 if seconds is None else max(1, round(seconds * 1000))


class Host:
    """Host("user@web7", port=, identities=, known_hosts=,
    hostkey="strict"|"accept-new"|"off", connect_timeout=, ...).

    The connection belongs to the asyncio loop of the first create_process;
    close() (or leaving `async with`) closes it and kills its commands."""

    def __init__(self, spec, *, user=None, port=None, identities=None, known_hosts=None,
                 hostkey="strict", connect_timeout=None, auth_timeout=None, keepalive=None,
                 channels=None, agent=True, password_file=None, password_env=None,
                 alias=None, **secrets):
        self._config = None
        if spec is not None:
            parse_spec(spec)
        self.spec = spec
        for k in secrets:
            if k not in _SECRET_KWDS:
                raise TypeError(f"ringrun: Host: unexpected keyword argument {k!r}")
            raise NotImplementedError(f"ringrun: Host: {k}= needs a libringrun with "
                                      f"rr_host_opts.{k.replace('_callback', '_cb')}")
        if hostkey not in _lib.RR_HOSTKEY:
            raise ValueError(f"ringrun: hostkey={hostkey!r}: strict, accept-new or off")
        self._keep = []
        o = self._opts = _lib.new(_lib.HostOpts)
        o.user = self._b(user)
        o.port = port or 0
        if identities is not None:
            o.identities = self._hold(_lib.cstrs(list(identities), "identities"))
        o.no_agent = not agent
        o.password_file = self._b(password_file)
        o.password_env = self._b(password_env)
        o.known_hosts = self._b(known_hosts)
        o.hostkey = _lib.RR_HOSTKEY[hostkey]
        o.connect_timeout_ms = _ms(connect_timeout)
        o.auth_timeout_ms = _ms(auth_timeout)
        o.keepalive_s = keepalive or 0
        o.channels = channels or 0
        o.alias = self._b(alias)
        self._ptr = None
        self._runner = None

    @classmethod
    def from_config(cls, alias, config=None, **overrides):
        """The host an ssh_config alias names (~/.ssh/config, or config),
        overrides taking the place of what the file says."""
        if not _lib.HAS_FROM_CONFIG:
            raise NotImplementedError("ringrun: Host.from_config needs a libringrun "
                                      "with rr_host_from_config")
        host = cls(None, **overrides)
        host.spec = alias
        host._config = (_lib.cstr(alias, "alias"),
                        None if config is None else _lib.cstr(config, "config"))
        return host

    def _b(self, s):
        if s is None:
            return None
        b = _lib.cstr(s, "host option")
        self._keep.append(b)
        return b

    def _hold(self, obj):
        self._keep.append(obj)
        return obj

    def __repr__(self):
        return f"<Host {self.name}>"

    @property
    def name(self):
        """How messages name it: "web7:22" (rr_host_name), once connected to a loop."""
        return lib.rr_host_name(self._ptr).decode() if self._ptr else self.spec

    def handle(self, runner):
        """The rr_host on runner's loop, made on first use."""
        if self._ptr is not None:
            if self._runner is not runner:
                raise RuntimeError(f"ringrun: host {self.spec}: used from a second event loop")
            return self._ptr
        if self._runner is not None:
            raise RuntimeError(f"ringrun: host {self.spec}: closed")
        o = ctypes.byref(self._opts)
        if self._config is not None:
            ptr = lib.rr_host_from_config(runner.ptr, self._config[0], self._config[1], o)
        else:
            ptr = lib.rr_host_new(runner.ptr, _lib.cstr(self.spec, "host"), o)
        if not ptr:
            raise _lib.errno_error(f"ringrun: host {self.spec}")
        self._ptr, self._runner = ptr, runner
        runner.own(self)
        return ptr

    async def create_process(self, cmd, stdin=None, stdout=None, stderr=None,
                             limit=2 ** 16, **kwds):
        """Run cmd through the remote login shell, as ssh does; the Process
        of create_subprocess_shell (pid 0).  stdin=None is /dev/null there,
        stdout/stderr=None are written to ours."""
        r = _loop.runner()
        proc = await spawn(cmd=cmd, host=self.handle(r), stdin=stdin, stdout=stdout,
                           stderr=stderr, limit=limit, runner=r, **_split(kwds))
        proc._host = self  # the host lives while its processes do
        return proc

    def invalidate(self):
        self._ptr = None

    def close(self):
        """Close the connection; commands still running are killed."""
        ptr, self._ptr = self._ptr, None
        if ptr is not None:
            lib.rr_host_free(ptr)

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_ptr", None) is not None:
            self.close()
