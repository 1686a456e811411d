"""The throughput benchmark's other frameworks: the lessons' models in Keras 3 (C) and PyTorch eager (D).

Each backend runs in a worker process of its own (benchmarks/workers.py), so one
framework's thread pools and settings cannot touch another's.
"""
from benchmarks.machine import Stopwatch
from benchmarks.sessions import load_training_set, training_subset


def _determinism_enabled():
    """Whether TensorFlow's op determinism is on (not exported under tf.config in this version)."""
    from tensorflow.python.framework import config

    return config.is_op_determinism_enabled()


class KerasBackend:
    """C: the lessons' models in Keras 3, trained with `model.fit` on in-memory arrays."""

    def __init__(self):
        import keras
        import tensorflow as tf

        from benchmarks import models_keras

        keras.utils.set_random_seed(0)
        self.keras, self.tf, self.models_keras = keras, tf, models_keras
        self.models, self._data = {}, {}

    def info(self):
        """Keras's version and backend, and the process's TensorFlow thread and determinism settings."""
        tf = self.tf
        return {"keras": self.keras.__version__, "backend": self.keras.backend.backend(),
                "intra": tf.config.threading.get_intra_op_parallelism_threads(),
                "inter": tf.config.threading.get_inter_op_parallelism_threads(),
                "determinism": _determinism_enabled()}

    def setup(self, model, settings):
        """Build and warm up the Keras model of lesson `model` with the lesson's `settings`."""
        reshape = model != "cnn"
        if reshape not in self._data:
            self._data[reshape] = load_training_set(reshape)
        images, labels = self._data[reshape]
        net = self.models_keras.build_model(model, settings)
        batch = settings["batch_size"]
        net.fit(images[:3 * batch], labels[:3 * batch], batch_size=batch, epochs=1, verbose=0)  # trace once
        self.models[model] = (net, batch)
        return {"jit_compile": bool(net.jit_compile), "steps_per_execution": int(net.steps_per_execution)}

    def measure(self, impl, model, size, epochs, seed):
        """One `model.fit` measurement on `size` training images for `epochs`."""
        net, batch = self.models[model]
        images, labels = training_subset(*self._data[model != "cnn"], size, seed)
        with Stopwatch() as watch:
            seconds = self.models_keras.train(net, images, labels, batch, epochs)
        return dict(watch.stats, samples=epochs * len(images), seconds=seconds)


class TorchBackend:
    """D: the lessons' models in PyTorch eager on the CPU."""

    def __init__(self, threads=None):
        import torch

        from benchmarks import models_torch

        if threads:
            torch.set_num_threads(threads)
            torch.set_num_interop_threads(threads)
        torch.manual_seed(0)
        self.torch, self.models_torch = torch, models_torch
        self.models, self._data = {}, {}

    def info(self):
        """PyTorch's version and thread counts."""
        torch = self.torch
        return {"torch": torch.__version__, "threads": torch.get_num_threads(),
                "interop_threads": torch.get_num_interop_threads()}

    def setup(self, model, settings):
        """Build and warm up the PyTorch model of lesson `model` with the lesson's `settings`."""
        reshape = model != "cnn"
        if reshape not in self._data:
            self._data[reshape] = load_training_set(reshape)
        net, optimizer = self.models_torch.build_model(model, settings)
        batch = settings["batch_size"]
        images, labels = self.models_torch.as_tensors(*self._data[reshape])
        self.models_torch.train(net, optimizer, images[:5 * batch], labels[:5 * batch], batch, 1)  # warm up
        self.models[model] = (net, optimizer, batch)
        return {}

    def measure(self, impl, model, size, epochs, seed, max_seconds=None):
        """One measurement on `size` training images for `epochs`, stopped after `max_seconds` if given."""
        net, optimizer, batch = self.models[model]
        images, labels = self.models_torch.as_tensors(*training_subset(*self._data[model != "cnn"], size, seed))
        with Stopwatch() as watch:
            seconds, samples = self.models_torch.train(net, optimizer, images, labels, batch, epochs, seed,
                                                       max_seconds)
        return dict(watch.stats, samples=samples, seconds=seconds, capped=samples < epochs * len(images))
