"""Mistake: looks at the tensor's direct inputs only.

Expected hint: Walk on past the direct inputs
"""


def placeholders_needed(tensor):
    return sorted(inp.op.name for inp in tensor.op.inputs if inp.op.type == "Placeholder")
