"""
GNU parallel as the oracle of ringrun's parallel job options: the same jobs
run by `parallel --will-cite` and by ringrun, and compared:

  joblog   the rows of --joblog: columns, JobRuntime padded to 10, Seq, Host,
           Send, Receive, Exitval, Signal alike, Command byte for byte (and
           the same words)
           (Starttime and JobRuntime values masked: a clock)
  results  --results trees: every file's name and bytes, of one source and
           of several (linked, grouped by -n, split by --colsep)
  tag      -k --tag and --tagstring outputs, stdout and stderr byte for byte
           (counted by line)
  resume   a log of parallel's fed to ringrun --resume-failed and --resume,
           one of ringrun's fed to parallel --resume-failed and --resume: what
           each runs again, counted by a marker file per job; and what each
           --dry-run prints with them, byte for byte
  timeout  --timeout 200% and 150.5% on a task blocked on a FIFO until it is
           killed: the rows of both logs

usage: parjobs.py MODE RINGRUN DATAFILE WORKDIR.  Prints "oracle parallel
MODE: N/M" on stderr, exits 1 unless all M agree.
"""
import os
import random
import re
import shlex
import shutil
import subprocess
import sys

mode, ringrun, datafile, work = sys.argv[1:5]


def inputs():
    out = []
    with open(datafile, encoding='utf-8') as f:
        for line in f.read().split('\n'):
            if not line or line.startswith('# '):
                continue
            out.append(re.sub(r'\\([tn\\])', lambda m: {'t': '\t', 'n': '\n',
                                                         '\\': '\\'}[m.group(1)], line))
    rnd = random.Random(11)
    alphabet = "ab. /'\"\\\t$`*?;&|<>(){}[]~#=%:@,+-_" + 'é'
    for _ in range(40):
        out.append(''.join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 12))))
    return out


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, timeout=120, **kw)


def parallel(*args):
    return run(['parallel', '--will-cite', '-j1', *args])


def ours(*args):
    return run([ringrun, '-j1', '--no-summary', '--no-progress', *args])


