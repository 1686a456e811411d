"""`python -m lessons.exercises`: the exercises' command line (`lessons.exercises.grader.cli`)."""
import sys

from lessons.exercises.grader.cli import main

if __name__ == "__main__":
    sys.exit(main())
