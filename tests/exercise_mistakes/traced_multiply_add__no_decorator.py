"""Mistake: computes x * y + z but leaves the @tf.function decorator off.

Expected hint: it is a plain Python function
"""


def multiply_add(x, y, z):
    return x * y + z


def new_traces(calls):
    counts = []
    for x, y, z in calls:
        before = multiply_add.experimental_get_tracing_count()
        multiply_add(x, y, z)
        counts.append(multiply_add.experimental_get_tracing_count() - before)
    return counts
