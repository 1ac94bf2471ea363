#!/bin/bash
# SPDX-License-Identifier: MIT
# The CLI integration tests (cli.sh) with every run of `permit` under
# valgrind's memcheck: invalid reads and writes, uses of uninitialised
# memory, and definitely lost memory (leaks) are failures. Prints cli.sh's
# TAP with one more test: that valgrind reported nothing.
#
#   tests/integration/valgrind.sh [BUILD_DIR]    (default: build)
#
# Each run of permit writes its own valgrind log; any log that is not empty
# is a failure, whatever the run's exit status, so an error in a run that
# cli.sh expects to fail with exit 1 is not missed. (--error-exitcode=99:
# 1 is permit's own "refused".) scrypt runs at full strength (1 GiB, as in
# production); see run time in the report: about 6 minutes on 2 cores.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd) || exit 99
# permit-tool: every subcommand (tools/permit, the static front, only
# executes it for the commands cli.sh runs, and valgrind does not follow exec).
real=$build/tools/permit-tool
[ -x "$real" ] || { echo "Bail out! no $real (build first)"; exit 99; }
command -v valgrind >/dev/null || { echo "Bail out! valgrind is not installed (apt-get install valgrind)"; exit 99; }

T=$(mktemp -d "${TMPDIR:-/tmp}/permit-valgrind.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
mkdir "$T/logs" "$T/bin"
cat >"$T/bin/permit" <<WRAPPER
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
        --show-leak-kinds=definite --num-callers=30 --log-file="$T/logs/%p.log" "$real" "\$@"
WRAPPER
chmod +x "$T/bin/permit"

minisign=$(command -v minisign || true)
PERMIT_MINISIGN=${PERMIT_MINISIGN-$minisign} PYTHON3=${PYTHON3:-$(command -v python3)} \
        bash "$root/tests/integration/cli.sh" "$T/bin/permit" "$root" >"$T/tap"
status=$?
grep -v -E '^1\.\.[0-9]+$' "$T/tap"
n=$(grep -c -E '^(not )?ok ' "$T/tap")
n=$((n + 1))
runs=$(find "$T/logs" -name '*.log' | wc -l)
bad=$(find "$T/logs" -name '*.log' -size +0 | sort)
if [ -z "$bad" ] && [ "$runs" -gt 0 ]; then
        echo "ok $n - valgrind reported nothing in $runs runs of permit"
else
        echo "not ok $n - valgrind reported errors or leaks (in $runs runs)"
        for f in $bad; do
                sed 's/^/# /' "$f" | head -40
        done
        status=1
fi
echo "1..$n"
exit $status
