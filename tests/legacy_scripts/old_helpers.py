# A helper module beside old_basics.py, imported by it: its `import tensorflow`
# must give tfgraph.legacy too, as it is the learner's code.
import tensorflow as tf


def weighted_total(values, weight):
    # TensorFlow 0.x: reduction_indices, and tf.mul
    return tf.mul(tf.reduce_sum(values, reduction_indices=[0]), weight)
