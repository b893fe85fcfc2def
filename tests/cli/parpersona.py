"""The parallel personality against the real GNU parallel (the oracle).

Usage: parpersona.py DIR RINGRUN CASES GRAMMAR N

CASES: tests/data/persona/parallel.txt (its head says what is compared);
GRAMMAR: tests/data/parallel/cases, each run by both with --dry-run -k
and compared word for word; N generated runs from a fixed seed.  Prints
each oracle's agreement rate on stderr; exits 1 on any disagreement.
"""
import concurrent.futures
import os
import random
import shlex
import subprocess
import sys

top, ringrun, cases_file, grammar_file, ngen = sys.argv[1:6]
TOOLS = {'parallel': 'parallel --will-cite',
         'ringrun': shlex.quote(ringrun) + ' --as parallel'}
FILES = {'f1': 'a\nb c\n', 'csv': '1,x\n2,y\n', 'nul': 'p\0q r\0',
         # tests/data/parallel/cases's
         'f2': "x.y/z\n'q'\n\nlast\n", 'f3': 'only\n',
         'tabs': 'a\tb\tc\nd\te\n'}
# The grammar file's spelling is ringrun's: parallel's letters here.
SPELLING = {'--quote': '-q', '--max-replace-args': '-N'}


def run(tool, line, where):
    os.mkdir(where)
    for name, text in FILES.items():
        with open(os.path.join(where, name), 'w') as f:
            f.write(text)
    p = subprocess.run(['sh', '-c', line.replace('@P', TOOLS[tool])],
                       cwd=where, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=120)
    return p, where


def joblog(where):
    """The header, then each row's Seq, Exitval, Signal and Command."""
    path = os.path.join(where, 'log')
    if not os.path.exists(path):
        return None
    rows = [l.split('\t') for l in open(path).read().splitlines()]
    return [rows[0]] + [[r[0]] + r[6:] for r in rows[1:]]


def results(where):
    tree = []
    for d, _, names in sorted(os.walk(os.path.join(where, 'res'))):
        for n in sorted(names):
            tree.append((os.path.relpath(os.path.join(d, n), where),
                         open(os.path.join(d, n), 'rb').read()))
    return tree


def dry_words(out):
    """The commands a dry run stands for, as sh splits them."""
    return [shlex.split(l) for l in out.decode().splitlines()]


def compare(checks, line, k):
    (h, hw), (r, rw) = (run(t, line, os.path.join(top, '%d-%s' % (k, t)))
                        for t in ('parallel', 'ringrun'))
    got = {
        'out': lambda p, w: p.stdout,
        'sorted': lambda p, w: sorted(p.stdout.splitlines()),
        'status': lambda p, w: p.returncode,
        'joblog': lambda p, w: joblog(w),
        'results': lambda p, w: results(w),
        'dry': lambda p, w: dry_words(p.stdout),
    }
    bad = []
    for c in checks.split(','):
        a, b = got[c](h, hw), got[c](r, rw)
        if a != b:
            bad.append('%s: %s: ringrun %r, parallel %r (stderr %r)'
                       % (line, c, b, a, r.stderr))
    return bad


def generated(n, rng):
    """Runs whose output the order of jobs cannot change (-k or sorted)."""
    words = ['a', 'b c', "it's", 'x.y', '', '1,2', 'é']
    for _ in range(n):
        opts, checks = [], 'out'
        if rng.random() < 0.5:
            opts.append('-k')
        else:
            checks = 'sorted'
        opts += rng.choice([[], ['-j1'], ['-j', '2'], ['-P', '3']])
        opts += rng.choice([[], [], ['--tag'], ['--tagstring', '<{}>'],
                            ['-n', '2'], ['-N', '2'], ['-C', ',']])
        if rng.random() < 0.3 and '-j1' in opts:
            opts.append(rng.choice(['--lb', '-u']))
        # each output ends its line: jobs at once may end in any order
        cmd = rng.choice([['echo'], ['echo', '{}'], ['echo', 'x{}y'],
                          ['echo', '{1}', '{2}'], ['exit', '{#}']])
        lists = []
        for _ in range(rng.randint(1, 2)):
            lists += [':::'] + rng.sample(words, rng.randint(1, 3))
        yield checks + ',status', ' '.join(
            ['@P'] + [shlex.quote(w) for w in opts + cmd + lists])


def main():
    cases = []
    for l in open(cases_file):
        if l.strip() and not l.startswith('#'):
            checks, line = l.rstrip('\n').split(' ', 1)
            cases.append(('data', checks, line))
    for l in open(grammar_file):
        if l.strip() and not l.startswith('#'):
            w = [SPELLING.get(x, x) for x in shlex.split(l)]
            cases.append(('grammar', 'dry', '@P --dry-run -k ' +
                          ' '.join(shlex.quote(x) for x in w)))
    cases += [('generated',) + c
              for c in generated(int(ngen), random.Random(11))]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        bads = list(pool.map(lambda kc: compare(kc[1][1], kc[1][2], kc[0]),
                             enumerate(cases)))
    for kind in ('data', 'grammar', 'generated'):
        mine = [b for c, b in zip(cases, bads) if c[0] == kind]
        print('oracle parallel (%s): %d/%d' % (kind, sum(not b for b in mine),
                                               len(mine)), file=sys.stderr)
    for b in bads:
        for line in b:
            print(line, file=sys.stderr)
    sys.exit(1 if any(bads) else 0)


main()
