#!/usr/bin/env python3
"""The format check CI runs before the tests: every Swift file git tracks has lines of at most 150
characters (a line holding a raw string literal, `#"…"#`, is a JSON fixture and stays whole), no tab,
no trailing whitespace, no two blank lines in a row, and ends with one newline.

Usage: python3 scripts/check-format.py [FILE ...]   (default: every *.swift file git tracks or would track)
Prints each finding as path:line: what, and exits 1 when there is any.
"""
import subprocess
import sys

LIMIT = 150


def findings(path):
    try:
        text = open(path, encoding="utf-8").read()
    except UnicodeDecodeError as error:
        yield 1, f"not UTF-8 ({error.reason})"
        return
    lines = text.split("\n")
    if not text.endswith("\n") or text.endswith("\n\n"):
        yield len(lines), "the file must end with exactly one newline"
    blank_run = 0
    for number, line in enumerate(lines[:-1], start=1):
        if len(line) > LIMIT and '#"' not in line:
            yield number, f"{len(line)} characters; wrap it at {LIMIT}"
        if "\t" in line:
            yield number, "a tab; indent with spaces"
        if line != line.rstrip():
            yield number, "trailing whitespace"
        blank_run = blank_run + 1 if not line.strip() else 0
        if blank_run == 2:
            yield number, "two blank lines in a row"


def main():
    paths = sys.argv[1:] or subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.swift"], capture_output=True, text=True, check=True).stdout.split()
    count = 0
    for path in paths:
        for number, message in findings(path):
            print(f"{path}:{number}: {message}")
            count += 1
    if count:
        print(f"check-format: {count} finding(s) in {len(paths)} Swift files", file=sys.stderr)
        return 1
    print(f"check-format: {len(paths)} Swift files, no finding")
    return 0


if __name__ == "__main__":
    sys.exit(main())
