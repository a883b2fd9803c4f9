#!/usr/bin/env python3
"""Lists functions, initialisers and closures-as-properties longer than a limit, measured by the
Swift compiler's own parser (`swiftc -dump-parse`), so string literals with braces in them (the
dashboard's HTML) cannot confuse the count.

Usage: scripts/function-lengths.py [--limit 60] [--fail] [DIRECTORY ...]   (default: Sources/Hub)
Prints `file:line  lines  name` for each, longest first; with --fail exits 1 when any is found.
"""
import argparse
import pathlib
import re
import subprocess
import sys

DECL = re.compile(r'^\s*\((func_decl|constructor_decl|accessor_decl)\b.*?range=\[([^:\]]+):(\d+):\d+ - line:(\d+):\d+\]\s*"?([^"\s]*)')


def lengths(path):
    dump = subprocess.run(["swiftc", "-dump-parse", str(path)], capture_output=True, text=True)
    for line in dump.stdout.splitlines():
        match = DECL.match(line)
        if match:
            kind, _, start, end, name = match.groups()
            yield int(start), int(end) - int(start) + 1, name or kind


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--fail", action="store_true")
    parser.add_argument("directories", nargs="*", default=["Sources/Hub"])
    arguments = parser.parse_args()
    found = []
    for directory in arguments.directories:
        for path in sorted(pathlib.Path(directory).rglob("*.swift")):
            for start, count, name in lengths(path):
                if count > arguments.limit:
                    found.append((count, f"{path}:{start}", name))
    for count, place, name in sorted(found, reverse=True):
        print(f"{place}  {count} lines  {name}")
    print(f"function-lengths: {len(found)} over {arguments.limit} lines in {', '.join(arguments.directories)}")
    return 1 if arguments.fail and found else 0


if __name__ == "__main__":
    sys.exit(main())
