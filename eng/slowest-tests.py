#!/usr/bin/env python3
"""Prints the slowest tests of the last `dotnet test` run, from its results file.

usage: eng/slowest-tests.py [RESULTS.trx] [COUNT]   (default: test-output/results/tests.trx, 20)
"""
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def seconds(duration: str) -> float:
    hours, minutes, rest = duration.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "test-output", "results", "tests.trx")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    results = ET.parse(path).getroot().findall(".//t:UnitTestResult", NS)
    timed = sorted(
        ((seconds(r.get("duration", "0:0:0")), r.get("outcome", "?"), r.get("testName", "?")) for r in results),
        reverse=True,
    )
    total = sum(t for t, _, _ in timed)
    print(f"The {min(count, len(timed))} slowest of {len(timed)} tests ({total:.0f} test-seconds in all):")
    for duration, outcome, name in timed[:count]:
        print(f"{duration:8.2f} s  {outcome:<7} {name}")


if __name__ == "__main__":
    main()
