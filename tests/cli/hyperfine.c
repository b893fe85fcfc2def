/*
 * Benchmark mode against hyperfine 1.15, the real one as the oracle: the
 * same benchmarks (tests/data/hyperfine/runs, then seeded random ones)
 * through hyperfine and through ringrun, hyperfine's options given to
 * ringrun in its own words.  The clock decides nothing: compared are the
 * exit status and the reason of a stop, the JSON's keys in order with the
 * commands, parameters, exit codes and run counts, the Markdown and CSV
 * with their numbers masked (and which command is fastest), and the file
 * the commands write to, in the order they ran.  One Python runs both
 * tools case by case (hyperfine has no batch) and compares; ringrun twice:
 * in its own words, and in hyperfine's (--as hyperfine, the same words),
 * whose report on stdout must be hyperfine's too, numbers masked.
 */
#define _GNU_SOURCE /* asprintf */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/guard.h"
#include "../common/where.h"
#include "harness.h"
#include "sshd.h"

/* Seeded cases besides the data file's. */
#define GENERATED 20

static const char compare[] =
	"import json, os, random, re, shlex, subprocess, sys\n"
	"\n"
	"cases_file, ringrun, top = sys.argv[1], sys.argv[2], sys.argv[3]\n"
	"FLAGS = {'-N': ['--shell=none'], '-i': ['--ignore-failure']}\n"
	"TAKES = {'-r': '--repeat', '-w': '--warmup', '-p': '--prepare',\n"
	"         '-s': '--setup', '-c': '--cleanup', '-n': '--command-name',\n"
	"         '-D': '--parameter-step-size', '-S': '--shell',\n"
	"         '-L': '--parameter-list', '-P': '--parameter-scan'}\n"
	"COUNT = {'-L': 2, '-P': 3}\n"
	"\n"
	"\n"
	"def ringrun_args(words, where):\n"
	"    \"\"\"hyperfine's words in ringrun's: options, then COMMAND or -C.\"\"\"\n"
	"    args, cmds, k = [], [], 0\n"
	"    while k < len(words):\n"
	"        w = words[k]\n"
	"        if w in FLAGS:\n"
	"            args += FLAGS[w]\n"
	"        elif w in TAKES:\n"
	"            n = COUNT.get(w, 1)\n"
	"            args += [TAKES[w]] + words[k + 1:k + 1 + n]\n"
	"            k += n\n"
	"        else:\n"
	"            cmds.append(w)\n"
	"        k += 1\n"
	"    if len(cmds) == 1:\n"
	"        return args + ['--', cmds[0]]\n"
	"    with open(os.path.join(where, 'cmds'), 'w') as f:\n"
	"        f.write(''.join(c + '\\n' for c in cmds))\n"
	"    return args + ['-C', 'cmds']\n"
	"\n"
	"\n"
	"def run(head, argv, where):\n"
	"    exports = ['--export-json', 'b.json', '--export-markdown', 'b.md',\n"
	"               '--export-csv', 'b.csv']\n"
	"    p = subprocess.run(head + exports + argv, cwd=where,\n"
	"                       stdin=subprocess.DEVNULL, capture_output=True,\n"
	"                       text=True, timeout=60)\n"
	"    out = {'rc': p.returncode, 'err': p.stderr, 'out': p.stdout}\n"
	"    for name in ('b.json', 'b.md', 'b.csv', 'log'):\n"
	"        path = os.path.join(where, name)\n"
	"        out[name] = open(path).read() if os.path.exists(path) else None\n"
	"    return out\n"
	"\n"
	"\n"
	"def masked_md(md):\n"
	"    \"\"\"Numbers masked, the relative column (which is fastest) too.\"\"\"\n"
	"    rows = []\n"
	"    for line in (md or '').splitlines():\n"
	"        cells = line.split(' | ')\n"
	"        if len(cells) == 5 and not line.startswith('| Command'):\n"
	"            cells[1:4] = [re.sub(r'\\d+\\.\\d+', 'N', c) for c in cells[1:4]]\n"
	"            cells[4] = 'R |'\n"
	"        rows.append(' | '.join(cells))\n"
	"    return rows\n"
	"\n"
	"\n"
	"def csv_rows(csv):\n"
	"    \"\"\"Header; command and parameter columns (numbers masked).\"\"\"\n"
	"    lines = (csv or '').splitlines()\n"
	"    return lines[:1] + [re.sub(r',[0-9.e-]+', ',N', l) for l in lines[1:]]\n"
	"\n"
	"\n"
	"def json_view(doc):\n"
	"    \"\"\"What must agree: keys in order, commands, parameters, exit codes,\n"
	"    how many runs.\"\"\"\n"
	"    view = []\n"
	"    for r in json.loads(doc)['results'] if doc else []:\n"
	"        view.append((list(r), r['command'], r.get('parameters'),\n"
	"                     r['exit_codes'], len(r['times'])))\n"
	"    return view\n"
	"\n"
	"\n"
	"def reason(err):\n"
	"    \"\"\"A stop's reason: its first sentence, whoever says it.\"\"\"\n"
	"    m = re.search(r\"(?:Error: |ringrun: (?:'[^\\n]*?': |--[a-z-]+: )?)\"\n"
	"                  r\"([A-Z][^.\\n]*)\", err)\n"
	"    return m.group(1) if m else err\n"
	"\n"
	"\n"
	"def report_view(out):\n"
	"    \"\"\"hyperfine's report: numbers masked; the Summary's commands as a\n"
	"    set (which is fastest is the clock's to say).\"\"\"\n"
	"    view, names, summary = [], [], False\n"
	"    for l in out.splitlines():\n"
	"        m = re.match(r\"  '(.*)' ran$|[ 0-9.]+(?: ± [0-9.]+)? times faster \"\n"
	"                     r\"than '(.*)'$\", l)\n"
	"        summary = summary or l == 'Summary'\n"
	"        if summary and m:\n"
	"            names.append(m.group(1) or m.group(2))\n"
	"        else:\n"
	"            view.append(re.sub(r' *\\d+\\.\\d+', ' N', l))\n"
	"    return view + sorted(names)\n"
	"\n"
	"\n"
	"def compare(h, r, report=False):\n"
	"    bad = []\n"
	"    usage = r['rc'] == 2 and \"Try 'ringrun --help'\" in r['err']\n"
	"    if h['rc'] != r['rc'] and not (h['rc'] == 1 and usage):\n"
	"        bad.append('exit status %d, hyperfine %d' % (r['rc'], h['rc']))\n"
	"    elif h['rc']:\n"
	"        if reason(h['err']) != reason(r['err']):\n"
	"            bad.append('reason %r, hyperfine %r' % (reason(r['err']),\n"
	"                                                    reason(h['err'])))\n"
	"    else:\n"
	"        hv, rv = json_view(h['b.json']), json_view(r['b.json'])\n"
	"        for a, b in zip(hv, rv):\n"
	"            if b[0][:len(a[0])] != a[0] or a[1:] != b[1:]:\n"
	"                bad.append('JSON %r, hyperfine %r' % (b, a))\n"
	"        if len(hv) != len(rv):\n"
	"            bad.append('%d results, hyperfine %d' % (len(rv), len(hv)))\n"
	"        if masked_md(h['b.md']) != masked_md(r['b.md']):\n"
	"            bad.append('Markdown %r, hyperfine %r' % (r['b.md'], h['b.md']))\n"
	"        if csv_rows(h['b.csv']) != csv_rows(r['b.csv']):\n"
	"            bad.append('CSV %r, hyperfine %r' % (r['b.csv'], h['b.csv']))\n"
	"    if report and not h['rc'] and report_view(h['out']) != report_view(r['out']):\n"
	"        bad.append('report %r, hyperfine %r' % (r['out'], h['out']))\n"
	"    if h['log'] != r['log']:\n"
	"        bad.append('log %r, hyperfine %r' % (r['log'], h['log']))\n"
	"    return bad\n"
	"\n"
	"\n"
	"def generated(n, rng):\n"
	"    \"\"\"Seeded cases without a shell: commands that cannot fail by the\n"
	"    clock, run counts, warm-ups, -i, a list parameter, names.\"\"\"\n"
	"    pool = ['true', 'echo a', \"sh -c 'exit 2'\", 'false', 'printf %s {x}',\n"
	"            \"sh -c 'echo {x} >> log'\", 'echo a,b']\n"
	"    for _ in range(n):\n"
	"        words = ['-N', '-r', str(rng.randint(1, 3))]\n"
	"        if rng.random() < 0.3:\n"
	"            words += ['-w', '1']\n"
	"        if rng.random() < 0.5:\n"
	"            words += ['-i']\n"
	"        if rng.random() < 0.4:\n"
	"            words += ['-L', 'x', ','.join(rng.sample('abc', rng.randint(1, 3)))]\n"
	"        if rng.random() < 0.3:\n"
	"            words += ['-p', \"sh -c 'echo p >> log'\"]\n"
	"        cmds = rng.sample(pool, rng.randint(1, 3))\n"
	"        if '-L' not in words:\n"
	"            cmds = [c for c in cmds if '{x}' not in c] or ['true']\n"
	"        yield ' '.join(shlex.quote(w) for w in words + cmds)\n"
	"\n"
	"\n"
	"cases = [l.rstrip('\\n') for l in open(cases_file)\n"
	"         if l.strip() and not l.startswith('#')]\n"
	"cases += list(generated(int(sys.argv[4]), random.Random(11)))\n"
	"ok = ok_as = 0\n"
	"for k, line in enumerate(cases):\n"
	"    words = shlex.split(line)\n"
	"    hd, rd, ad = (os.path.join(top, '%d-%s' % (k, w)) for w in 'hra')\n"
	"    for d in (hd, rd, ad):\n"
	"        os.mkdir(d)\n"
	"    h = run(['hyperfine'], ['--style', 'basic'] + words, hd)\n"
	"    r = run([ringrun], ringrun_args(words, rd), rd)\n"
	"    a = run([ringrun, '--as', 'hyperfine'], ['--style', 'basic'] + words, ad)\n"
	"    bad, bad_as = compare(h, r), compare(h, a, report=True)\n"
	"    ok += not bad\n"
	"    ok_as += not bad_as\n"
	"    for b in bad:\n"
	"        print('hyperfine %s: %s' % (line, b), file=sys.stderr)\n"
	"    for b in bad_as:\n"
	"        print('hyperfine (--as) %s: %s' % (line, b), file=sys.stderr)\n"
	"print('%d %d %d' % (ok, ok_as, len(cases)))\n";

