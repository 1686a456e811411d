"""Mistake: the Variables lack the layers' name scopes (model/W_h:0); load_tf1 maps the TF1 names by hand.

Expected hint: of the checkpoint's names match none of them
"""
import numpy as np
import tensorflow as tf


class FullyConnected(tf.Module):
    def __init__(self, num_hidden=620):
        super().__init__(name="model")
        with self.name_scope:
            self.W_h = tf.Variable(tf.zeros([784, num_hidden]), name="W_h")
            self.W_o = tf.Variable(tf.zeros([num_hidden, 10]), name="W_o")

    def __call__(self, images):
        return tf.matmul(tf.nn.sigmoid(tf.matmul(images, self.W_h)), self.W_o)


def load_tf1(model, path):
    reader = tf.train.load_checkpoint(path)
    model.W_h.assign(reader.get_tensor("model/hidden/W_h"))
    model.W_o.assign(reader.get_tensor("model/output/W_o"))


def variables(num_hidden):
    return [(variable.name, variable.shape.as_list()) for variable in FullyConnected(num_hidden).trainable_variables]


def port(path, images, num_hidden):
    model = FullyConnected(num_hidden)
    load_tf1(model, path)
    return [(variable.name, variable.numpy()) for variable in model.trainable_variables], np.asarray(model(images))
