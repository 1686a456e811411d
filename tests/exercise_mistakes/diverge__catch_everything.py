"""Mistake: catches every exception, so a bug in train looks like divergence.

Expected hint: Catch training.TrainingDiverged only
"""
ACCURACY_COLLAPSES_FIRST = False


def first_diverging_rate(train, start=1.0, factor=10.0, max_tries=40):
    for k in range(max_tries):
        try:
            train(start * factor ** k)
        except Exception:
            return start * factor ** k
    return None
