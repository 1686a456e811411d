# Eager execution as TensorFlow 1.5-1.7's guide taught it, for tests/test_legacy_scripts.py:
# tfe.gradients_function (and its gradient), a linear fit with tfe.implicit_gradients,
# then a tfe.Network of tf.layers.Dense trained over a tfe.Iterator.
from __future__ import print_function

import numpy as np
import tensorflow as tf
import tensorflow.contrib.eager as tfe

tfe.enable_eager_execution()


def square(x):
    return tf.multiply(x, x)


grad = tfe.gradients_function(square)
gradgrad = tfe.gradients_function(lambda x: grad(x)[0])
print("grad:", grad(3.)[0].numpy(), "gradgrad:", gradgrad(3.)[0].numpy())

# A line fitted with implicit gradients
tf.set_random_seed(1)
NUM_EXAMPLES = 500
training_inputs = tf.random_normal([NUM_EXAMPLES])
noise = tf.random_normal([NUM_EXAMPLES])
training_outputs = training_inputs * 3 + 2 + noise * 0.1
W = tfe.Variable(5.)
B = tfe.Variable(10.)


def prediction(inputs):
    return inputs * W + B


def loss(inputs, targets):
    return tf.reduce_mean(tf.square(prediction(inputs) - targets))


grad_fn = tfe.implicit_gradients(loss)
optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.1)
for i in range(300):
    optimizer.apply_gradients(grad_fn(training_inputs, training_outputs))
print("fit: W = %.2f, B = %.2f" % (W.numpy(), B.numpy()))


# A network of layers over a dataset
class TwoLayerNet(tfe.Network):
    def __init__(self):
        super(TwoLayerNet, self).__init__()
        self.hidden = self.track_layer(tf.layers.Dense(16, activation=tf.nn.tanh))
        self.output_layer = self.track_layer(tf.layers.Dense(2))

    def call(self, inputs):
        return self.output_layer(self.hidden(inputs))


rng = np.random.RandomState(0)
points = rng.randn(400, 2).astype(np.float32)
classes = (points[:, 0] * points[:, 1] > 0).astype(np.int64)
dataset = tf.data.Dataset.from_tensor_slices((points, classes)).shuffle(400).batch(50)
model = TwoLayerNet()
adam = tf.train.AdamOptimizer(0.05)


def net_loss(x, y):
    return tf.losses.sparse_softmax_cross_entropy(labels=y, logits=model(x))


value_and_grads = tfe.implicit_value_and_gradients(net_loss)
for epoch in range(30):
    for x, y in tfe.Iterator(dataset):
        value, grads = value_and_grads(x, y)
        adam.apply_gradients(grads)
predicted = tf.argmax(model(points), axis=1).numpy()
print("accuracy: %.3f" % np.mean(predicted == classes))
print("variables:", len(model.variables), "eager:", tf.executing_eagerly())
