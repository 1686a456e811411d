"""The grader: each student's file, and the judge that decides its verdict, in sandboxes of their own.

Where each part lives, from the command line down:

- `cli` (`python -m lessons.exercises`) and `classroom` (`check --all`, `status`, `gradescope`):
  what to grade, in which sandbox mode, and the table;
- `files`: finding and reading submissions without following links; `reports`: a file's
  `Report`, and CSV, JSON and Gradescope output with student text neutralised;
- `sandbox`: the bubblewrap command lines (`launch` stages them when the grader is root);
  `runtime`: the two fork servers and a fresh child of each per file; `cgroups`;
- `runner`: grading a batch, relaying between each file's student side and judge;
- `box/`: what runs inside the sandboxes and is all a student's sandbox sees of `lessons`:
  `wire` (frames and values), `zygote` (the fork server), `isolate` (namespaces, mounts,
  capabilities, rlimits per child) and `student` (the student's side);
- `judge`: the judge's side; `remote` and `submission`: what a check may ask of the student's
  sandbox; `checks`: declaring checks and reference values. The checks themselves are content,
  in `lessons/exercises/checkers/`.
"""
