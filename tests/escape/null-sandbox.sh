#!/bin/sh
# SPDX-License-Identifier: MIT
# A "permit" that sandboxes nothing: drops permit run's options and runs the
# command. escape.py --permit tests/escape/null-sandbox.sh --where inside
# shows which cases could pass without any sandbox (README.md, "Can it fail?").
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
        shift
done
[ "$#" -gt 0 ] || { echo "null-sandbox.sh: no -- COMMAND" >&2; exit 125; }
shift
exec "$@"
