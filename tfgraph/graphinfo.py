"""What a graph holds: its variables, their sizes, and the arithmetic and memory one sample costs.

Used by `--graph-only` on every lesson, by `train_model` (to size its evaluation
batches) and by the throughput benchmark. FLOPs are
counted from static shapes, one multiply-add as two FLOPs, for the ops that
dominate these models: matrix products and convolutions. A training step costs
about three forward passes (the forward pass, then gradients with respect to both
the inputs and the weights), the usual estimate.
"""
import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def variable_table(graph):
    """(name, shape, parameters) for each trainable variable of `graph` (every lesson)."""
    with graph.as_default():
        variables = tf1.trainable_variables()
    return [(variable.op.name, tuple(variable.shape.as_list()), int(np.prod(variable.shape.as_list())))
            for variable in variables]


def _per_sample(shape):
    """Elements per sample of a static shape whose first dimension is the batch."""
    return int(np.prod([dim for dim in shape[1:]]))


def forward_flops(graph, scope="model"):
    """FLOPs of one sample's forward pass through the MatMul and Conv2D ops under `scope` (every lesson)."""
    total = 0
    for op in graph.get_operations():
        if not op.name.startswith(scope + "/"):
            continue
        if op.type == "MatMul":
            inner = op.inputs[1].shape.as_list()[0]
            output = op.outputs[0].shape.as_list()
            if inner is None or None in output[1:]:
                continue
            total += 2 * inner * _per_sample(output)
        elif op.type == "Conv2D":
            kernel_h, kernel_w, channels_in, _ = op.inputs[1].shape.as_list()
            total += 2 * kernel_h * kernel_w * channels_in * _per_sample(op.outputs[0].shape.as_list())
    return total


def bytes_per_sample(tensor):
    """Bytes of every batch-shaped float tensor that computing `tensor` (or an op) makes, per sample (fully connected net).

    Walks back from `tensor` through the ops it needs and adds up the outputs whose
    static shape is a batch of fixed-size examples (first dimension unknown, the rest
    known). An estimate of one sample's share of the memory a forward pass needs: it
    leaves out integer and boolean tensors, shapes the graph does not know and the
    kernels' scratch space, and TensorFlow frees most of what it counts before the pass
    ends.
    """
    seen, pending, total = set(), [getattr(tensor, "op", tensor)], 0
    while pending:
        op = pending.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        for output in op.outputs:
            dims = output.shape.as_list() if output.shape.rank else []  # plain ints or None, in TF1 shapes too
            if output.dtype.is_floating and dims and dims[0] is None and None not in dims[1:]:
                total += _per_sample(dims) * output.dtype.size
        pending.extend(inp.op for inp in op.inputs)
    return total


def describe(graph):
    """Lines of text: the variable table with its total and the FLOPs per sample (every lesson, --graph-only)."""
    rows = variable_table(graph)
    width = max([len(name) for name, _, _ in rows] + [8])
    lines = [f"{'variable':<{width}}  {'shape':<18} {'parameters':>12}"]
    lines += [f"{name:<{width}}  {str(list(shape)):<18} {count:>12,}" for name, shape, count in rows]
    lines.append(f"{'total':<{width}}  {'':<18} {sum(count for _, _, count in rows):>12,}")
    flops = forward_flops(graph)
    if flops:
        lines.append(f"Estimated FLOPs per sample: {flops:,} forward, about {3 * flops:,} per training sample "
                     "(matrix products and convolutions; forward + two backward passes)")
    return lines


#: `eval_batch_size` sizes evaluation batches to about this many bytes of activations.
EVAL_MEMORY = 256 * 2**20


def eval_batch_size(tensor, memory=EVAL_MEMORY):
    """Images per evaluation batch whose activations take about `memory` bytes, in hundreds (fully connected net).

    The article fed the whole test set at once: 10,000 images fit for the fully
    connected and modern nets, but need gigabytes for the CNN (500 a batch here). At
    least 100; 1,000 when the graph knows no batch-shaped activations to count.
    """
    per_image = bytes_per_sample(tensor) if isinstance(tensor, (tf.Tensor, tf.Operation)) else 0
    if per_image == 0:  # no batch-shaped activations known to the graph: a middle size
        return 1000
    return max(100, memory // per_image // 100 * 100)
