"""The ctypes mirrors of ringrun.h's structs have the C compiler's layout:
a program compiled here from the header prints every field's offset and
every struct's size, and each must match."""
import ctypes
import os
import subprocess

from conftest import TREE
from ringrun import _lib

STRUCTS = {
    "rr_loop_opts": _lib.LoopOpts,
    "rr_loop_stats": _lib.LoopStats,
    "rr_pty": _lib.Pty,
    "rr_kill_step": _lib.KillStep,
    "rr_opts": _lib.Opts,
    "rr_capture": _lib.Capture,
    "rr_result": _lib.CResult,
    "rr_host_opts": _lib.HostOpts,
    "rr_host_spec": _lib.HostSpec,
    "rr_xfer_file": _lib.XferFile,
    "rr_xfer_opts": _lib.XferOpts,
}


def c_layout(tmp_path, skip=()):
    """{(struct, field): offset, (struct, "sizeof"): size} as cc has them;
    None when the header lacks a field asked for."""
    lines = ["#include <stddef.h>", "#include <stdio.h>", "#include <ringrun.h>",
             "int main(void) {"]
    for name, cls in STRUCTS.items():
        lines.append(f'printf("{name} sizeof %zu\\n", sizeof(struct {name}));')
        for field, _ in cls._fields_:
            if (name, field) not in skip:
                lines.append(f'printf("{name} {field} %zu\\n", '
                             f'offsetof(struct {name}, {field}));')
    lines.append("return 0; }")
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines) + "\n")
    exe = tmp_path / "layout"
    cc = os.environ.get("CC", "cc")
    built = subprocess.run([cc, "-std=gnu11", "-I", os.path.join(TREE, "lib", "include"),
                            "-o", str(exe), str(src)], capture_output=True, text=True)
    if built.returncode != 0:
        assert skip == () and "has no member" in built.stderr, built.stderr
        return None
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return {tuple(line.split()[:2]): int(line.split()[2]) for line in out.splitlines()}


def ctypes_layout():
    got = {}
    for name, cls in STRUCTS.items():
        got[(name, "sizeof")] = ctypes.sizeof(cls)
        for field, _ in cls._fields_:
            got[(name, field)] = getattr(cls, field).offset
    return got


def test_structs_match_the_header(tmp_path):
    got, want = ctypes_layout(), c_layout(tmp_path)
    if want is None:
        # A header older than rr_host_opts' later fields: the rest must
        # match, and those begin where its struct ends (ringrun.h's ABI).
        later = {("rr_host_opts", f) for f in _lib.HOST_OPTS_LATER}
        want = c_layout(tmp_path, skip=later)
        assert min(got[k] for k in later) == want[("rr_host_opts", "sizeof")]
        for k in later | {("rr_host_opts", "sizeof")}:
            got.pop(k)
            want.pop(k, None)
    assert got == want


def test_new_sets_the_size_member():
    for cls in (_lib.LoopOpts, _lib.LoopStats, _lib.Pty, _lib.Opts, _lib.HostOpts,
                _lib.XferOpts):
        assert _lib.new(cls).size == ctypes.sizeof(cls)
    assert not hasattr(_lib.new(_lib.KillStep), "size")
