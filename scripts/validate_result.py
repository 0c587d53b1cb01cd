#!/usr/bin/python3
"""Validates bnbench result files against results/schema/result.schema.json.

Invariant: accepts any minor version of the schema's major; exits 1 naming the file and the
JSON path of the first violation.
"""
import json
import pathlib
import sys

import jsonschema

SCHEMA = pathlib.Path(__file__).resolve().parent.parent / "results" / "schema" / "result.schema.json"


def main(paths):
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    status = 0
    for path in paths:
        doc = json.loads(pathlib.Path(path).read_text())
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for error in errors[:5]:
            where = "/" + "/".join(str(p) for p in error.absolute_path)
            print(f"{path}: {where}: {error.message}", file=sys.stderr)
        if errors:
            status = 1
        else:
            print(f"{path}: valid ({len(doc.get('cases', []))} cases)")
    return status


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("usage: validate_result.py RESULT.json...", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
