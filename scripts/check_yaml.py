#!/usr/bin/env python3
"""Reads every YAML file of a relate store with PyYAML, a reader other than relate's.

Checks that each file parses, that each record is a mapping whose `id` equals the
file name, and that no value is null. With `--relate BINARY`, also checks that
PyYAML reads the same values as relate: every exportable record is compared with
`relate export KIND --format json`. Prints `path: problem` lines and exits 1 on
any problem; prints a count and exits 0 otherwise.

    python3 scripts/check_yaml.py STORE [--relate target/release/relate]
"""
import datetime
import json
import pathlib
import subprocess
import sys

import yaml


def null_keys(value, path=""):
    if value is None:
        yield path or "(document)"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from null_keys(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from null_keys(item, f"{path}[{index}]")


EXPORTED = ["customers", "interactions", "deals", "orders", "products"]


def plain(value):
    """A PyYAML value in the shape relate's JSON gives it."""
    if isinstance(value, datetime.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def differences(root, relate, records):
    """Records whose PyYAML reading differs from relate's export of them."""
    for kind in EXPORTED:
        out = subprocess.run(
            [relate, "--store", str(root), "export", kind, "--format", "json"],
            check=True, capture_output=True, text=True,
        ).stdout
        for exported in json.loads(out):
            path, read = records.get((kind, exported["id"]), (None, None))
            if read is None:
                yield f"{kind}/{exported['id']}: exported by relate but not found by PyYAML"
            elif plain(read) != exported:
                keys = sorted(k for k in set(read) | set(exported) if plain(read.get(k)) != exported.get(k))
                yield f"{path}: PyYAML and relate read different values for {', '.join(keys)}"


def main(root, relate=None):
    root = pathlib.Path(root)
    problems, count, records = [], 0, {}
    for path in sorted(root.rglob("*.yaml")):
        if ".git" in path.parts:
            continue
        count += 1
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            problems.append(f"{path}: {error}")
            continue
        problems += [f"{path}: `{key}` is null" for key in null_keys(data)]
        if path.name != "relate.yaml" and (not isinstance(data, dict) or data.get("id") != path.stem):
            problems.append(f"{path}: the id is not the file name")
        elif path.name != "relate.yaml":
            records[(path.relative_to(root).parts[0], path.stem)] = (path, data)
    if relate:
        problems += list(differences(root, relate, records))
    for problem in problems:
        print(problem)
    compared = " and compared with relate's export" if relate else ""
    print(f"{count} files read with PyYAML {yaml.__version__}{compared}, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    relate = None
    if "--relate" in args:
        at = args.index("--relate")
        relate = args[at + 1]
        del args[at:at + 2]
    sys.exit(main(args[0] if args else "sample-data", relate))
