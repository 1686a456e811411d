"""Shape comments that cannot lie: every `# (?, 14, 14, 32)` in a lesson is checked against the value on its line.

A shape comment is an inline comment that starts with a shape, `(?, 784)`, `(100, 5)`,
`()`; it may name several, one for each target of the line (`a, b = f()  # (?, 7),
(?, 7)`). Each lesson runs in this process (`--dry-run`, or `--graph-only` for the
distributed one, which would start a cluster), traced line by line, and when a
commented statement has run, the values it assigned (or returned) are compared with
the comment: a tensor by its static shape, an array by its shape; `?` is a dimension
the graph leaves open (or, for an array, any size).
"""
import ast
import importlib
import io
import re
import sys
import tokenize
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from lessons import LESSONS

ROOT = Path(__file__).resolve().parents[1]
SHAPE = re.compile(r"\((?:(?:\?|\d+)(?:, (?:\?|\d+))*,?)?\)")
ARGS = {"distributed": ["--graph-only"]}  # its dry run starts a cluster of processes


def shape_comments(path):
    """{line: [shape, ...]} for each inline comment of `path` that starts with a shape; a shape is a tuple, None for '?'."""
    source = path.read_text(encoding="utf-8")
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        text = token.string[1:].strip()
        code_before = token.line[:token.start[1]].strip()
        if code_before and SHAPE.match(text):
            found[token.start[0]] = [tuple(None if part == "?" else int(part)
                                           for part in shape[1:-1].replace(" ", "").split(",") if part)
                                     for shape in SHAPE.findall(text)]
    return found


def statements(path, lines):
    """{first line: (last line, target names or None for a return)} of the statements holding `lines`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr)):
            continue
        covered = [line for line in lines if node.lineno <= line <= node.end_lineno]
        if not covered:
            continue
        if isinstance(node, ast.Return):
            targets = None
        elif isinstance(node, ast.Expr):
            targets = []
        else:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            targets = [element.id for element in (target.elts if isinstance(target, ast.Tuple) else [target])]
        found[node.lineno] = (node.end_lineno, targets, covered[0])
    return found


class LineValues:
    """A tracer that records, each time a commented statement of one file has run, the values it produced."""

    def __init__(self, path, statements):
        self.path, self.statements = str(path), statements
        self.seen = {}  # comment line -> list of value lists
        self._pending = {}  # frame id -> (first line, (last line, targets, comment line)) of the statement running

    def global_trace(self, frame, event, arg):
        return self.local_trace if frame.f_code.co_filename == self.path else None

    def local_trace(self, frame, event, arg):
        key = id(frame)
        current = self._pending.get(key)
        if current is not None:
            first, (last, targets, comment_line) = current
            # A return is done at the frame's return event (a `with` block may run lines after it).
            done = event == "return" or (event == "line" and targets is not None and not first <= frame.f_lineno <= last)
            if done:
                if targets is None:
                    values = [arg] if event == "return" else None
                else:
                    values = [frame.f_locals.get(name) for name in targets]
                if values is not None:
                    self.seen.setdefault(comment_line, []).append(values)
                del self._pending[key]
        if event == "line" and frame.f_lineno in self.statements and key not in self._pending:
            self._pending[key] = (frame.f_lineno, self.statements[frame.f_lineno])
        return self.local_trace


def shape_of(value):
    """The static shape of a tensor or variable, or an array's shape, as a tuple with None for unknown."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return None if value.shape.rank is None else tuple(value.shape.as_list())
    return np.shape(value)


def matches(comment, shape):
    return shape is not None and len(comment) == len(shape) and all(
        expected is None or expected == actual for expected, actual in zip(comment, shape))


@pytest.mark.parametrize("lesson", [name for name in LESSONS if shape_comments(ROOT / "lessons" / f"{name}.py")])
def test_every_shape_comment_states_the_shape_on_its_line(lesson, tmp_path, capsys):
    path = ROOT / "lessons" / f"{lesson}.py"
    comments = shape_comments(path)
    tracer = LineValues(path, statements(path, comments))
    module = importlib.import_module(f"lessons.{lesson}")
    sys.settrace(tracer.global_trace)
    try:
        module.main(ARGS.get(lesson, ["--dry-run"]) + ["--logdir", str(tmp_path)])
    finally:
        sys.settrace(None)
    capsys.readouterr()
    wrong = []
    for line, shapes in sorted(comments.items()):
        runs = tracer.seen.get(line)
        if not runs:
            wrong.append(f"line {line}: the statement never ran, so its comment is unchecked")
            continue
        for values in runs:
            actual = [shape_of(value) for value in values]
            if len(shapes) != len(actual) or not all(map(matches, shapes, actual)):
                wrong.append(f"line {line}: the comment says {shapes}, the line gives {actual}")
                break
    assert not wrong, f"lessons/{lesson}.py: " + "; ".join(wrong)


def test_the_check_reads_shapes_and_catches_a_wrong_one(tmp_path):
    """The parser finds shape comments only after code; `matches` treats '?' as any size and ranks must agree."""
    source = tmp_path / "lesson.py"
    source.write_text("# (1, 2) a full-line comment is prose\nx = f()  # (?, 14, 14, 32), then (?, 7)\n"
                      "y = g()  # () a scalar\nz = h()  # images (?, 28)\n")
    assert shape_comments(source) == {2: [(None, 14, 14, 32), (None, 7)], 3: [()]}
    assert matches((None, 14), (None, 14)) and matches((None, 14), (50, 14)) and matches((), ())
    assert not matches((None, 28, 28, 32), (None, 14, 14, 32)) and not matches((None,), (None, 1))
    assert not matches((None, 10), None)  # an unknown rank matches no stated shape
