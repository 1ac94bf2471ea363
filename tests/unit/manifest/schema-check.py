#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks schemas/permit.schema.json against the golden manifests that the
C parser is tested with (tests/data/manifest): the schema must accept every
valid/*.json and reject every invalid/*/input, except the few listed in
C_ONLY, which the schema cannot express and which it must then accept (so
that the list cannot go stale).

The file-level rules come first, as in the C parser: at most 65536 bytes,
strict UTF-8, well-formed JSON without duplicate keys, NaN or lone
surrogates. Usage: schema-check.py SCHEMA DATA_DIR"""

import json
import os
import sys

import jsonschema

MAX_SIZE = 64 * 1024

# Invalid cases the schema cannot express, and why.
C_ONLY = {
    "capability-duplicate":
        "capability ids must be unique; uniqueItems compares whole objects, not their ids",
    "net-connect-ipv6-not-canonical":
        "an IPv6 address must be in its canonical text form (RFC 5952), which needs an address parser",
    "limits-real":
        "JSON Schema counts 256.0 as an integer; the C parser takes integer literals only",
}


class FileRuleError(Exception):
    pass


def no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise FileRuleError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def no_constant(name):
    raise FileRuleError(f"{name} is not JSON")


def check_strings(value):
    """Lone surrogates (\\ud800) are not Unicode text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise FileRuleError("lone surrogate") from e
    elif isinstance(value, dict):
        for k, v in value.items():
            check_strings(k)
            check_strings(v)
    elif isinstance(value, list):
        for v in value:
            check_strings(v)


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) > MAX_SIZE:
        raise FileRuleError(f"{len(data)} bytes, over {MAX_SIZE}")
    try:
        text = data.decode("utf-8", errors="strict")
        value = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FileRuleError(str(e)) from e
    check_strings(value)
    return value


def main():
    schema_path, data_dir = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = []
    n_valid = n_invalid = 0

    valid_dir = os.path.join(data_dir, "valid")
    for name in sorted(os.listdir(valid_dir)):
        path = os.path.join(valid_dir, name)
        try:
            errors = list(validator.iter_errors(load(path)))
        except FileRuleError as e:
            errors = [e]
        if errors:
            failures.append(f"valid/{name} rejected: {errors[0]}")
        n_valid += 1

    invalid_dir = os.path.join(data_dir, "invalid")
    names = sorted(os.listdir(invalid_dir))
    for name in sorted(set(C_ONLY) - set(names)):
        failures.append(f"C_ONLY lists {name}, which is not a case")
    for name in names:
        path = os.path.join(invalid_dir, name, "input")
        try:
            rejected = not validator.is_valid(load(path))
        except FileRuleError:
            rejected = True
        if name in C_ONLY:
            if rejected:
                failures.append(f"invalid/{name} is listed as C-only but the schema rejects it: drop it from C_ONLY")
        elif not rejected:
            failures.append(f"invalid/{name} accepted by the schema")
        n_invalid += 1

    for f in failures:
        print(f"FAIL: {f}")
    print(f"{n_valid} valid and {n_invalid} invalid cases, {len(C_ONLY)} of them C-only; {len(failures)} disagreements")
    return 1 if failures or n_valid == 0 or n_invalid == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