def fresh(name):
    path = os.path.join(work, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


agree = 0
total = 0
bad = []


def check(ok, what):
    global agree, total
    total += 1
    if ok:
        agree += 1
    elif len(bad) < 10:
        bad.append(what)


HEADER = 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand'


def rows(path):
    data = open(path, 'rb').read().decode('utf-8')
    lines = data.split('\n')
    assert lines[0] == HEADER and lines[-1] == '', data
    out = []
    for line in lines[1:-1]:
        f = line.split('\t', 8)
        assert len(f) == 9, f
        assert re.fullmatch(r'\d+\.\d{3}', f[2]), f
        assert re.fullmatch(r' *\d+\.\d{3}', f[3]), f
        out.append(f)
    return out


def words(cmd):
    try:
        return shlex.split(cmd.replace('\0', '\n'))
    except ValueError:
        return None


def joblog(ins):
    cmd = "printf '%s\\n' {}; [ $(( {#} % 3 )) = 1 ] && kill -9 $$; exit $(( {#} % 4 ))"
    p, r = os.path.join(work, 'p.log'), os.path.join(work, 'r.log')
    for f in (p, r):
        if os.path.exists(f):
            os.unlink(f)
    parallel('--joblog', p, cmd, ':::', *ins)
    ours('--joblog', r, cmd, ':::', *ins)
    pr, rr = rows(p), rows(r)
    check(len(pr) == len(rr), 'row count %d %d' % (len(pr), len(rr)))
    for a, b in zip(sorted(pr, key=lambda f: int(f[0])), sorted(rr, key=lambda f: int(f[0]))):
        same = (len(a[3]) == len(b[3]) == 10 and
                [a[k] for k in (0, 1, 4, 5, 6, 7, 8)] == [b[k] for k in (0, 1, 4, 5, 6, 7, 8)] and
                words(a[8]) == words(b[8]) and words(a[8]) is not None)
        check(same, 'row %r vs %r' % (a, b))


def tree(top):
    out = {}
    for d, _, files in os.walk(top):
        for f in files:
            path = os.path.join(d, f)
            out[os.path.relpath(path, top)] = open(path, 'rb').read()
    return out


def results(ins):
    """One source, then several (DIR/1/A/2/B/...), linked, -n and
    --max-replace-args grouping them, --colsep splitting them."""
    cmd = "printf 'out %s\\n' {}; printf 'err %s' {} >&2"
    for grammar in ([':::', *ins],
                    [':::', *ins[:8], ':::', 'x', '..', '', '.'],
                    [':::', *ins[:6], ':::+', *ins[6:12], ':::', '1', '2'],
                    ['-n', '3', ':::', *ins],
                    ['-n', '2', ':::', *ins[:5], ':::', 'p', 'q'],
                    ['--max-replace-args', '2', ':::', *ins[:9]],
                    ['--colsep', '\\t', ':::', *ins],
                    ['--colsep', ' ', ':::', *ins[:10], ':::', 'u v', 'w']):
        p, r = fresh('pres'), fresh('rres')
        po = parallel('--results', p, cmd, *grammar)
        ro = ours('--results', r, cmd, *grammar)
        check(po.stdout == ro.stdout, 'stdout %r vs %r' % (po.stdout[:200], ro.stdout[:200]))
        pt, rt = tree(p), tree(r)
        for name in sorted(set(pt) | set(rt)):
            check(pt.get(name) == rt.get(name),
                  '%s %r: %r vs %r' % (grammar[:2], name, pt.get(name), rt.get(name)))


def tag(ins):
    cmd = "printf '%s\\n' {} x; printf 'e %s\\ny' {} >&2; printf 'no newline'"
    for opts in (['--tag'], ['--tagstring', '{#}:{}:{.}/{/}'], ['--tagstring', '[{%}]'],
                 ['--tagstring', 'fixed']):
        po = parallel('-k', *opts, cmd, ':::', *ins)
        ro = ours('-k', *opts, cmd, ':::', *ins)
        for stream, a, b in (('stdout', po.stdout, ro.stdout), ('stderr', po.stderr, ro.stderr)):
            al, bl = a.split(b'\n'), b.split(b'\n')
            check(len(al) == len(bl), '%s %s: %d lines, not %d' % (opts, stream, len(bl), len(al)))
            for x, y in zip(al, bl):
                check(x == y, '%s %s: %r, not %r' % (opts, stream, y, x))


def marks(d):
    return sorted(int(n) for n in os.listdir(d))


def resume(ins):
    rnd = random.Random(7)
    failing = sorted(rnd.sample(range(1, len(ins) + 1), len(ins) // 3))
    fails = fresh('fails')
    for n in failing:
        open(os.path.join(fails, str(n)), 'w').close()
    cmd = "touch %s/{#}; [ ! -e %s/{#} ] && printf '%%s\\n' {}" % ('@M', fails)
    log = os.path.join(work, 'resume.log')

    def go(tool, *args):
        m = fresh('marks')
        argv = [a.replace('@M', m) for a in args]
        (parallel if tool == 'parallel' else ours)(*argv)
        return marks(m)

    def dry(tool, *args):
        """What --dry-run prints (and the log left as it was)."""
        argv = [a.replace('@M', os.path.join(work, 'marks')) for a in args]
        before = open(log, 'rb').read()
        out = (parallel if tool == 'parallel' else ours)('--dry-run', *argv)
        check(open(log, 'rb').read() == before, '%s --dry-run wrote the log' % tool)
        return out.stdout

    def dry_same(opt, *args):
        """ringrun's --resume-failed names the log, parallel's reads --joblog."""
        p = dry('parallel', opt, '--joblog', log, *args)
        r = dry('ringrun', *((opt, log) if opt == '--resume-failed' else
                             (opt, '--joblog', log)), *args)
        check(p == r and p, '--dry-run %s: %r vs %r' % (opt, p[:300], r[:300]))

    def same(ran, want, n, what):
        for seq in range(1, n + 1):
            check((seq in ran) == (seq in want), '%s: job %d %s' % (
                what, seq, 'ran' if seq in ran else 'did not run'))

    n = len(ins)
    for first in ('parallel', 'ringrun'):
        if os.path.exists(log):
            os.unlink(log)
        ran = go(first, '--joblog', log, cmd, ':::', *ins)
        same(ran, range(1, n + 1), n, first)
        # --dry-run prints only what would run, byte for byte as parallel
        dry_same('--resume-failed', cmd, ':::', *ins)
        dry_same('--resume', cmd, ':::', *ins, 'extra')
        if first == 'parallel':
            again = go('ringrun', '--resume-failed', log, cmd, ':::', *ins)
            same(again, failing, n, "ringrun --resume-failed on parallel's log")
            again = go('ringrun', '--resume', '--joblog', log, cmd, ':::', *ins, 'extra')
            same(again, [n + 1], n + 1, 'ringrun --resume')
        else:
            again = go('parallel', '--resume-failed', '--joblog', log, cmd, ':::', *ins)
            same(again, failing, n, "parallel --resume-failed on ringrun's log")
            again = go('parallel', '--resume', '--joblog', log, cmd, ':::', *ins, 'extra')
            same(again, [n + 1], n + 1, "parallel --resume on ringrun's log")


def timeout(ins):
    """-t N%: the first task has no limit (no median yet), the second
    blocks on a FIFO nobody writes until it is killed; rows compared, and
    ringrun's line naming N as written (a fraction too, as parallel takes)."""
    fifo = os.path.join(work, 'fifo')
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    cmd = "if [ {} = block ]; then exec cat %s; else echo {}; fi" % fifo
    p, r = os.path.join(work, 'pt.log'), os.path.join(work, 'rt.log')
    for pct in ('200%', '150.5%'):
        for f in (p, r):
            if os.path.exists(f):
                os.unlink(f)
        parallel('--timeout', pct, '--joblog', p, cmd, ':::', 'a', 'block')
        ro = ours('--timeout', pct, '--joblog', r, cmd, ':::', 'a', 'block')
        check(('ran past %s of the median' % pct).encode() in ro.stderr,
              'stderr %r' % ro.stderr)
        pr, rr = rows(p), rows(r)
        check(len(pr) == len(rr) == 2, 'rows %r %r' % (pr, rr))
        for a, b in zip(pr, rr):
            check([a[k] for k in (0, 1, 4, 5, 6, 7, 8)] == [b[k] for k in (0, 1, 4, 5, 6, 7, 8)],
                  'row %r vs %r' % (a, b))


{'joblog': joblog, 'timeout': timeout, 'results': results, 'tag': tag, 'resume': resume}[mode](inputs())
print('oracle parallel %s: %d/%d' % (mode, agree, total), file=sys.stderr)
for b in bad:
    print('  differs: %s' % b, file=sys.stderr)
sys.exit(0 if agree == total else 1)
