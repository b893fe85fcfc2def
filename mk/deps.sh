#!/bin/sh
# Install the Debian packages a make target needs when they are missing.
# As root they are installed with apt-get; otherwise the exact command is
# printed and the target stops.  Usage: mk/deps.sh GROUP...
set -eu

pkgs_build="gcc make pkg-config liburing-dev libssh2-1-dev libssl-dev python3"
pkgs_test="libcriterion-dev openssh-server openssh-client iproute2 python3 python3-venv python3-pytest procps util-linux bc groff-base man-db clustershell pdsh pssh parallel hyperfine"
pkgs_fuzz="clang libclang-rt-14-dev openssh-client"
pkgs_portability="clang g++ gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
pkgs_bench="parallel python3 python3-asyncssh python3-paramiko strace time findutils pdsh pssh clustershell openssh-client openssh-server iproute2"

want=""
for group in "$@"; do
	eval "want=\"\$want \$pkgs_$group\""
done

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "ringrun: not a Debian system: make sure these are installed:$want" >&2
	exit 0
fi

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "ringrun: missing Debian packages:$missing" >&2
	echo "ringrun: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "ringrun: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
