"""The lessons: the article's, in its order, then lessons that go beyond it; `python -m lessons` lists them."""
import ast
from pathlib import Path

from tfgraph import quiet

# TensorFlow is imported on first use, without its start-up chatter (tfgraph/quiet.py).
quiet.install()

#: Module names under `lessons`: the article's lessons in its order, then those beyond it.
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


def beyond_the_article(name):
    """True for a lesson that goes beyond the article: its header's Article section says so."""
    return "beyond the article" in header(name)["Article section"]


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
