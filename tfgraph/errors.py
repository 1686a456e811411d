"""The exceptions that several tfgraph modules raise, for mistakes a learner can fix."""


class TfgraphError(Exception):
    """A problem with the learner's input or environment, explained in plain words.

    The message is one paragraph: what was wrong and what to do about it. Lessons
    print it without a traceback (`tfgraph.cli.run`). `exit_status` is the status the
    lesson exits with: 1 for an error, 130 for a stop the learner asked for, 0 for
    "nothing to do".
    """

    exit_status = 1


class MNISTError(TfgraphError):
    """MNIST could not be read, found or downloaded (raised by tfgraph.mnist and the modules behind it)."""
