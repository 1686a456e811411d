"""Mistake: matches the scope's name without the "/", so "cost_1" and "costly" count too.

Expected hint: Match the prefix
"""
from collections import Counter

SOFTMAX_OP_TYPE = "SoftmaxCrossEntropyWithLogits"


def ops_under(graph, scope):
    return dict(Counter(op.type for op in graph.get_operations() if op.name.startswith(scope)))
