#!/usr/bin/env python3
"""Reads every YAML file of a relate store with PyYAML, a reader other than relate's.

Checks that each file parses, that each record is a mapping whose `id` equals the
file name, and that no value is null. Prints `path: problem` lines and exits 1 on
any problem; prints a count and exits 0 otherwise.
"""
import pathlib
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


def main(root):
    root = pathlib.Path(root)
    problems, count = [], 0
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
    for problem in problems:
        print(problem)
    print(f"{count} files read with PyYAML {yaml.__version__}, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "sample-data"))
