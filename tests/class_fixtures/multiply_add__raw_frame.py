"""Weakness (issue 27): a malformed record from one file (too deep) ended the run.

Writes, on every socket it holds, a well-framed message of JSON nested 100,000 levels deep.
Expected: stopped (the judge refuses the frame), and the run writes its CSV and JSON.
"""
import os
import stat
import struct

BODY = b"[" * 100_000 + b"]" * 100_000
for fd in range(64):
    try:
        if stat.S_ISSOCK(os.fstat(fd).st_mode):
            os.write(fd, struct.pack(">I", len(BODY)) + BODY)
    except OSError:
        pass


def build():
    raise NotImplementedError("the exercise is untouched")
