#!/bin/sh
# sshd-harness.sh - a throwaway OpenSSH sshd on loopback addresses, for the
# tests, `make demo` and the benchmark.  Nothing here leaves 127.0.0.0/8.
#
#   sshd-harness.sh start DIR [NADDR [FIRST [CONFIG-LINE...]]]
#       Generate a host key and an ed25519 client key in DIR, write
#       DIR/sshd_config for NADDR (default 1) addresses 127.0.X.Y counted from
#       index FIRST (default 0) on one free port, start /usr/sbin/sshd -D -e,
#       wait until every address listens, and write:
#         DIR/port  DIR/addrs (one per line)  DIR/known_hosts  DIR/pid
#         DIR/client_ed25519 (authorized)  DIR/other_ed25519 (not authorized)
#         DIR/sshd.log (LogLevel VERBOSE: one "Connection from" per connection)
#       Each CONFIG-LINE is appended to sshd_config (e.g. "MaxSessions 10").
#       One sshd listens on at most 16 addresses (an OpenSSH build limit):
#       start several, with FIRST = 0, 16, 32 ..., for more hosts.
#   sshd-harness.sh stop DIR
#       Stop that sshd by its pid and wait until it is gone.
set -eu

die() { echo "sshd-harness: $*" >&2; exit 1; }

alive() { # pid -> true while it runs (a zombie has ended)
	state=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ]
}

addr() { # index -> 127.0.X.Y, skipping .0 and .255
	echo "127.0.$(( $1 / 250 + 1 )).$(( $1 % 250 + 1 ))"
}

keys() {
	dir=$1
	[ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C ringrun-test-host -f "$dir/host_ed25519"
	[ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C ringrun-test-client -f "$dir/client_ed25519"
	[ -f "$dir/other_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C ringrun-test-other -f "$dir/other_ed25519"
	cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
}

write_config() {
	dir=$1 port=$2; shift 2
	{
		echo "Port $port"
		for a in $(cat "$dir/addrs"); do echo "ListenAddress $a"; done
		echo "HostKey $dir/host_ed25519"
		echo "PidFile $dir/sshd.pid"
		echo "AuthorizedKeysFile $dir/authorized_keys"
		echo "StrictModes no"
		echo "UsePAM no"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "PermitRootLogin prohibit-password"
		echo "PrintMotd no"
		echo "LogLevel VERBOSE"
		# Debian's own: file copies (rr_put, --copy, scp) speak SFTP.
		echo "Subsystem sftp /usr/lib/openssh/sftp-server"
		# Sessions get an empty HOME: a heavy ~/.bashrc must not time us.
		echo "SetEnv HOME=$dir/home"
		for line in "$@"; do echo "$line"; done
	} >"$dir/sshd_config"
}

listening() { # port count -> true when count sockets listen on port
	[ "$(ss -Hltn "sport = :$1" 2>/dev/null | wc -l)" -ge "$2" ]
}

start() {
	dir=$1 n=${2:-1} first=${3:-0}
	shift $(( $# < 3 ? $# : 3 ))
	[ "$n" -le 16 ] || die "one sshd listens on 16 addresses at most, not $n"
	mkdir -p "$dir/home"
	dir=$(cd "$dir" && pwd)
	keys "$dir"
	: >"$dir/addrs"
	i=0
	while [ "$i" -lt "$n" ]; do addr $(( first + i )) >>"$dir/addrs"; i=$(( i + 1 )); done
	# Privilege separation needs this directory when sshd runs as root.
	[ "$(id -u)" -ne 0 ] || mkdir -p -m 0755 /run/sshd
	for attempt in 1 2 3 4 5 6 7 8 9 10; do
		port=$(( 20000 + ( $$ * 7919 + attempt * 104729 + $(date +%N | sed 's/^0*//;s/^$/0/') ) % 40000 ))
		listening "$port" 1 && continue
		write_config "$dir" "$port" "$@"
		/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
		pid=$!
		# Up to 30 s: a busy machine is slow, not a reason to give up.
		tries=0
		while kill -0 "$pid" 2>/dev/null && ! listening "$port" "$n" && [ "$tries" -lt 1500 ]; do
			sleep 0.02; tries=$(( tries + 1 ))
		done
		if kill -0 "$pid" 2>/dev/null && listening "$port" "$n"; then
			echo "$pid" >"$dir/pid"
			echo "$port" >"$dir/port"
			hostkey=$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")
			for a in $(cat "$dir/addrs"); do echo "[$a]:$port $hostkey"; done >"$dir/known_hosts"
			return 0
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	die "could not start sshd (see $dir/sshd.log)"
}

stop() {
	dir=$1
	[ -f "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	kill "$pid" 2>/dev/null || { rm -f "$dir/pid"; return 0; }
	tries=0
	while alive "$pid" && [ "$tries" -lt 250 ]; do
		sleep 0.02; tries=$(( tries + 1 ))
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/pid"
}

cmd=${1:-}
[ $# -ge 2 ] || die "usage: sshd-harness.sh start|stop DIR [NADDR [FIRST [CONFIG-LINE...]]]"
shift
case $cmd in
start) start "$@" ;;
stop) stop "$1" ;;
*) die "unknown command '$cmd'" ;;
esac
