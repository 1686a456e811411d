"""Mistake: new_traces returns the tracing count after each call, not the traces that call added.

Expected hint: like the total number of traces so far
"""
import tensorflow as tf


@tf.function
def multiply_add(x, y, z):
    return x * y + z


def new_traces(calls):
    counts = []
    for x, y, z in calls:
        multiply_add(x, y, z)
        counts.append(multiply_add.experimental_get_tracing_count())
    return counts
