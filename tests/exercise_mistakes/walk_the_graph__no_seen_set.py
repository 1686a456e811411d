"""Mistake: recursion without remembering the ops seen, so a reused placeholder is listed twice.

Expected hint: each placeholder should appear once
"""


def placeholders_needed(tensor):
    op = tensor.op
    if op.type == "Placeholder":
        return [op.name]
    found = []
    for inp in op.inputs:
        found.extend(placeholders_needed(inp))
    return sorted(found)
