"""tfgraph: what the lessons share (data, training loop, summaries, plots, flags).

Importing this package does not import TensorFlow; `tfgraph.mnist` stays usable
on its own. The modules that need TensorFlow import it when they are imported,
and the `lessons` package makes that import happen on first use, quietly
(`tfgraph.quiet`).
"""
import os as _os

from tfgraph import quiet as _quiet  # standard library only: no TensorFlow

# TensorFlow's C++ log: warnings and errors, not information. TFGRAPH_VERBOSE=1 shows all.
if not _quiet.verbose():
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

__version__ = "0.1.0"
