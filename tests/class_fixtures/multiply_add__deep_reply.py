"""Weakness (issue 27): a deeply nested JSON line ended the whole run with no CSV.

build() returns a list nested 100,000 levels deep. Expected: failed (its reply is cut at a
bounded depth and does not have build()'s five values), and the run writes its CSV and JSON.
"""
import sys

sys.setrecursionlimit(10 ** 6)


def build():
    value = []
    for _ in range(100_000):
        value = [value]
    return value
