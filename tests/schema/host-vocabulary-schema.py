#!/usr/bin/python3
"""schemas/host-vocabulary.schema.json against permit's own loader: the good
vocabularies are accepted by both, and each mutation below is refused by
both (python3-jsonschema, and `permit inspect --host-vocabulary`, which
loads the file with permit_host_vocabulary_load()), except where the row
says that only permit can see the problem. Prints TAP.

    host-vocabulary-schema.py PERMIT SOURCE_ROOT
"""

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import check, finish  # noqa: E402

permit, root = sys.argv[1], sys.argv[2]
schema = json.load(open(os.path.join(root, "schemas", "host-vocabulary.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
tmp = tempfile.mkdtemp(prefix="permit-hv-schema.")
pkg = os.path.join(root, "examples", "word-of-the-day")
good = json.load(open(os.path.join(root, "tests", "data", "host-vocabulary", "notes.json")))


def permit_loads(text):
    path = os.path.join(tmp, "v.json")
    with open(path, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    r = subprocess.run([permit, "inspect", "--host-vocabulary", path, pkg], capture_output=True, text=True)
    return r.returncode, r.stderr.strip()


def mutate(f):
    d = copy.deepcopy(good)
    f(d)
    return d


def entry(**kw):
    e = {"id": "host.x", "warning": "Do x", "risk": "low"}
    e.update(kw)
    return e


def with_entry(e):
    return lambda d: d["capabilities"].append(e)


def drop(*path):
    def f(d):
        for k in path[:-1]:
            d = d[k]
        del d[path[-1]]
    return f


def setv(value, *path):
    def f(d):
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
    return f


# (what, document, schema should refuse, the text permit's error must contain)
bad = [
    ("version 2", mutate(setv(2, "version")), True, "version: unknown version 2"),
    ("no version", mutate(drop("version")), True, "version: missing"),
    ("no host", mutate(drop("host")), True, "host: missing"),
    ("empty host", mutate(setv("", "host")), True, "host: must not be empty"),
    ("host too long", mutate(setv("h" * 65, "host")), True, "host: too long"),
    ("host with a newline", mutate(setv("No\ntes", "host")), True, "host: contains a control"),
    ("no capabilities", mutate(drop("capabilities")), True, "capabilities: missing"),
    ("capabilities an object", mutate(setv({}, "capabilities")), True, "capabilities: must be an array"),
    ("unknown top-level key", mutate(setv(1, "extra")), True, "extra: unknown field"),
    ("entry not an object", mutate(with_entry("host.x")), True, "capabilities[3]: must be an object"),
    ("entry with an unknown key", mutate(with_entry(entry(argument="x"))), True,
     "capabilities[3].argument: unknown field"),
    ("entry without id", mutate(drop("capabilities", 0, "id")), True, "capabilities[0].id: missing"),
    ("entry without warning", mutate(drop("capabilities", 0, "warning")), True, "capabilities[0].warning: missing"),
    ("entry without risk", mutate(drop("capabilities", 0, "risk")), True, "capabilities[0].risk: missing"),
    ("id not host.*", mutate(with_entry(entry(id="fs.read:/"))), True, "is not a host capability"),
    ("id with an argument", mutate(with_entry(entry(id="host.x:y"))), True, "has an argument"),
    ("id upper case", mutate(with_entry(entry(id="host.X"))), True, "invalid host feature name"),
    ("id bare host.", mutate(with_entry(entry(id="host."))), True, "unknown kind"),
    ("id too long", mutate(with_entry(entry(id="host." + "a" * 65))), True, "invalid host feature name"),
    ("id with a trailing newline", mutate(with_entry(entry(id="host.x\n"))), True, "capabilities[3].id"),
    ("duplicate id", mutate(with_entry(entry(id="host.read_notes"))), False,
     "capabilities[3].id: duplicate of capabilities[1].id"),
    ("empty warning", mutate(with_entry(entry(warning=""))), True, "warning: must not be empty"),
    ("warning too long", mutate(with_entry(entry(warning="w" * 201))), True, "warning: too long"),
    ("warning with bidi override", mutate(with_entry(entry(warning="Do \u202ex"))), True, "U+202E"),
    ("warning a number", mutate(with_entry(entry(warning=1))), True, "warning: must be a string"),
    ("risk none", mutate(with_entry(entry(risk="none"))), True, "unknown risk 'none'"),
    ("risk upper case", mutate(with_entry(entry(risk="HIGH"))), True, "unknown risk"),
    ("too many entries", mutate(setv([entry(id=f"host.f{i}") for i in range(257)], "capabilities")), True,
     "more than 256 entries"),
]

try:
    goods = [("tests/data/host-vocabulary/notes.json", good),
             ("an empty list", mutate(setv([], "capabilities"))),
             ("longest host, id and warning",
              mutate(with_entry(entry(id="host." + "a" * 64, warning="w" * 200))))]
    sample = os.path.join(root, "examples", "python-host", "host-vocabulary.json")
    if os.path.exists(sample):
        goods.append(("examples/python-host/host-vocabulary.json", json.load(open(sample))))
    for what, doc in goods:
        errs = [e.message for e in validator.iter_errors(doc)]
        check(errs == [], f"schema accepts {what}", errs)
        rc, err = permit_loads(json.dumps(doc))
        check(rc == 0, f"permit accepts {what}", err)
    for what, doc, schema_refuses, text in bad:
        errs = [e.message for e in validator.iter_errors(doc)]
        if schema_refuses:
            check(errs != [], f"schema refuses {what}")
        else:
            check(errs == [], f"schema cannot see {what} (permit checks it)", errs)
        rc, err = permit_loads(json.dumps(doc))
        check(rc == 2 and text in err and err.startswith(f"permit: {tmp}/v.json: "),
              f"permit refuses {what}: {err}", f"exit {rc}: {err}")
    # What JSON itself cannot carry: invalid UTF-8, a duplicate key.
    rc, err = permit_loads(json.dumps(good).encode().replace(b"Notes", b"N\xfftes", 1))
    check(rc == 2 and "v.json" in err, f"permit refuses invalid UTF-8: {err}")
    rc, err = permit_loads('{"version": 1, "version": 1, "host": "H", "capabilities": []}')
    check(rc == 2 and "v.json" in err, f"permit refuses a duplicate key: {err}")
finally:
    shutil.rmtree(tmp)
finish()
