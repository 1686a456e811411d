"""Flag types for the lessons' command lines: each rejects a bad value with one sentence.

argparse prints the sentence after the flag's name (`--epochs: must be at least 1, got 0`);
`tfgraph.cli` re-exports them, so lessons write `type=cli.positive_int`.
"""
import argparse
import math


def _number(text, convert, expected):
    """`convert(text)`, or the argparse error "expected <expected>, got '<text>'"."""
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def positive_int(text):
    """An integer of at least 1."""
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text):
    """A finite number greater than 0."""
    value = _number(text, float, "a number")
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, got {text}")
    return value


def non_negative_float(text):
    """A finite number of at least 0."""
    value = _number(text, float, "a number")
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of at least 0, got {text}")
    return value


def seed(text):
    """A random seed NumPy and TensorFlow both take: a whole number from 0 to 2**32 - 1."""
    value = _number(text, int, "a whole number")
    if not 0 <= value < 2 ** 32:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 4294967295, got {value}")
    return value


def folder(text):
    """A folder name that is not empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a folder name, got an empty one")
    return text


def probability(text):
    """A keep probability in (0, 1]."""
    value = _number(text, float, "a number")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(
            f"a keep probability must be greater than 0 and at most 1, got {text} (1 keeps every unit)")
    return value




def decay_rate(text):
    """A decay of a running average: at least 0 and below 1 (RMSProp's, in the CNN and the modern net)."""
    value = _number(text, float, "a number")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, got {text}")
    return value
