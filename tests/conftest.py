"""Shared test set-up: each test starts with TensorFlow's op determinism off.

Lessons turn determinism on for their CPU runs (`tfgraph.cli.parse_args`), and it is
process-wide; left on, it makes unseeded random ops in later tests raise.
"""
import sys

import pytest


@pytest.fixture(autouse=True)
def reset_op_determinism():
    yield
    from tfgraph.quiet import LazyTensorFlow

    if isinstance(sys.modules.get("tensorflow", LazyTensorFlow("tensorflow")), LazyTensorFlow):
        return  # TensorFlow was never imported (or only its stand-in was): nothing can have turned it on
    from tensorflow.python.framework import config

    if config.is_op_determinism_enabled():
        config.disable_op_determinism()

