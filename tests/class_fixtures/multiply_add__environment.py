"""Weakness (issue 27): the teacher's environment variables reached the student's process (a token in a hint).

Puts its whole environment into its verdict. Expected: failed, and the verdict holds none of
the grader's environment (the test sets a token there).
"""
import os

raise RuntimeError(f"my environment: {dict(os.environ)}")
