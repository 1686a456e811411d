"""Mistake: counts the scope's direct children only, not its nested scopes.

Expected hint: you left out the nested scopes
"""
from collections import Counter

SOFTMAX_OP_TYPE = "SoftmaxCrossEntropyWithLogits"


def ops_under(graph, scope):
    return dict(Counter(op.type for op in graph.get_operations()
                        if op.name.startswith(scope + "/") and op.name.count("/") == scope.count("/") + 1))
