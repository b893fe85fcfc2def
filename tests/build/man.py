#!/usr/bin/env python3
"""The section-3 pages (make man), checked with the tools that read them:

- every global symbol of lib/ringrun.map has a page or a .so link to one;
- every page formats with groff -man -ww without a warning and has a
  NAME, a SYNOPSIS (with #include <ringrun.h> and -lringrun) and a
  DESCRIPTION; a .so link leads to a page;
- the C of every SYNOPSIS compiles after ringrun.h: each prototype agrees
  with the header's, and each struct shown has the header's size, and its
  members their offsets and types;
- make install puts every page under share/man/man3, where man finds
  rr_shell (and rr_task_done, through its link) with its synopsis, and
  make uninstall takes them away.

Usage: man.py BUILD_DIR (the pages are BUILD_DIR/man/man3/*.3)."""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
errors = []


def fail(msg):
    errors.append(msg)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def exported():
    text = (ROOT / "lib/ringrun.map").read_text()
    block = text.split("global:")[1].split("local:")[0]
    return re.findall(r"(\w+)\s*;", block)


def sections(rendered):
    """Section name -> its text, from groff's plain-text output."""
    out, cur = {}, None
    for line in rendered.splitlines():
        if re.match(r"^[A-Z][A-Z ]+$", line):
            cur = line.strip()
            out[cur] = ""
        elif cur:
            out[cur] += line + "\n"
    return out


def synopsis_c(text):
    """The C of a SYNOPSIS: its structs renamed (man_NAME), so that they
    can be compared with the header's, and the rest as it is."""
    lines = [l for l in text.splitlines()
             if "#include" not in l and "Link with" not in l]
    code = "\n".join(lines)
    checks = []
    for m in re.finditer(r"\bstruct (\w+) \{([^}]*)\};", code):
        name, body = m.group(1), m.group(2)
        checks.append(f"_Static_assert(sizeof(struct man_{name}) == "
                      f"sizeof(struct {name}), \"{name}: size\");")
        for decl in body.split(";"):
            fn = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)
            ids = re.findall(r"\w+", re.sub(r"\[[^\]]*\]", "", decl))
            member = fn.group(1) if fn else (ids[-1] if ids else None)
            if member:
                checks.append(
                    f"_Static_assert(offsetof(struct man_{name}, {member}) == "
                    f"offsetof(struct {name}, {member}) && "
                    f"__builtin_types_compatible_p("
                    f"typeof(((struct man_{name} *)0)->{member}), "
                    f"typeof(((struct {name} *)0)->{member})), \"{name}.{member}\");")
    code = re.sub(r"\bstruct (\w+) \{", r"struct man_\1 {", code)
    return code + "\n" + "\n".join(checks) + "\n"


def check_pages(man3):
    pages = sorted(man3.glob("*.3"))
    if not pages:
        fail(f"no pages under {man3}")
    names = {p.stem for p in pages}
    for sym in exported():
        if sym not in names:
            fail(f"{sym}: exported by lib/ringrun.map but has no page")
    real = {}
    for p in pages:
        text = p.read_text()
        m = re.match(r"\.so man3/([\w.]+)\.3\n$", text)
        if m:
            target = man3 / f"{m.group(1)}.3"
            if not target.exists() or target.read_text().startswith(".so"):
                fail(f"{p.name}: .so link to {target.name}, which is no page")
            continue
        r = run(["groff", "-man", "-ww", "-z", p.name], cwd=man3)
        if r.returncode or r.stderr:
            fail(f"{p.name}: groff -man -ww: {r.stderr.strip() or r.returncode}")
        r = run(["groff", "-man", "-Tascii", "-P-cbou", p.name], cwd=man3)
        s = sections(r.stdout)
        real[p.stem] = s
        for sec in ("NAME", "SYNOPSIS", "DESCRIPTION"):
            if not s.get(sec, "").strip():
                fail(f"{p.name}: no {sec} or an empty one")
        syn = s.get("SYNOPSIS", "")
        if "#include <ringrun.h>" not in syn or "-lringrun" not in syn:
            fail(f"{p.name}: SYNOPSIS lacks #include <ringrun.h> or -lringrun")
        if p.stem not in s.get("NAME", ""):
            fail(f"{p.name}: NAME does not name {p.stem}")
        if p.stem != "libringrun":
            check_c(p.name, syn)
    for sym in exported():
        page = sym
        f = man3 / f"{sym}.3"
        if f.exists() and f.read_text().startswith(".so"):
            page = re.match(r"\.so man3/([\w.]+)\.3", f.read_text()).group(1)
        syn = real.get(page, {}).get("SYNOPSIS", "")
        if not re.search(rf"\b{sym}\(", syn):
            fail(f"{sym}: not declared in the SYNOPSIS of {page}.3")
    return names


