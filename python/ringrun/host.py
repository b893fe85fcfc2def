"""ringrun.Host: a remote host that commands run on over SSH, as channels of
one connection the library opens when the first needs it."""
import ctypes
import errno
import os
from dataclasses import dataclass

from . import _lib, _loop, xfer
from ._lib import lib
from ._task import Error
from .process import _split, spawn

@dataclass(frozen=True)
class HostKey:
    """A server's host key, as hostkey_callback is asked about it."""
    host: str         # how messages name the host
    type: str         # "ssh-ed25519", "ecdsa-sha2-nistp256", ...
    fingerprint: str  # "SHA256:...", as ssh-keygen -l prints it
    known: str        # what known_hosts says: match, new, changed, revoked,
                      # ca, unreadable, off (hostkey="off": not read)
    known_hosts: str  # the file asked
    line: int         # its line that matched, changed, revoked or vouched; 0
    policy: str       # what hostkey= alone would answer: reject, accept, record


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
                 alias=None, password=None, hostkey_callback=None,
                 passphrase_callback=None):
        self._config = None
        if spec is not None:
            parse_spec(spec)
        self.spec = spec
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
        self._callback_exc = None  # raised by a callback, for the next waiter
        self._key = None  # in _loop's registry while it has callbacks
        self._hostkey_cb, self._passphrase_cb = hostkey_callback, passphrase_callback
        if hostkey_callback or passphrase_callback:
            o.cb_user = self._key = _loop.register(self, weak=True)
            if hostkey_callback:
                o.hostkey_cb = _loop.CALLBACKS["on_hostkey"]
            if passphrase_callback:
                o.passphrase_cb = _loop.CALLBACKS["on_passphrase"]
        # Copied by the library when the host is made, and dropped here then.
        o.password = None if password is None else _lib.cstr(password, "password")

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
        opts = ctypes.byref(self._opts)
        runner.last_warning = None
        if self._config is not None:
            ptr = lib.rr_host_from_config(runner.ptr, self._config[0], self._config[1], opts)
        else:
            ptr = lib.rr_host_new(runner.ptr, _lib.cstr(self.spec, "host"), opts)
        o = self._opts
        o.password = None
        exc, self._callback_exc = self._callback_exc, None
        if exc is not None:  # passphrase_callback raised it
            lib.rr_host_free(ptr)
            raise exc
        if not ptr:
            if ctypes.get_errno() == errno.E2BIG:
                raise OSError(errno.E2BIG, f"ringrun: host {self.spec}: this libringrun "
                              "predates password=, hostkey_callback= and passphrase_callback= "
                              "(rr_host_opts fields past its first layout)")
            e = _lib.errno_error(f"ringrun: host {self.spec}")
            if runner.last_warning:  # the library's words for it (a config's line)
                e = OSError(e.errno, f"ringrun: host {self.spec}: {runner.last_warning}")
            raise e
        self._ptr, self._runner = ptr, runner
        runner.own(self)
        return ptr

    async def create_process(self, cmd, stdin=None, stdout=None, stderr=None,
                             limit=2 ** 16, **kwds):
        """Run cmd through the remote login shell, as ssh does; the Process
        of create_subprocess_shell (pid 0).  stdin=None is /dev/null there,
        stdout/stderr=None are written to ours."""
        r = _loop.runner()
        try:
            proc = await spawn(cmd=cmd, host=self.handle(r), stdin=stdin, stdout=stdout,
                               stderr=stderr, limit=limit, runner=r, **_split(kwds))
        except Error as e:
            exc, self._callback_exc = self._callback_exc, None
            if exc is not None:  # hostkey_callback raised it: the key was refused
                raise exc from e
            raise
        proc._host = self  # the host lives while its processes do
        return proc

    async def put(self, local, remote, *, recursive=False, preserve=False, mkdirs=False,
                  follow_symlinks=False, timeout=None, progress=None):
        """Copy the local file (a tree with recursive=True) to remote over
        SFTP (rr_put).  A remote that is a directory or ends in "/" receives
        it under its own name.  preserve: mode and times; mkdirs: create
        remote's missing parents; follow_symlinks: copy what links point
        to; timeout: seconds; progress(bytes_done, bytes_total).  Returns a
        CopyResult; raises CopyError when an entry failed or the host was
        not reached, and at once, before connecting, FileNotFoundError or
        IsADirectoryError (...) for a local that cannot be copied.
        Cancelling the await stops the copy and returns once its temporary
        files are removed."""
        return await xfer.copy(self, False, local, remote, recursive=recursive,
                               preserve=preserve, mkdirs=mkdirs,
                               follow_symlinks=follow_symlinks, timeout=timeout,
                               progress=progress)

    async def get(self, remote, local, *, recursive=False, preserve=False, mkdirs=False,
                  follow_symlinks=False, timeout=None, progress=None):
        """Copy remote (a tree with recursive=True) to the local path
        (rr_get), as put() the other way; bytes_total of progress grows as
        the files of a remote directory are found."""
        return await xfer.copy(self, True, remote, local, recursive=recursive,
                               preserve=preserve, mkdirs=mkdirs,
                               follow_symlinks=follow_symlinks, timeout=timeout,
                               progress=progress)

    # ---- the library's callbacks (through _loop's trampolines)
    def on_hostkey(self, info):
        key = HostKey(host=self.name, type=info.type.decode(),
                      fingerprint=info.fingerprint.decode(),
                      known=_lib.HOSTKEY_KNOWN[info.known],
                      known_hosts=(info.known_hosts or b"").decode(errors="replace"),
                      line=info.line, policy=_lib.HOSTKEY_ANSWER[info.policy])
        answer = self._hostkey_cb(key)
        if answer is True or answer is False:
            answer = "accept" if answer else "reject"
        if answer not in _lib.HOSTKEY_ANSWER:
            raise ValueError(f"ringrun: hostkey_callback answered {answer!r}, not "
                             "reject, accept, record or a bool")
        return _lib.HOSTKEY_ANSWER.index(answer)

    def on_passphrase(self, path, buf, size):
        phrase = self._passphrase_cb(os.fsdecode(path))
        if phrase is None:
            return -errno.ENOKEY  # go on without that key
        phrase = os.fsencode(phrase)
        if len(phrase) >= size:
            raise ValueError(f"ringrun: passphrase of {os.fsdecode(path)}: longer than "
                             f"{size - 1} bytes")
        ctypes.memmove(buf, phrase, len(phrase))
        return len(phrase)

    def fail(self, exc):
        self._callback_exc = exc

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
        if getattr(self, "_key", None) is not None:
            _loop.unregister(self._key)
