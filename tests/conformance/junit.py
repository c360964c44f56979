#!/usr/bin/env python3
"""Reads the JUnit XML that CPython's regrtest writes (--junit-xml).

  junit.py summary FILE        one line: "N run, N ok, N skipped, N failed, N errors"
  junit.py diff NATIVE KDUNE   one line per test case whose outcome differs:
                               "CASE<TAB>native OUTCOME, kdune OUTCOME: first line of the message"
"""
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    """{test case name: (outcome, message)} with outcome ok, skipped, failure or error."""
    cases = {}
    for tc in ET.parse(path).iter("testcase"):
        outcome, message = "ok", ""
        for child in tc:
            if child.tag in ("skipped", "failure", "error"):
                outcome = child.tag
                message = (child.get("message") or child.text or "").strip()
                break
        name = tc.get("name")
        if name is None:
            # regrtest writes a bare <testcase/> for a test whose subtests failed or errored.
            name = f"?{len(cases)}"
            outcome, message = "error", "a subtest failed or errored (regrtest's JUnit file drops the test's name)"
        if name.startswith("test."):
            name = name[len("test."):]
        cases[name] = (outcome, last_line(message))
    return cases


def name_nameless(cases, other):
    """Gives each nameless case the name of a case that only OTHER has, when that pairing is
    unambiguous (as many nameless cases as names missing)."""
    nameless = [n for n in cases if n.startswith("?")]
    missing = [n for n in other if n not in cases and not n.startswith("?")]
    if nameless and len(nameless) == len(missing):
        for old, new in zip(nameless, missing):
            cases[new] = cases.pop(old)


def last_line(text):
    """The line of a traceback that says what went wrong (its last non-empty line)."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    return lines[-1][:200] if lines else ""


def summary(path):
    cases = outcomes(path)
    n = {k: 0 for k in ("ok", "skipped", "failure", "error")}
    for outcome, _ in cases.values():
        n[outcome] += 1
    return (f"{len(cases)} run, {n['ok']} ok, {n['skipped']} skipped, "
            f"{n['failure']} failed, {n['error']} errors")


def diff(native_path, kdune_path):
    native, kdune = outcomes(native_path), outcomes(kdune_path)
    name_nameless(native, kdune)
    name_nameless(kdune, native)
    for name in sorted(set(native) | set(kdune)):
        a, b = native.get(name, ("absent", "")), kdune.get(name, ("absent", ""))
        if a[0] == b[0]:
            continue
        why = b[1] if b[0] not in ("ok", "absent") else a[1]
        line = f"{name}\tnative {a[0]}, kdune {b[0]}"
        print(line + (f": {why}" if why else "").replace("\t", " ").replace("|", "/"))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "summary":
        print(summary(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