static void dir_up(void)
{
	cli_dir_up("hyperfine");
}

Test(cli_hyperfine, same_benchmarks, .init = dir_up, .fini = cli_dir_down,
     .timeout = 300)
{
	const char *harness = where_sshd_harness();
	char *cases, *top = strdup(cli_expand("@DIR")), count[16];
	const char *tail = strstr(harness, "/tests/sshd/");
	unsigned ok = 0, ok_as = 0, n = 0;
	struct proc_result r;

	cr_assert_not_null(tail);
	cr_assert_geq(asprintf(&cases, "%.*s/tests/data/hyperfine/runs",
			       (int)(tail - harness), harness), 0);
	snprintf(count, sizeof count, "%d", GENERATED);
	const char *argv[] = { "python3", "-c", compare, cases, ringrun_bin(),
			       top, count, NULL };

	run_prog(argv, NULL, 0, 8 * HANG_GUARD_MS, &r); /* a hang guard */
	cr_assert_eq(r.status, 0, "the comparison failed (is hyperfine "
		     "installed? mk/deps.sh test): %s", r.err);
	cr_assert_eq(sscanf(r.out, "%u %u %u", &ok, &ok_as, &n), 3, "%s", r.out);
	fprintf(stderr, "%soracle hyperfine (runs): %u/%u\n"
		"oracle hyperfine (runs, --as hyperfine): %u/%u\n", r.err, ok,
		n, ok_as, n);
	cr_assert_eq(ok, n, "%u of %u benchmarks agree", ok, n);
	cr_assert_eq(ok_as, n, "%u of %u benchmarks agree (--as hyperfine)",
		     ok_as, n);
	proc_result_free(&r);
	free(cases);
	free(top);
}
