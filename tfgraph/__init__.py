"""tfgraph: what the lessons share (data, training loop, summaries, plots, flags).

Importing this package does not import TensorFlow; `tfgraph.mnist` stays usable
on its own. The modules that need TensorFlow (`training`, `summaries`, `cli`)
import it when they are imported.
"""
import os as _os

# TensorFlow's C++ start-up chatter (oneDNN notices, "could not find cuda drivers")
# buries a learner's output; TF_CPP_MIN_LOG_LEVEL=0 in the environment brings it back.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tfgraph.errors import TfgraphError  # noqa: E402

__version__ = "0.1.0"
__all__ = ["TfgraphError", "__version__"]
