#!/usr/bin/env python3
"""Section-3 man pages generated from the public header, whose comments are
the one copy of what each function does.

Usage: man3.py HEADER OUTDIR VERSION

The header is read as paragraphs (runs of lines between blank lines); in a
paragraph each comment documents the declarations that follow it:

- functions documented together share a page named after the first; the
  others are .so links to it;
- a comment followed by one handle's typedef ("typedef struct rr_timer
  rr_timer;") describes that handle: every rr_timer_* function joins its
  page, whatever comment each has of its own;
- a struct gets a page of its own (or a section of the function page of
  the same name) listing each field with its comment;
- a named enum, and a callback typedef, is shown in every page whose code
  uses it; constants (an anonymous enum, #defines) in the page their
  comment names ("Flags for rr_opts.flags"), else in the pages that
  mention them, else in libringrun(3);
- the file's first comment, and comments that document nothing, make
  libringrun(3), which also lists every page.
"""
import pathlib
import re
import sys

IDENT = re.compile(r"[A-Za-z_]\w*")


# ------------------------------------------------------------------ lexing

def lex(text):
    """Tokens: ("comment", text, after_code), ("pp", text), ("blank",) for
    an empty line, ("code", char) (white space as " ").  after_code: code
    came before the comment on its line."""
    toks, i, n = [], 0, len(text)
    line_empty, line_code = True, False
    while i < n:
        c = text[i]
        if c == "\n":
            toks.append(("blank",) if line_empty else ("code", " "))
            line_empty, line_code = True, False
            i += 1
        elif c in " \t\r\f\v":
            toks.append(("code", " "))
            i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise SyntaxError("unterminated comment")
            toks.append(("comment", comment_text(text[i + 2:end]), line_code))
            line_empty = False
            i = end + 2
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            toks.append(("comment", text[i + 2:end].strip(), line_code))
            line_empty = False
            i = end
        elif c == "#" and line_empty:
            end = i
            while True:
                end = text.find("\n", end)
                if end < 0:
                    end = n
                    break
                if text[end - 1] != "\\":
                    break
                end += 1
            toks.append(("pp", text[i:end]))
            line_empty = False
            i = end
        else:
            toks.append(("code", c))
            line_empty, line_code = False, True
            i += 1
    return toks


def comment_text(body):
    """A comment's text, its " * " margins gone; "" lines split paragraphs."""
    lines = []
    for raw in body.split("\n"):
        s = raw.strip()
        if s.startswith("*"):
            s = s[1:]
            s = s[1:] if s.startswith(" ") else s
        lines.append(s.rstrip())
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


# ----------------------------------------------------------------- parsing

class Decl:
    """A top-level declaration: kind is function, typedef (a callback type),
    handle (typedef struct x x), struct, enum, consts or other."""

    def __init__(self, kind, name, code, members=()):
        self.kind, self.name, self.code = kind, name, code
        self.members = list(members)  # [(name, code, comment)]
        self.comment = ""   # the comment on its own line
        self.doc = ""       # what documents it: that, or its unit's comment


def squash(code):
    return re.sub(r"\s+", " ", code).strip()


def member_name(code, kind):
    if kind == "enum":
        return code.split("=")[0].strip()
    m = re.search(r"\(\s*\*\s*(\w+)\s*\)", code)
    if m:
        return m.group(1)
    code = re.sub(r"\[[^\]]*\]", "", code)
    names = IDENT.findall(code)
    return names[-1] if names else code


def parse_body(items, kind):
    """Members of a struct or enum body from its code and comments: a
    comment on a member's line is that member's; one on a line of its own
    documents the members that follow, up to a blank line or a member with
    a comment of its own."""
    sep = "," if kind == "enum" else ";"
    members, pending, lead, depth = [], "", None, 0
    for it in items:
        if it[0] == "code":
            ch = it[1]
            depth += (ch == "(") - (ch == ")")
            if ch == sep and depth == 0:
                if pending.strip():
                    code = squash(pending)
                    members.append([member_name(code, kind), code, lead])
                pending = ""
            else:
                pending += ch
        elif it[0] == "comment":
            if it[2] and pending.strip():
                code = squash(pending)
                members.append([member_name(code, kind), code, it[1]])
                pending = ""
            elif it[2] and members:
                members[-1][2] = it[1]
                lead = None
            else:
                lead = it[1]
        elif it[0] == "blank":
            lead = None
    if pending.strip():
        code = squash(pending)
        members.append([member_name(code, kind), code, lead])
    return [tuple(m) for m in members]


