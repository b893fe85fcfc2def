"""libringrun through ctypes: finding the library, the structs of ringrun.h
mirrored field for field, and the functions' prototypes.

Only this module knows the C layouts; tests/test_layout.py compares them
with what a C compiler makes of ringrun.h.
"""
import ctypes
import errno as _errno
import os

# ringrun.h's enums and flags (the values the header gives them).
RR_RUN_NOWAIT = 2
RR_STDOUT = 1
RR_IO_CAPTURE, RR_IO_CALLBACK, RR_IO_DISCARD, RR_IO_INHERIT, RR_IO_MERGE = range(5)
RR_F_STDIN_INHERIT = 1 << 0
RR_F_STDIN_PIPE = 1 << 3
RR_F_PTY = 1 << 4
RR_SIG_LEADER = 1 << 0
RR_HOSTKEY = {"strict": 0, "accept-new": 1, "off": 2}
RR_XFER_RECURSIVE, RR_XFER_PRESERVE, RR_XFER_MKDIRS, RR_XFER_FOLLOW = 1, 2, 4, 8


def _candidates():
    """Where the library is looked for, in order: $RINGRUN_LIB, the source
    tree this package sits in, then the system's (after make install)."""
    env = os.environ.get("RINGRUN_LIB")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    tree = os.path.join(here, "..", "..", "lib", "libringrun.so.0")
    found = [os.path.normpath(tree)] if os.path.exists(tree) else []
    # The dynamic loader searches the system's directories itself;
    # ctypes.util.find_library would run ldconfig for it on every import.
    return found + ["libringrun.so.0"]


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path, use_errno=True)
        except OSError as e:
            tried.append(f"{path}: {e}")
    raise ImportError("ringrun: libringrun not found (set RINGRUN_LIB to its path, "
                      "run make in the source tree, or make install): " + "; ".join(tried))


lib = _load()


c_char_p, c_void_p, c_size_t = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t
c_uint, c_int, c_bool, c_uint64 = ctypes.c_uint, ctypes.c_int, ctypes.c_bool, ctypes.c_uint64


def _sized(fields):
    """ringrun.h's ABI rule: the options structs (and rr_loop_stats) begin
    with `size_t size`, set to their sizeof by new()."""
    return [("size", c_size_t)] + fields


# Callbacks: every pointer argument as c_void_p (an int, or None for NULL).
DATA_CB = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_void_p, c_size_t, c_void_p)
DONE_CB = ctypes.CFUNCTYPE(None, c_void_p, c_void_p)
START_CB = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_void_p)
EOF_CB = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_void_p)
DRAIN_CB = DONE_CB
WARN_CB = ctypes.CFUNCTYPE(None, c_void_p, c_char_p, c_void_p)
TIMEOUT_CB = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_void_p)


class LoopOpts(ctypes.Structure):
    _fields_ = _sized([
        ("max_running", c_uint),
        ("flags", c_uint),
        ("wait_sigmask", c_void_p),
        ("max_handshakes", c_uint),
        ("connect_rate", c_uint),
        ("on_warning", WARN_CB),
        ("user", c_void_p),
        ("max_spawns_per_turn", c_uint),
    ])


class LoopStats(ctypes.Structure):
    _fields_ = _sized([
        ("enters", c_uint64),
        ("sqes", c_uint64),
        ("cqes", c_uint64),
        ("spawned", c_uint64),
        ("finished", c_uint64),
        ("running", c_uint),
        ("queued", c_uint),
        ("max_running", c_uint),
        ("features", c_uint),
    ])


class Pty(ctypes.Structure):
    _fields_ = _sized([
        ("rows", c_uint),
        ("cols", c_uint),
        ("term", c_char_p),
    ])


class KillStep(ctypes.Structure):
    _fields_ = [("sig", c_int), ("ms", c_uint)]


