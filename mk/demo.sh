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

say "The same ring over SSH: a throwaway sshd on 8 loopback addresses (no host of yours):"
harness=tests/sshd/sshd-harness.sh
fleet="$out/sshd"
mkdir -p "$fleet"
if [ -x /usr/sbin/sshd ] && "$harness" start "$fleet" 8 >/dev/null 2>&1; then
	trap '"$harness" stop "$fleet"; rm -rf "$out"' EXIT INT TERM
	hosts=$(paste -sd, "$fleet/addrs")
	ssh_opts="-p $(cat "$fleet/port") -i $fleet/client_ed25519 --known-hosts $fleet/known_hosts --no-agent"
	cmd='set -- $SSH_CONNECTION; echo "$(id -un) logged in at $3, port $4"'
	echo "\$ ringrun -o stream -w ${hosts%%,*},... $ssh_opts '$cmd'"
	# shellcheck disable=SC2086
	"$bin" -o stream -w "$hosts" $ssh_opts "$cmd"
	echo
	echo "\$ ringrun -w ... --stats -o quiet -a <(seq 10) 'echo {}'   # 8 hosts x 10 commands, one connection each"
	# shellcheck disable=SC2086
	seq 10 | "$bin" -w "$hosts" $ssh_opts --stats -o quiet -a - 'echo {}'
	echo
	echo "\$ ringrun -w '127.0.1.[1-8]' -x 127.0.1.5 -o collate ... 'case <address> in *[1-3]) echo low;; *) echo high;; esac'"
	echo "#   a host range less one host; identical outputs once, under their hosts"
	# shellcheck disable=SC2086
	"$bin" -w '127.0.1.[1-8]' -x 127.0.1.5 -o collate $ssh_opts \
		'set -- $SSH_CONNECTION; case $3 in *[1-3]) echo low;; *) echo high;; esac'
	echo
	echo "\$ ringrun -w ... --copy -r lib/ssh --dest <dir>/h/ ... ; ringrun --rcopy <dir>/h/ssh/ssh.h --dest <dir>/back"
	echo "#   a tree to the 8 hosts over SFTP (each file placed whole), one file back from each as NAME.HOST"
	mkdir -p "$out/back"
	# shellcheck disable=SC2086
	"$bin" -w "$hosts" $ssh_opts --copy -r lib/ssh --dest "$out/h/" --mkdirs | sed -n 1p
	# shellcheck disable=SC2086
	"$bin" -w "$hosts" $ssh_opts -o quiet --rcopy "$out/h/ssh/ssh.h" --dest "$out/back" &&
		ls "$out/back" | head -3
	echo
	echo "\$ ringrun -w ...,127.0.0.1:1 ... true   # one host that is not there: exit 3"
	# shellcheck disable=SC2086
	"$bin" -o quiet -w "$hosts,127.0.0.1:1" $ssh_opts true || echo "(exit status $?)"
else
	echo "(skipped: no /usr/sbin/sshd - 'make check' installs openssh-server as root)"
fi
