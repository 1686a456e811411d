"""Mistake: returns the last rate that worked instead of the first that diverged.

Expected hint: one step too early
"""
from tfgraph import training

ACCURACY_COLLAPSES_FIRST = False


def first_diverging_rate(train, start=1.0, factor=10.0, max_tries=40):
    rate = previous = start
    for _ in range(max_tries):
        try:
            train(rate)
        except training.TrainingDiverged:
            return previous
        previous, rate = rate, rate * factor
    return None
