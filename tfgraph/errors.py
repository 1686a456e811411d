"""The one exception type tfgraph raises for mistakes a learner can fix."""


class TfgraphError(Exception):
    """A problem with the learner's input or environment, explained in plain words.

    The message is one paragraph: what was wrong and what to do about it. Lessons
    print it without a traceback (see `tfgraph.cli.run_main`).
    """