class Opts(ctypes.Structure):
    _fields_ = _sized([
        ("stdout_mode", c_int),
        ("stderr_mode", c_int),
        ("on_line", DATA_CB),
        ("on_chunk", DATA_CB),
        ("stdin_data", c_void_p),
        ("stdin_len", c_size_t),
        ("timeout_ms", c_uint64),
        ("idle_timeout_ms", c_uint64),
        ("kill_grace_ms", c_uint64),
        ("expect_exit", c_int),
        ("capture_max", c_size_t),
        ("env", ctypes.POINTER(c_char_p)),
        ("cwd", c_char_p),
        ("title", c_char_p),
        ("user", c_void_p),
        ("on_done", DONE_CB),
        ("flags", c_uint),
        ("on_start", START_CB),
        ("on_eof", EOF_CB),
        ("on_drain", DRAIN_CB),
        ("pty", ctypes.POINTER(Pty)),
        ("line_max", c_size_t),
        ("kill_seq", ctypes.POINTER(KillStep)),
        ("group", c_void_p),
    ])


class Capture(ctypes.Structure):
    _fields_ = [
        ("data", c_void_p),
        ("len", c_size_t),
        ("total", c_size_t),
        ("truncated", c_bool),
    ]


class CResult(ctypes.Structure):
    _fields_ = [
        ("status", c_int),
        ("exit_code", c_int),
        ("message", c_char_p),
        ("out", Capture),
        ("err", Capture),
        ("pid", c_int),
        ("start_ns", c_uint64),
        ("end_ns", c_uint64),
        ("user_us", c_uint64),
        ("sys_us", c_uint64),
        ("maxrss_kb", ctypes.c_long),
        ("started", c_bool),
    ]


class HostKeyInfo(ctypes.Structure):
    _fields_ = [
        ("type", c_char_p),
        ("fingerprint", c_char_p),
        ("key", c_void_p),
        ("key_len", c_size_t),
        ("known", c_int),
        ("known_hosts", c_char_p),
        ("line", c_uint),
        ("policy", c_int),
    ]


# enum rr_hostkey_known and rr_hostkey_answer, by value.
HOSTKEY_KNOWN = ("match", "new", "changed", "revoked", "ca", "unreadable", "off")
HOSTKEY_ANSWER = ("reject", "accept", "record")

HOSTKEY_CB = ctypes.CFUNCTYPE(c_int, c_void_p, ctypes.POINTER(HostKeyInfo), c_void_p)
PASSPHRASE_CB = ctypes.CFUNCTYPE(c_int, c_void_p, c_char_p, c_void_p, c_size_t, c_void_p)

# rr_host_opts' fields past its first layout (ringrun.h's ABI): a library
# older than them refuses a non-zero one with E2BIG.
HOST_OPTS_LATER = ("hostkey_cb", "password", "passphrase_cb", "cb_user")


class HostOpts(ctypes.Structure):
    _fields_ = _sized([
        ("user", c_char_p),
        ("port", c_uint),
        ("identities", ctypes.POINTER(c_char_p)),
        ("no_agent", c_bool),
        ("password_file", c_char_p),
        ("password_env", c_char_p),
        ("known_hosts", c_char_p),
        ("hostkey", c_int),
        ("connect_timeout_ms", c_uint),
        ("auth_timeout_ms", c_uint),
        ("keepalive_s", c_uint),
        ("channels", c_uint),
        ("alias", c_char_p),
        ("hostkey_cb", HOSTKEY_CB),
        ("password", c_char_p),
        ("passphrase_cb", PASSPHRASE_CB),
        ("cb_user", c_void_p),
    ])


class XferFile(ctypes.Structure):
    _fields_ = [
        ("src", c_char_p),
        ("dst", c_char_p),
        ("type", ctypes.c_char),
        ("bytes", c_uint64),
        ("err", c_int),
        ("message", c_char_p),
    ]


XFER_FILE_CB = ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(XferFile), c_void_p)
PROGRESS_CB = ctypes.CFUNCTYPE(None, c_void_p, c_uint64, c_uint64, c_void_p)


class XferOpts(ctypes.Structure):
    _fields_ = _sized([
        ("flags", c_uint),
        ("timeout_ms", c_uint64),
        ("title", c_char_p),
        ("user", c_void_p),
        ("on_done", DONE_CB),
        ("on_progress", PROGRESS_CB),
        ("on_file", XFER_FILE_CB),
        ("group", c_void_p),
    ])


