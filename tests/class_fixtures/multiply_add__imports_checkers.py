"""Weakness (issue 27): the student's process could import the checkers and solutions.

Tries to import the solution and the checker, or to read the solution's file from the
checkout, and to use it. Expected: failed (none of them exists in the student's sandbox), so
the untouched build() below is what is checked.
"""
import importlib

build = None
for name in ("lessons.exercises.solutions.multiply_add", "lessons.exercises.checkers.multiplication"):
    try:
        build = getattr(importlib.import_module(name), "build", None) or build
    except ImportError:
        pass
if build is None:
    try:
        namespace = {}
        with open("@CHECKOUT@/lessons/exercises/solutions/multiply_add.py", encoding="utf-8") as source:
            exec(source.read(), namespace)
        build = namespace["build"]
    except OSError:
        pass

if build is None:
    def build():
        raise NotImplementedError("the exercise is untouched, and no solution was in reach")
