"""Shared test set-up: each test starts with TensorFlow as a fresh process has it.

Two settings are process-wide and would leak from one test into the next: op
determinism, which lessons turn on for their CPU runs (`tfgraph.cli.parse_args`; left on,
it makes unseeded random ops in later tests raise), and graph mode with TF1's
TensorShape, which `tfgraph.legacy` turns on for the old scripts it runs in this process
(left on, the TensorFlow 2 lesson's `tf.function` and eager tensors fail).
"""
import sys

import pytest


@pytest.fixture(autouse=True)
def reset_process_wide_tensorflow_settings():
    yield
    from tfgraph.quiet import LazyTensorFlow

    if isinstance(sys.modules.get("tensorflow", LazyTensorFlow("tensorflow")), LazyTensorFlow):
        return  # TensorFlow was never imported (or only its stand-in was): nothing can have turned it on
    from tensorflow.python.framework import config

    if config.is_op_determinism_enabled():
        config.disable_op_determinism()
    from tests.helpers import restore_eager_tensorflow

    restore_eager_tensorflow()  # tfgraph.legacy may have turned graph mode on


# --- the grading tests (marker `grading`): one Grader for the whole session -----------------

@pytest.fixture(scope="session")
def grader():
    """The two fork servers in their bubblewrap sandboxes, started once for every grading test.

    They start with a secret in the grader's environment (TFGRAPH_TEST_SECRET_TOKEN), which no
    verdict may ever show.
    """
    import os
    import secrets

    from lessons.exercises.grader.runner import Grader
    from lessons.exercises.grader.sandbox import BWRAP

    os.environ["TFGRAPH_TEST_SECRET_TOKEN"] = "TOKEN-" + secrets.token_hex(16)
    try:
        with Grader(BWRAP) as started:
            yield started
    finally:
        del os.environ["TFGRAPH_TEST_SECRET_TOKEN"]


@pytest.fixture
def cli_on(grader, monkeypatch):
    """`lessons.exercises`' main, grading with the session's Grader instead of starting its own."""
    from lessons.exercises.grader import classroom, cli

    def grade_here(jobs, timeout=60.0, workers=1, on_result=None, on_report=None, mode=None, exercises=None):
        return grader.grade(jobs, timeout, workers, on_result, on_report)
    monkeypatch.setattr(classroom, "grade", grade_here)
    monkeypatch.setattr(cli, "grade", grade_here)
    return cli.main
