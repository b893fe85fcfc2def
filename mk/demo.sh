#!/bin/sh
# make demo: a real fan-out with the ringrun just built.  Usage: mk/demo.sh BIN
set -eu
bin=${1:-./ringrun}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "300 local commands, 64 at a time, each sleeping 0-40 ms (output grouped per task):"
echo "\$ seq 300 | ringrun -j 64 --stats -a - 'sleep 0.0\$((\$\$ % 5)); echo task {} ran as pid \$\$'"
seq 300 | "$bin" -j 64 --stats -a - \
	'sleep 0.0$(( $$ % 5 )); echo task {} ran as pid $$' >"$out/group" 2>"$out/stats"
head -n 3 "$out/group"
echo "   ... ($(wc -l <"$out/group") lines in all)"
cat "$out/stats"

say "Lines as they arrive, tagged by input (stream mode):"
echo "\$ ringrun -o stream -j 3 'for i in 1 2; do echo step \$i of {}; sleep 0.1; done' ::: alpha beta gamma"
"$bin" -o stream -j 3 'for i in 1 2; do echo step $i of {}; sleep 0.1; done' ::: alpha beta gamma

say "One JSON object per task; failures are statuses, not surprises:"
echo "\$ ringrun -o json -k -t 0.5 -C - <<< 'echo ok / exit 3 / sleep 9 / nosuchcmd'"
printf 'echo ok\nexit 3\nsleep 9\nnosuchcmd\n' | "$bin" -o json -k -t 0.5 -C - || true
