"""The article's seven lessons, in its order; `python -m lessons` lists them."""
import ast
from pathlib import Path

from tfgraph import quiet

# TensorFlow is imported on first use, without its start-up chatter (tfgraph/quiet.py).
quiet.install()

#: Module names under `lessons`, in the article's order.
LESSONS = (
    "multiplication",
    "linear_regression",
    "multivariable_regression",
    "logistic_regression",
    "fully_connected",
    "modern_net",
    "cnn",
    "distributed",
    "tf_function",
)

#: The fields every lesson's docstring opens with, one `Field: value` line each.
HEADER_FIELDS = ("Title", "Description", "Article section", "Run", "Expected")


def header(name):
    """The `Field: value` lines that open lesson `name`'s docstring, read without importing it."""
    source = (Path(__file__).parent / f"{name}.py").read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(source)) or ""
    fields = {}
    for line in doc.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields
