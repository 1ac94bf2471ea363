"""TAP for the Python tests: check() prints one result, finish() the plan
and the exit status. Shared by tests/integration/grants.py and
tests/schema/store-schema.py."""

import sys

_n = 0
_failed = 0


def check(ok, what, detail=""):
    global _n, _failed
    _n += 1
    print(("ok" if ok else "not ok") + f" {_n} - {what}")
    if not ok:
        _failed += 1
        for line in str(detail).splitlines()[:30]:
            print(f"#   {line}")


def finish():
    print(f"1..{_n}")
    sys.exit(1 if _failed else 0)
