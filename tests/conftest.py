"""Shared test set-up: each test starts with TensorFlow's op determinism off, and
`@pytest.mark.needs_flushing` skips a test where tfgraph cannot flush denormals.

Lessons turn determinism on for their CPU runs (`tfgraph.cli.parse_args`), and it is
process-wide; left on, it makes unseeded random ops in later tests raise. Steps in the
calling thread need `tfgraph.denormals` (Linux x86-64 with glibc only).
"""
import sys

import pytest


@pytest.fixture(autouse=True)
def reset_op_determinism():
    yield
    if "tensorflow" not in sys.modules:
        return  # nothing can have turned it on
    from tensorflow.python.framework import config

    if config.is_op_determinism_enabled():
        config.disable_op_determinism()


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_flushing: runs steps in the calling thread (tfgraph.denormals)")


def pytest_runtest_setup(item):
    if item.get_closest_marker("needs_flushing") is not None:
        from tfgraph import denormals

        if not denormals.supported():
            pytest.skip("the calling thread needs tfgraph.denormals")
