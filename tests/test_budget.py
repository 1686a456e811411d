"""The readability budget: train_model reads in one sitting, modules and functions stay small."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULE_LINES = 300  # any module under tfgraph/
FUNCTION_LINES = 80  # any function or method under tfgraph/ or lessons/, its docstring included
TRAIN_MODEL_BODY = 60  # train_model's statements, its docstring left out
THROUGHPUT_LINES = 500  # benchmarks/throughput.py


def python_files(*folders):
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def functions(path):
    """(qualified name, lines) of every function and method defined in the file at `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((prefix + child.name, child.end_lineno - child.lineno + 1))
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, prefix + child.name + ".")
    visit(tree, "")
    return found


def body_lines(function):
    """Lines of a function's body from its first statement after the docstring."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    return body[-1].end_lineno - body[0].lineno + 1


@pytest.mark.parametrize("path", python_files("tfgraph"), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_tfgraph_module_fits_in_300_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by concern"


def test_no_function_in_tfgraph_or_lessons_is_over_80_lines():
    too_long = [f"{path.relative_to(ROOT)}: {name} ({lines} lines)"
                for path in python_files("tfgraph", "lessons") for name, lines in functions(path)
                if lines > FUNCTION_LINES]
    assert not too_long, "functions over 80 lines: " + "; ".join(too_long)


def test_train_model_body_reads_in_one_sitting():
    tree = ast.parse((ROOT / "tfgraph" / "training.py").read_text(encoding="utf-8"))
    train_model = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "train_model")
    assert body_lines(train_model) < TRAIN_MODEL_BODY


def test_throughput_benchmark_stays_under_500_lines():
    assert len((ROOT / "benchmarks" / "throughput.py").read_text(encoding="utf-8").splitlines()) < THROUGHPUT_LINES


def test_the_budget_checks_can_fail(tmp_path):
    """The helpers above measure what they claim: a long function is counted whole, docstrings left out."""
    source = tmp_path / "long.py"
    source.write_text('def f():\n    """Doc."""\n' + "    x = 1\n" * 90 + "\nclass C:\n    def m(self):\n        pass\n")
    assert functions(source) == [("f", 92), ("C.m", 2)]
    assert body_lines(ast.parse(source.read_text()).body[0]) == 90
