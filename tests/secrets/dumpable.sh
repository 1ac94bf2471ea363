#!/bin/bash
# SPDX-License-Identifier: MIT
# The real `permit` is not dumpable (prctl(PR_SET_DUMPABLE, 0): no core
# file, no ptrace by the same user) by the time it reads a password. Each
# command is stopped there by a fifo as --password-file; meanwhile the
# owner of /proc/PID/status shows it: the kernel gives a non-dumpable
# process's /proc files to root. So the command runs as another user than
# root ("nobody" when this runs as root), and `cat` on a fifo, dumpable, is
# the control that shows the owner is the user's otherwise. Prints TAP.
#
#   dumpable.sh PERMIT
set -u

PERMIT=$(realpath "${1:?usage: dumpable.sh PERMIT}")
T=$(mktemp -d "${TMPDIR:-/tmp}/permit-dumpable.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
cd "$T" || exit 99

if [ "$(id -u)" = 0 ]; then
        as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
        user=nobody
else
        as=()
        user=$(id -un)
fi

n=0
failures=0
result() {
        n=$((n + 1))
        if [ -z "$2" ]; then
                echo "ok $n - $1"
        else
                failures=$((failures + 1))
                echo "not ok $n - $1"
                echo "# $2"
        fi
}

# owner_while_blocked DESC WANT COMMAND...: starts COMMAND, which blocks
# opening pw.fifo, reads the owner of its /proc/PID/status, then kills it
# (no password is ever written: nothing to wait for, no scrypt).
owner_while_blocked() {
        local desc=$1 want=$2 pid owner="" i
        shift 2
        rm -f pw.fifo
        mkfifo -m 666 pw.fifo
        "${as[@]}" "$@" >/dev/null 2>&1 &
        pid=$!
        # Until it blocks in open() of the fifo (after setpriv's exec).
        for ((i = 0; i < 200; i++)); do
                [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" = wait_for_partner ] && break
                sleep 0.05
        done
        owner=$(stat -c %U "/proc/$pid/status" 2>/dev/null)
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        if [ "$owner" = "$want" ]; then
                result "$desc" ""
        else
                result "$desc" "/proc/PID/status owned by '$owner', want '$want'"
        fi
}

"$PERMIT" keygen -W -p k.pub -s k.key >/dev/null || exit 99
chmod 644 k.key
mkdir addon && cp -r "${PERMIT_SOURCE_ROOT:-$(dirname "$0")/../..}"/examples/word-of-the-day/* addon/ && chmod -R a+rwX addon

owner_while_blocked "control: cat reading a fifo is dumpable (owner $user)" "$user" cat pw.fifo
owner_while_blocked "permit keygen is not dumpable while it reads the password" root \
        "$PERMIT" keygen --password-file pw.fifo -p new.pub -s new.key
owner_while_blocked "permit sign is not dumpable while it reads the password" root \
        "$PERMIT" sign -s k.key --password-file pw.fifo addon

echo "1..$n"
[ $failures = 0 ]