def classify(code, body):
    """A Decl from a declaration's code (its body, if any, cut out)."""
    flat = squash(code)
    if flat.startswith("typedef"):
        m = re.match(r"typedef (struct|union|enum) (\w+) (\w+)$", flat)
        if m and not body:
            return Decl("handle", m.group(3), flat)
        m = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", flat) or \
            re.search(r"(\w+)\s*\(", flat)
        if m:
            return Decl("typedef", m.group(1), flat)
        return Decl("other", IDENT.findall(flat)[-1], flat)
    m = re.match(r"(struct|union|enum)\s*(\w*)\s*\{\s*\}$", flat)
    if m:
        kind = m.group(1)
        members = parse_body(body, kind)
        if kind == "enum" and not m.group(2):
            return Decl("consts", "", flat, members)
        return Decl("struct" if kind != "enum" else "enum", m.group(2), flat,
                    members)
    m = re.search(r"(\w+)\s*\(", flat)
    if m:
        return Decl("function", m.group(1), flat)
    return Decl("other", "", flat)


def parse(text):
    """The header's first comment, and its paragraphs, each a list of units
    (comment, [Decl]): a comment and the declarations that follow it."""
    first, paragraphs, units = None, [], []
    comment, decls = None, []
    code, body, depth, skip = "", [], 0, 0

    def flush():
        nonlocal comment, decls
        if comment is not None or decls:
            units.append((comment or "", decls))
        comment, decls = None, []

    for tok in lex(text):
        kind = tok[0]
        if skip:  # #ifdef __cplusplus ... #endif: extern "C" { }
            if kind == "pp":
                d = tok[1].lstrip("# \t")
                skip += d.startswith("if") - d.startswith("endif")
            continue
        if depth:
            if tok == ("code", "{"):
                depth += 1
            elif tok == ("code", "}"):
                depth -= 1
                if not depth:
                    code += "{}"
                    continue
            body.append(tok)
            continue
        if kind == "code":
            if tok[1] == "{":
                depth = 1
            elif tok[1] == ";":
                decls.append(classify(code, body))
                code, body = "", []
            else:
                code += tok[1]
        elif kind == "comment":
            if first is None and not paragraphs and not units and not decls:
                first = tok[1]
            elif tok[2] and decls:
                decls[-1].comment = tok[1]
            else:
                if decls:
                    flush()
                comment = tok[1] if comment is None else comment + "\n\n" + tok[1]
        elif kind == "pp":
            d = tok[1].lstrip("# \t")
            m = re.match(r"define\s+(\w+)\s+(.+?)\s*(?:/\*(.*)\*/)?\s*$", d, re.S)
            if re.match(r"ifdef\s+__cplusplus\b", d):
                skip = 1
            elif m:  # #defines in a row are one group of constants
                if not (decls and decls[-1].code == "#define"):
                    decls.append(Decl("consts", "", "#define"))
                decls[-1].members.append(
                    (m.group(1), squash(m.group(2)),
                     comment_text(m.group(3)) if m.group(3) else None))
        elif kind == "blank":
            flush()
            if units:
                paragraphs.append(units)
                units = []
    flush()
    if units:
        paragraphs.append(units)
    return first or "", paragraphs


# ------------------------------------------------------------------- pages

class Page:
    def __init__(self, name, summary=""):
        self.name, self.summary = name, summary
        self.aliases = []       # functions that are .so links to this page
        self.handle = ""        # the handle type whose page it is (rr_timer)
        self.text = []          # comments, in order
        self.funcs = []         # Decls (function)
        self.typedefs = []      # Decls shown in the synopsis
        self.structs = []       # Decls (struct)
        self.sub = []           # (function name, its own comment) in a handle's page
        self.consts = []        # Decls (consts)
        self.enums = []         # Decls (enum) used by the page's code

    def names(self):
        return [self.name] + self.aliases + ([self.handle] if self.handle else [])

    def own_text(self):
        parts = self.text + [c for _, c in self.sub]
        for d in self.funcs + self.typedefs + self.structs:
            parts.append(d.code)
            parts += [f"{m[1]} {m[2] or ''}" for m in d.members]
        return "\n".join(parts)


def summary(text):
    """What the first sentence of a comment says, before any ':' or ';'."""
    s = re.split(r"\.(?:\s|$)", squash(text), maxsplit=1)[0]
    s = s.replace("()", "\0")
    depth, out = 0, ""
    for i, ch in enumerate(s):
        if depth == 0 and ch in ":;" and s[i + 1:i + 2] in (" ", ""):
            if ch == ":" and len(out.split()) < 3:  # "With RR_F_PTY: ..."
                out = ""
                continue
            break
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:  # an unmatched one: "spec[0..len)"
            depth -= 1
        elif not depth:
            out += ch
    out = re.sub(r"\s+([,.])", r"\1", re.sub(r"\s+", " ", out))
    out = out.strip().replace("\0", "()")
    word = out.split(" ")[0] if out else ""
    if word[:1].isupper() and (len(word) == 1 or word[1:].islower()):
        out = out[0].lower() + out[1:]
    return out


def family(name):
    """rr_task_kill, rr_task_free: "task"; rr_opts: "opts"."""
    parts = name.split("_")
    return parts[1] if len(parts) > 1 else name


def build(first, paragraphs):
    pages, order = {}, []   # order: pages in the header's order
    handles = {}            # handle name -> its page, once a function joins
    handle_text = {}        # handle name -> (comment, typedefs)
    enums, typedefs, consts, standalone = {}, {}, [], []

    def new_page(name, text):
        if name in pages:
            sys.exit(f"man3: two pages named {name}")
        p = Page(name, summary(text))
        if text:
            p.text.append(text)
        pages[name] = p
        order.append(p)
        return p

    for units in paragraphs:
        for comment, decls in units:
            kinds = {d.kind for d in decls}
            if not decls:
                if comment and not re.fullmatch(r"-+\s*\w*", comment.strip()):
                    standalone.append(comment)
                continue
            hs = [d for d in decls if d.kind == "handle"]
            if len(hs) == 1 and "function" not in kinds and comment:
                handle_text[hs[0].name] = (comment, [
                    t for t in decls if t.kind == "typedef"])
                continue
            for d in decls:
                d.doc = d.comment or comment
                if d.kind == "enum":
                    enums[d.name] = d
                elif d.kind == "typedef":
                    typedefs[d.name] = d
                elif d.kind == "consts":
                    consts.append(d)
            funcs = [d for d in decls if d.kind == "function"]
            if funcs:
                owner = next((h for h in handle_text
                              if funcs[0].name.startswith(h + "_")), None)
                if owner:
                    p = handles.get(owner)
                    if p is None:
                        text, tds = handle_text[owner]
                        p = handles[owner] = new_page(funcs[0].name, text)
                        p.handle = owner
                        p.typedefs += tds
                    else:
                        p.aliases.append(funcs[0].name)
                    for f in funcs:
                        if f is not funcs[0]:
                            p.aliases.append(f.name)
                        if f.comment or comment:
                            p.sub.append((f.name, f.comment or comment))
                else:
                    p = new_page(funcs[0].name, comment)
                    p.aliases += [f.name for f in funcs[1:]]
                p.funcs += funcs
    # Structs after every function: one of a function's name is a section
    # of its page (rr_loop_stats).
    for units in paragraphs:
        for comment, decls in units:
            for d in decls:
                if d.kind == "struct":
                    p = pages.get(d.name) or new_page(d.name, "")
                    p.summary = p.summary or summary(d.doc) or f"struct {d.name}"
                    p.structs.append(d)
    index = {n: p for p in order for n in p.names()}

    for c in consts:
        home = None
        for ref in re.findall(r"\b(rr_\w+)", c.doc or ""):
            if ref in index:
                home = [index[ref]]
                break
        if home is None:
            names = [m[0] for m in c.members]
            home = [p for p in order if mentions(p.own_text(), names)]
        for p in home:
            p.consts.append(c)
        c.homes = home

    rank = list(typedefs.values())  # the header's order
    for p in order:
        used = set()
        code = " ".join(d.code + " " + " ".join(m[1] for m in d.members)
                        for d in p.funcs + p.typedefs + p.structs)
        while True:
            more = [t for n, t in typedefs.items() if t not in p.typedefs
                    and t not in used and re.search(rf"\b{n}\b", code)]
            more += [e for n, e in enums.items() if e not in used
                     and re.search(rf"\benum {n}\b", code)]
            if not more:
                break
            for d in more:
                used.add(d)
                code += " " + d.code + " " + " ".join(m[1] for m in d.members)
                (p.enums if d.kind == "enum" else p.typedefs).append(d)
        p.typedefs.sort(key=lambda t: rank.index(t) if t in rank else -1)

    overview = Page("libringrun")
    head, _, rest = first.partition("\n\n")
    m = re.match(r"\S+\s+-\s+(.*)", head, re.S)
    overview.summary = summary(m.group(1)) if m else summary(head)
    overview.text = [rest if m else first] + standalone
    overview.consts = [c for c in consts if not c.homes]
    return overview, order, index


def mentions(text, names):
    for n in names:
        if re.search(rf"\b{re.escape(n)}\b", text):
            return True
        for i in range(len(n) - 1, 3, -1):
            if n[i] == "_" and f"{n[:i + 1]}*" in text:
                return True
    return False


# --------------------------------------------------------------- rendering

def esc(line, code=False):
    """A line of text as roff: backslashes, a leading control character,
    minus signs (in code all, in prose those of -EINVAL, -1)."""
    line = line.replace("\\", "\\e")
    line = line.replace("-", "\\-") if code else re.sub(r"-(?=[A-Z0-9])", r"\\-", line)
    return "\\&" + line if line[:1] in (".", "'") else line


def prose(text):
    """A comment as paragraphs.  Indented "- " lines (all "- " lines when
    the paragraph opens with one) are a list; a one-line paragraph that
    heads a list, a subsection."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        raw = [l for l in para.split("\n") if l.strip()]
        item = re.compile(r"- " if raw[0].startswith("- ") else r"\s+- ")
        lead, items = [], []
        for l in raw:
            if item.match(l):
                items.append(l.strip()[2:])
            elif items:
                items[-1] += "\n" + l.strip()
            else:
                lead.append(l.strip())
        if len(lead) == 1 and items and lead[0][-1] not in ".:;,":
            out.append(".SS " + esc(lead[0]))
        elif lead:
            out += [".PP"] + [mark(esc(l)) for l in lead]
        for it in items:
            out += [".IP \\(bu 2"] + [mark(esc(l)) for l in it.split("\n")]
        if items:
            out.append(".PP")
    return out


def mark(line):
    """Function names bold: rr_loop_run() -> \\fBrr_loop_run\\fP()."""
    return re.sub(r"\b(rr_\w+)\(\)", r"\\fB\1\\fP()", line)


def wrap(code, width=72):
    """A declaration, broken after commas to fit, continued under its '('."""
    if len(code) <= width or "(" not in code:
        return [code]
    indent = " " * (code.index("(") + 1)
    lines, cur = [], ""
    for part in re.split(r"(?<=,) ", code):
        if cur and len(cur) + 1 + len(part) > width:
            lines.append(cur)
            cur = indent + part
        else:
            cur = f"{cur} {part}" if cur else part
    return lines + [cur]


def struct_code(d):
    word = "enum" if d.kind == "enum" else "struct"
    sep = "," if d.kind == "enum" else ";"
    return [f"{word} {d.name} {{"] + [f"    {m[1]}{sep}" for m in d.members] + ["};"]


def code_block(lines):
    return [".PP", ".nf", ".ft B"] + [esc(l, code=True) for l in lines] + [".ft", ".fi"]


def members(d):
    """Each member's comment under its name; members sharing one comment
    under one tag."""
    out, groups = [], []
    for name, _, doc in d.members:
        if doc is None:
            continue
        if groups and groups[-1][1] is doc:
            groups[-1][0].append(name)
        else:
            groups.append(([name], doc))
    for names, doc in groups:
        out += [".TP", "\\fB" + esc(", ".join(names)) + "\\fP"]
        out += [mark(esc(l.strip())) for l in doc.split("\n") if l.strip()]
    return out


def consts_section(c):
    out = []
    if c.doc:
        out += prose(c.doc)
    for name, value, doc in c.members:
        out += [".TP", "\\fB" + esc(name, code=True) + "\\fP"]
        if doc:
            out += [mark(esc(l.strip())) for l in doc.split("\n") if l.strip()]
        elif value and value != name:
            out.append("Defined as \\fB" + esc(value.split("=")[-1].strip(), code=True) + "\\fP.")
    return out


def takes(p):
    """The structs a page's functions and callbacks take."""
    return [m.group(1) for d in p.funcs + p.typedefs
            for m in re.finditer(r"struct (\w+)", d.code)]


def see_also(p, index, order):
    """The structs it takes, its family (rr_task_*), the pages that take its
    structs or the structs it takes, the pages its text names."""
    mine = [d.name for d in p.structs] + takes(p)
    refs = list(mine)
    refs += [q.name for q in order if family(q.name) in map(family, p.names())]
    refs += [q.name for q in order if set(mine) & set(takes(q))]
    refs += [r for r in re.findall(r"\b(rr_\w+)", p.own_text())]
    seen, out = set(p.names()), []
    for r in refs:
        q = index.get(r)
        if q is not None and q.name not in seen:
            seen.add(q.name)
            out.append(q.name)
    return out + ["libringrun"]


def render(p, index, order, version):
    names = ", ".join(p.names())
    out = [f'.TH {p.name.upper()} 3 "" "ringrun {version}" "ringrun manual"',
           ".SH NAME", esc(names + " ") + "\\- " + esc(p.summary),
           ".SH SYNOPSIS", ".nf", ".B #include <ringrun.h>", ".fi"]
    code = []
    for d in p.typedefs:
        code += wrap(d.code + ";")
    code += [""] if code else []
    for d in p.structs:
        code += struct_code(d) + [""]
    for d in p.funcs:
        code += wrap(d.code + ";")
    while code and not code[-1]:
        code.pop()
    out += code_block(code)
    out += [".PP", "Link with \\fI\\-lringrun\\fP."]
    out.append(".SH DESCRIPTION")
    for t in p.text:
        out += prose(t)
    for name, doc in p.sub:
        out += [".TP", f"\\fB{name}\\fP()"] + [mark(esc(l.strip()))
                                               for l in doc.split("\n") if l.strip()]
    for d in p.structs:
        if p.funcs or len(p.structs) > 1:
            out.append(f".SS struct {d.name}")
        if d.doc:
            out += prose(d.doc)
        out += members(d)
    for d in p.enums:
        out += [f".SS enum {d.name}"] + (prose(d.doc) if d.doc else [])
        out += code_block(struct_code(d)) + members(d)
    for d in p.typedefs:
        if d.doc and d.doc not in p.text:
            out += [f".SS {d.name}"] + prose(d.doc)
    if p.consts:
        out.append(".SH CONSTANTS")
        for c in p.consts:
            out += consts_section(c)
    refs = see_also(p, index, order)
    out += [".SH SEE ALSO"]
    out += [f".BR {r} (3){',' if i < len(refs) - 1 else ''}" for i, r in enumerate(refs)]
    return "\n".join(out) + "\n"


def render_overview(p, order, version):
    out = [f'.TH {p.name.upper()} 3 "" "ringrun {version}" "ringrun manual"',
           ".SH NAME", esc(f"{p.name} ") + "\\- " + esc(p.summary),
           ".SH SYNOPSIS", ".nf", ".B #include <ringrun.h>", ".fi", ".PP",
           "Link with \\fI\\-lringrun\\fP, or with the flags of",
           "\\fBpkg\\-config \\-\\-cflags \\-\\-libs ringrun\\fP.",
           ".SH DESCRIPTION"]
    for t in p.text:
        out += prose(t)
    for title, pages in (("FUNCTIONS", [q for q in order if q.funcs]),
                         ("DATA TYPES", [q for q in order if not q.funcs])):
        out.append(f".SH {title}")
        for q in pages:
            out += [".TP", f".BR {q.name} (3)", esc(q.summary)]
            if q.aliases:
                out.append("(also " + esc(", ".join(q.aliases)) + ")")
    if p.consts:
        out.append(".SH CONSTANTS")
        for c in p.consts:
            out += consts_section(c)
    out += [".SH SEE ALSO", ".BR ringrun (1)"]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: man3.py HEADER OUTDIR VERSION")
    header, outdir, version = sys.argv[1:]
    first, paragraphs = parse(pathlib.Path(header).read_text())
    overview, order, index = build(first, paragraphs)
    out = pathlib.Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.3"):
        old.unlink()
    (out / "libringrun.3").write_text(render_overview(overview, order, version))
    for p in order:
        (out / f"{p.name}.3").write_text(render(p, index, order, version))
        for a in p.names()[1:]:
            (out / f"{a}.3").write_text(f".so man3/{p.name}.3\n")


if __name__ == "__main__":
    main()
