"""What runs inside a grading sandbox: the frames both sides speak, the fork server, the student's side.

This package is the only part of `lessons` a student's sandbox can see (it is mounted
there on its own, as the top-level package `box`), so it imports nothing from `lessons`:
only the standard library, NumPy and, once a sandbox has started, TensorFlow and `tfgraph`.
The judge imports the same modules as `lessons.exercises.grader.box`.
"""
