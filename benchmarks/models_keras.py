"""The three network lessons rebuilt in Keras 3, for the throughput benchmark.

Each model has the lesson's layers, no biases, weights drawn from N(0, 0.01^2), its
dropout and its optimizer: plain SGD for the fully connected net, RMSprop (rho 0.9,
epsilon 1e-10, no momentum) for the others. The lessons' two defects are kept by
default as they are in the lessons (the modern net's input dropout and the CNN's
third-block dropout are computed there but never used), and follow the same flags.

Known differences that do not change the arithmetic: Keras's RMSprop starts its
running average at 0 where TensorFlow 1's started it at 1, and adds epsilon outside
the square root. Neither changes the cost of a step.
"""
import time

import keras
from keras import layers


def _weights(seed):
    """An initializer drawing from N(0, 0.01^2), as the lessons' `init_weights` does."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.01, seed=seed)


def _dense(units, activation=None, seed=None):
    return layers.Dense(units, activation=activation, use_bias=False, kernel_initializer=_weights(seed))


def _conv(filters, seed):
    return layers.Conv2D(filters, 3, padding="same", activation="relu", use_bias=False,
                         kernel_initializer=_weights(seed))


def build_model(name, settings, seed=0):
    """A compiled Keras model for lesson `name` ('fully_connected', 'modern_net' or 'cnn').

    `settings` holds the lesson's hyperparameters as its flags name them (learning_rate,
    num_hidden, decay, keep probabilities, input_dropout / block3_dropout).
    """
    hidden = settings["num_hidden"]
    if name == "fully_connected":
        stack = [keras.Input((784,)), _dense(hidden, "sigmoid", seed), _dense(10, seed=seed + 1)]
        optimizer = keras.optimizers.SGD(learning_rate=settings["learning_rate"])
    elif name == "modern_net":
        stack = [keras.Input((784,))]
        if settings.get("input_dropout"):
            stack.append(layers.Dropout(1 - settings["keep_input"]))
        stack += [_dense(hidden, "relu", seed), layers.Dropout(1 - settings["keep_hidden"]),
                  _dense(hidden, "relu", seed + 1), _dense(10, seed=seed + 2)]
        optimizer = _rmsprop(settings)
    elif name == "cnn":
        keep_conv = settings["keep_conv"]
        stack = [keras.Input((28, 28, 1))]
        for block, filters in enumerate((32, 64, 128)):
            stack += [_conv(filters, seed + block), layers.MaxPooling2D(2, padding="same")]
            if block < 2 or settings.get("block3_dropout"):
                stack.append(layers.Dropout(1 - keep_conv))
        stack += [layers.Flatten(), _dense(hidden, "relu", seed + 3), layers.Dropout(1 - settings["keep_hidden"]),
                  _dense(10, seed=seed + 4)]
        optimizer = _rmsprop(settings)
    else:
        raise ValueError(f"no Keras model for {name!r}")
    model = keras.Sequential(stack, name=name)
    model.compile(optimizer=optimizer, loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    return model


def _rmsprop(settings):
    return keras.optimizers.RMSprop(learning_rate=settings["learning_rate"], rho=settings["decay"],
                                    epsilon=1e-10, momentum=0.0)


class EpochTimer(keras.callbacks.Callback):
    """Adds up the seconds spent inside epochs (so `fit`'s one-off data setup is left out)."""

    def __init__(self):
        super().__init__()
        self.seconds = 0.0
        self._started = None

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds += time.perf_counter() - self._started


def train(model, images, labels, batch_size, epochs):
    """`model.fit` on in-memory arrays, reshuffled each epoch, no progress bar; returns seconds inside epochs."""
    timer = EpochTimer()
    model.fit(images, labels, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0, callbacks=[timer])
    return timer.seconds
