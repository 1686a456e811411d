"""Mistake: trusts replica_device_setter's round robin after a global step, so W_h lands on ps task 1.

Expected hint: is placed on /job:ps/task:1; it should live on /job:ps/task:0
"""
import tensorflow as tf

tf1 = tf.compat.v1


def build_model(num_hidden=620):
    graph = tf.Graph()
    with graph.as_default(), tf1.device(tf1.train.replica_device_setter(ps_tasks=2)):
        tf1.train.get_or_create_global_step()
        X = tf1.placeholder(tf.float32, shape=[None, 784], name="X")
        W_h = tf.Variable(tf1.random_normal([784, num_hidden], stddev=0.01), name="W_h")
        W_o = tf.Variable(tf1.random_normal([num_hidden, 10], stddev=0.01), name="W_o")
        tf.matmul(tf.nn.sigmoid(tf.matmul(X, W_h)), W_o, name="logits")
    return graph
