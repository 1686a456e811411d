"""The article's seven lessons, in its order; `python -m lessons` lists them."""

#: Module names under `lessons`, in the article's order.
LESSONS = (
    "multiplication",
    "linear_regression",
    "multivariable_regression",
    "logistic_regression",
    "fully_connected",
    "modern_net",
    "cnn",
)

import tfgraph  # noqa: E402,F401  (first, so TensorFlow's C++ start-up log stays quiet)