class HostSpec(ctypes.Structure):
    _fields_ = [
        ("user", c_void_p),
        ("user_len", c_size_t),
        ("host", c_void_p),
        ("host_len", c_size_t),
        ("port", c_uint),
        ("brackets", c_bool),
        ("error_at", c_size_t),
    ]


def new(struct, **fields):
    """A zeroed struct with its size member set, as the ABI rule asks."""
    s = struct(**fields)
    if "size" in dict(struct._fields_):
        s.size = ctypes.sizeof(struct)
    return s


def _proto(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype, fn.argtypes = restype, list(argtypes)


_PROTOS = [
    ("rr_loop_new", c_void_p, ctypes.POINTER(LoopOpts)),
    ("rr_loop_free", None, c_void_p),
    ("rr_loop_run", c_int, c_void_p, c_int),
    ("rr_loop_fd", c_int, c_void_p),
    ("rr_loop_timeout_ms", c_int, c_void_p),
    ("rr_loop_on_timeout", None, c_void_p, TIMEOUT_CB, c_void_p),
    ("rr_loop_stats", None, c_void_p, ctypes.POINTER(LoopStats)),
    ("rr_strerror", c_char_p, c_int),
    ("rr_version", c_uint),
    ("rr_status_name", c_char_p, c_int),
    ("rr_shell", c_void_p, c_void_p, c_char_p, ctypes.POINTER(Opts)),
    ("rr_exec", c_void_p, c_void_p, ctypes.POINTER(c_char_p), ctypes.POINTER(Opts)),
    ("rr_task_kill", c_int, c_void_p, c_int),
    ("rr_task_signal", c_int, c_void_p, c_int, c_uint),
    ("rr_task_write", c_int, c_void_p, c_char_p, c_size_t),
    ("rr_task_close_stdin", c_int, c_void_p),
    ("rr_task_stdin_pending", c_size_t, c_void_p),
    ("rr_task_resize", c_int, c_void_p, c_uint, c_uint),
    ("rr_task_free", None, c_void_p),
    ("rr_task_result", ctypes.POINTER(CResult), c_void_p),
    ("rr_task_title", c_char_p, c_void_p),
    ("rr_host_spec_parse", c_int, c_char_p, c_size_t, ctypes.POINTER(HostSpec),
     ctypes.POINTER(c_char_p)),
    ("rr_host_new", c_void_p, c_void_p, c_char_p, ctypes.POINTER(HostOpts)),
    ("rr_host_free", None, c_void_p),
    ("rr_host_name", c_char_p, c_void_p),
    ("rr_ssh", c_void_p, c_void_p, c_void_p, c_char_p, ctypes.POINTER(Opts)),
    ("rr_put", c_void_p, c_void_p, c_void_p, c_char_p, c_char_p, ctypes.POINTER(XferOpts)),
    ("rr_get", c_void_p, c_void_p, c_void_p, c_char_p, c_char_p, ctypes.POINTER(XferOpts)),
]
for _p in _PROTOS:
    _proto(*_p)

# Being added to the library in parallel: bound only when it is there.
HAS_FROM_CONFIG = hasattr(lib, "rr_host_from_config")
if HAS_FROM_CONFIG:
    _proto("rr_host_from_config", c_void_p, c_void_p, c_char_p, c_char_p,
           ctypes.POINTER(HostOpts))


def strerror(err):
    return lib.rr_strerror(err).decode(errors="replace")


def status_name(status):
    return lib.rr_status_name(status).decode()


def oserror(err, what):
    """OSError (its errno's subclass) for a negative errno, naming what."""
    return OSError(-err, f"{what}: {strerror(err)}")


def errno_error(what):
    """OSError for a NULL returned with errno set, naming what."""
    e = ctypes.get_errno() or _errno.EINVAL
    return OSError(e, f"{what}: {os.strerror(e)}")


def cstr(s, what):
    """s as a C string; ValueError naming what for an embedded NUL, which
    C would silently cut the string at."""
    b = os.fsencode(s)
    if b"\0" in b:
        raise ValueError(f"ringrun: {what}: embedded null byte")
    return b


def cstrs(items, what):
    """A NULL-terminated char *[] (the array keeps its bytes alive)."""
    return (c_char_p * (len(items) + 1))(*[cstr(x, what) for x in items], None)