def check_c(page, synopsis):
    src = "#include <ringrun.h>\n#include <stddef.h>\n" + synopsis_c(synopsis)
    r = run(["cc", "-std=gnu11", "-Wall", "-Werror", "-fsyntax-only",
             f"-I{ROOT / 'lib/include'}", "-x", "c", "-"], input=src)
    if r.returncode:
        first = next((l for l in r.stderr.splitlines() if "error" in l), r.stderr)
        fail(f"{page}: its SYNOPSIS does not agree with ringrun.h: {first.strip()}")


def make(build, destdir, target):
    """make TARGET into DESTDIR, the parent make's job server left out."""
    env = dict(os.environ)
    env["MAKEFLAGS"] = " ".join(w for w in env.get("MAKEFLAGS", "").split()
                                if not w.startswith(("--jobserver", "-j")))
    return run(["make", "--no-print-directory", "-s", f"B={build}",
                f"DESTDIR={destdir}", target], cwd=ROOT, env=env)


def check_install(build, names):
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ringrun-man-"))
    try:
        r = make(build, tmp, "install")
        if r.returncode:
            fail(f"make install: {r.stderr.strip()}")
            return
        found = [d for d in tmp.rglob("man3") if d.parent.match("share/man")]
        if len(found) != 1:
            fail(f"make install: no single share/man/man3 under DESTDIR: {found}")
            return
        mandir = found[0].parent
        got = {p.stem for p in (mandir / "man3").glob("*.3")}
        if got != names:
            fail(f"make install: man3 holds {sorted(got ^ names)} differently")
        env = dict(os.environ, MANPATH=str(mandir), MANWIDTH="100",
                   MAN_KEEP_FORMATTING="")
        for name, want in (("rr_shell", "rr_shell("), ("rr_task_done", "rr_task_done(")):
            r = run(["man", "-P", "cat", "-E", "ascii", "3", name], env=env)
            s = sections(r.stdout)
            if r.returncode or want not in s.get("SYNOPSIS", ""):
                fail(f"man {name} (installed): no SYNOPSIS with {want} "
                     f"({r.stderr.strip() or 'rc ' + str(r.returncode)})")
        r = run(["man", "-l", "-P", "cat", "-E", "ascii",
                 str(mandir / "man3/rr_shell.3")], env=env)
        if "rr_shell(" not in sections(r.stdout).get("SYNOPSIS", ""):
            fail(f"man -l rr_shell.3 (installed): no synopsis: {r.stderr.strip()}")
        r = make(build, tmp, "uninstall")
        left = sorted(p.name for p in (mandir / "man3").glob("*"))
        if r.returncode or left:
            fail(f"make uninstall: {r.stderr.strip()} left {left}")
    finally:
        shutil.rmtree(tmp)


def main():
    build = sys.argv[1]
    man3 = ROOT / build / "man/man3"
    names = check_pages(man3)
    if not errors:
        check_install(build, names)
    for e in errors:
        print(f"man: {e}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"== man: {len(names)} pages (links included) for "
          f"{len(exported())} symbols; groff -ww clean; synopses compile; "
          "make install puts them where man finds them")


main()
