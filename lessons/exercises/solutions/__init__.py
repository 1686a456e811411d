"""Reference solutions, one per exercise: keep this folder for the teacher.

`python -m lessons.exercises check <name> lessons/exercises/solutions/<name>.py` passes every check.
"""
