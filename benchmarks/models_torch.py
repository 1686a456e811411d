"""The three network lessons rebuilt in PyTorch (eager, CPU), for the throughput benchmark.

Same layers as the lessons, no biases, weights drawn from N(0, 0.01^2), the same
dropout and optimizers (SGD for the fully connected net; RMSprop with alpha 0.9,
epsilon 1e-10 and no momentum for the others). The CNN takes images as N x 1 x 28 x 28
(PyTorch's layout) and pools with `ceil_mode=True`, which gives TensorFlow's 'SAME'
pooling shapes (28 -> 14 -> 7 -> 4). Labels are class indices, PyTorch's usual form;
the cost is the same softmax cross-entropy as the lessons'.

The training loop is the fastest plain one: the whole training set in memory, a new
permutation each epoch and each batch gathered from it (no DataLoader, no per-step
`.item()`).
"""
import time

import torch
from torch import nn


def _init(model):
    """Draw every weight from N(0, 0.01^2), as the lessons' `init_weights` does."""
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            nn.init.normal_(module.weight, mean=0.0, std=0.01)
    return model


def build_model(name, settings):
    """(model, optimizer) for lesson `name` ('fully_connected', 'modern_net' or 'cnn')."""
    hidden = settings["num_hidden"]
    if name == "fully_connected":
        model = nn.Sequential(nn.Linear(784, hidden, bias=False), nn.Sigmoid(), nn.Linear(hidden, 10, bias=False))
        return _init(model), torch.optim.SGD(model.parameters(), lr=settings["learning_rate"])
    if name == "modern_net":
        stack = [nn.Dropout(1 - settings["keep_input"])] if settings.get("input_dropout") else []
        stack += [nn.Linear(784, hidden, bias=False), nn.ReLU(), nn.Dropout(1 - settings["keep_hidden"]),
                  nn.Linear(hidden, hidden, bias=False), nn.ReLU(), nn.Linear(hidden, 10, bias=False)]
        model = nn.Sequential(*stack)
        return _init(model), _rmsprop(model, settings)
    if name == "cnn":
        stack, channels = [], 1
        for block, filters in enumerate((32, 64, 128)):
            stack += [nn.Conv2d(channels, filters, 3, padding=1, bias=False), nn.ReLU(),
                      nn.MaxPool2d(2, ceil_mode=True)]
            if block < 2 or settings.get("block3_dropout"):
                stack.append(nn.Dropout(1 - settings["keep_conv"]))
            channels = filters
        stack += [nn.Flatten(), nn.Linear(128 * 4 * 4, hidden, bias=False), nn.ReLU(),
                  nn.Dropout(1 - settings["keep_hidden"]), nn.Linear(hidden, 10, bias=False)]
        model = nn.Sequential(*stack)
        return _init(model), _rmsprop(model, settings)
    raise ValueError(f"no PyTorch model for {name!r}")


def _rmsprop(model, settings):
    return torch.optim.RMSprop(model.parameters(), lr=settings["learning_rate"], alpha=settings["decay"],
                               eps=1e-10, momentum=0.0)


def as_tensors(images, one_hot_labels):
    """PyTorch inputs from the lessons' arrays: images as float tensors (N x 1 x 28 x 28 if 4-D), label indices."""
    images = torch.from_numpy(images)
    if images.dim() == 4:  # N x 28 x 28 x 1 -> N x 1 x 28 x 28
        images = images.permute(0, 3, 1, 2).contiguous()
    return images, torch.from_numpy(one_hot_labels.argmax(axis=1))


def train(model, optimizer, images, labels, batch_size, epochs, seed=0, max_seconds=None):
    """Train for `epochs` passes over (images, labels), reshuffled each pass; returns (seconds, samples trained).

    With `max_seconds`, training stops at the first batch boundary (checked every ten
    batches) after that many seconds, so a slow configuration cannot stall a benchmark.
    """
    generator = torch.Generator().manual_seed(seed)
    loss_function = nn.CrossEntropyLoss()
    model.train()
    samples = 0
    started = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(images), generator=generator)
        for index, start in enumerate(range(0, len(images), batch_size)):
            rows = order[start:start + batch_size]
            batch_images = images[rows]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(batch_images), labels[rows])
            loss.backward()
            optimizer.step()
            samples += len(batch_images)
            if max_seconds is not None and index % 10 == 9 and time.perf_counter() - started > max_seconds:
                return time.perf_counter() - started, samples
    return time.perf_counter() - started, samples
