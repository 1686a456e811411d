"""RNN cells and loops of TensorFlow 0.x/1.x, on the graph-mode implementation TensorFlow still ships.

`tf.compat.v1.nn.rnn_cell` fails under Keras 3, but the code behind it is still in
TensorFlow, in two private modules: ``tensorflow.python.keras.layers.legacy_rnn.
rnn_cell_impl`` (the cells: TensorFlow 1.x's own code, kept inside TensorFlow and
independent of Keras 3) and ``tensorflow.python.ops.rnn`` (``static_rnn``,
``dynamic_rnn``, ...). They build and train in a v1 Session with TensorFlow 1.x's
variable names (``rnn/basic_lstm_cell/kernel``), so checkpoints of the time load.
Private modules change without notice: if a release drops either one, every RNN
name is refused with one line that says so, and the rest of tfgraph.legacy works.
"""
import functools
import importlib
import logging
import warnings

import tensorflow as tf

from tfgraph.legacy._namespace import Namespace
from tfgraph.legacy._notes import note

v1 = tf.compat.v1
VERSION = tf.__version__
CELLS_MODULE = "tensorflow.python.keras.layers.legacy_rnn.rnn_cell_impl"
LOOPS_MODULE = "tensorflow.python.ops.rnn"
CELL_NAMES = ("RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
              "LSTMStateTuple", "DropoutWrapper", "ResidualWrapper", "DeviceWrapper")
LOOP_NAMES = ("static_rnn", "static_bidirectional_rnn", "dynamic_rnn",
              "bidirectional_dynamic_rnn", "raw_rnn", "static_state_saving_rnn")
MODERN = {"BasicRNNCell": "tf.keras.layers.SimpleRNNCell", "BasicLSTMCell": "tf.keras.layers.LSTMCell",
          "LSTMCell": "tf.keras.layers.LSTMCell", "GRUCell": "tf.keras.layers.GRUCell",
          "MultiRNNCell": "tf.keras.layers.StackedRNNCells",
          "static_rnn": "tf.keras.layers.RNN(cell, unroll=True)",
          "dynamic_rnn": "tf.keras.layers.RNN(cell)",
          "static_bidirectional_rnn": "tf.keras.layers.Bidirectional",
          "bidirectional_dynamic_rnn": "tf.keras.layers.Bidirectional",
          "OutputProjectionWrapper": "tf.keras.layers.Dense on the RNN's outputs",
          "EmbeddingWrapper": "tf.keras.layers.Embedding before the RNN"}

OTHERS = (f"tfgraph.legacy runs TensorFlow 1.x's basic cells ({', '.join(CELL_NAMES)}, "
          f"OutputProjectionWrapper, EmbeddingWrapper) and loops ({', '.join(LOOP_NAMES)}); the "
          f"other contrib cells (LayerNormBasicLSTMCell, AttentionCellWrapper, ...) are not in "
          f"TensorFlow {VERSION}. In TensorFlow 2, use tf.keras.layers.LSTMCell with "
          f"tf.keras.layers.LayerNormalization, and tf.keras.layers.Attention.")


def dropped_reason(error):
    """Why every RNN name is refused when TensorFlow no longer ships the private modules."""
    return (f"tfgraph.legacy runs TensorFlow 1.x's RNN cells on TensorFlow's private modules "
            f"{CELLS_MODULE} and {LOOPS_MODULE}, and TensorFlow {VERSION} no longer has them "
            f"({error}). Write the recurrent part with tf.keras.layers.LSTM, GRU or SimpleRNN, "
            f"or run the script on an older TensorFlow.")


class _DeprecationFilter(logging.Filter):
    """Drops TensorFlow's own deprecation lines about the RNN code (tfgraph.legacy's notes say it)."""

    def filter(self, record):
        """False for a deprecation line about the RNN code."""
        message = record.getMessage()
        return not ("deprecated" in message and any(
            word in message for word in ("rnn", "Zeros.__init__", "Constant.__init__",
                                         "add_variable", "RNNCell", "get_checkpoint_mtimes")))


def _quietly(function):
    """``function`` without TensorFlow's deprecation messages for the RNN code."""
    @functools.wraps(function)
    def call(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return function(*args, **kwargs)
    return call


def _silence():
    """Hide TensorFlow's warnings that RNN cells are deprecated: the notes already name today's spelling."""
    warnings.filterwarnings("ignore", message=r"`tf\.nn\.rnn_cell\.\w+` is deprecated")
    warnings.filterwarnings("ignore", message=r"`layer\.add_variable` is deprecated")
    logging.getLogger("tensorflow").addFilter(_DeprecationFilter())


def _own_layers(multi_rnn_cell):
    """MultiRNNCell that gives each layer its own cell when one cell object is listed twice.

    TensorFlow 1.0 made separate variables for each layer of ``MultiRNNCell([cell] *
    n)``; since 1.1 the layers share the one cell, whose weights cannot fit both the
    input and the layer below: the graph fails to build. The repeats become copies
    (same class and settings), with a note.
    """
    class MultiRNNCell(multi_rnn_cell):
        __doc__ = multi_rnn_cell.__doc__

        def __init__(self, cells, *args, **kwargs):
            cells, seen = list(cells), set()
            for i, cell in enumerate(cells):
                if id(cell) in seen:
                    note("MultiRNNCell([cell] * n)",
                         "MultiRNNCell([cell] * n) shares one cell since TensorFlow 1.1; as in "
                         "1.0, each layer gets its own copy here: write [make_cell() for _ in "
                         "range(n)]")
                    config = {k: v for k, v in cell.get_config().items() if k != "name"}
                    cells[i] = type(cell).from_config(config)
                seen.add(id(cell))
            super().__init__(cells, *args, **kwargs)
    return MultiRNNCell


def _wrappers(cells):
    """TensorFlow 1.x's OutputProjectionWrapper and EmbeddingWrapper (contrib code) on ``cells``' RNNCell.

    Their variables are named as in 1.x: ``rnn/output_projection_wrapper/kernel`` beside
    the wrapped cell's ``rnn/output_projection_wrapper/basic_lstm_cell/kernel``.
    """
    class _Wrapper(cells.RNNCell):
        def __init__(self, cell, reuse=None):
            super().__init__(_reuse=reuse)
            self._cell = cell

        @property
        def state_size(self):
            return self._cell.state_size

        @property
        def output_size(self):
            return self._cell.output_size

        def zero_state(self, batch_size, dtype):
            return self._cell.zero_state(batch_size, dtype)

    class OutputProjectionWrapper(_Wrapper):
        """tf.contrib.rnn.OutputProjectionWrapper: the cell's output through a dense layer of ``output_size`` units."""

        def __init__(self, cell, output_size, activation=None, reuse=None):
            super().__init__(cell, reuse)
            self._projected_size, self._activation = output_size, activation

        @property
        def output_size(self):
            return self._projected_size

        def call(self, inputs, state):
            output, new_state = self._cell(inputs, state)
            width = tf.compat.dimension_value(output.shape[-1])
            kernel = v1.get_variable("kernel", [width, self._projected_size], dtype=output.dtype)
            bias = v1.get_variable("bias", [self._projected_size], dtype=output.dtype,
                                   initializer=v1.zeros_initializer())
            projected = tf.nn.bias_add(tf.matmul(output, kernel), bias)
            return (self._activation(projected) if self._activation else projected), new_state

    class EmbeddingWrapper(_Wrapper):
        """tf.contrib.rnn.EmbeddingWrapper: integer inputs looked up in an embedding, then the cell."""

        def __init__(self, cell, embedding_classes, embedding_size, initializer=None, reuse=None):
            super().__init__(cell, reuse)
            self._classes, self._size, self._initializer = (embedding_classes, embedding_size,
                                                            initializer)

        def call(self, inputs, state):
            dtype = tf.nest.flatten(state)[0].dtype
            initializer = (self._initializer or v1.get_variable_scope().initializer
                           or v1.random_uniform_initializer(-3 ** 0.5, 3 ** 0.5))
            embedding = v1.get_variable("embedding", [self._classes, self._size],
                                        initializer=initializer, dtype=dtype)
            return self._cell(tf.nn.embedding_lookup(embedding, tf.reshape(inputs, [-1])), state)

    return {"OutputProjectionWrapper": OutputProjectionWrapper,
            "EmbeddingWrapper": EmbeddingWrapper}


def _renames(values, path, since):
    """Rename entries for ``values``: name -> (value, modern spelling, ``since``)."""
    return {name: (value, MODERN.get(name, f"tf.keras.layers ({name})"), since)
            for name, value in values.items()}


def namespaces(cells, loops):
    """The RNN namespaces (tf.nn.rnn_cell, tf.contrib.rnn, ...) on ``cells`` and ``loops`` modules.

    Also ``"parts"``: the cells, loops and wrappers by name, for the seq2seq code.

    ``cells`` (or ``loops``) is an exception instead when TensorFlow no longer has it:
    then every name of these namespaces is refused with the reason.
    """
    if isinstance(cells, Exception) or isinstance(loops, Exception):
        reason = dropped_reason(cells if isinstance(cells, Exception) else loops)
        spaces = {key: Namespace(path, refusal=reason) for key, path in (
            ("rnn_cell", "tf.nn.rnn_cell"), ("contrib_rnn", "tf.contrib.rnn"),
            ("ops_rnn", "tensorflow.python.ops.rnn"), ("models_rnn", "tensorflow.models.rnn"))}
        spaces["nn"] = {}
        spaces["nn_refused"] = {name: reason for name in ("rnn", "bidirectional_rnn", *LOOP_NAMES)}
        spaces["parts"], spaces["dropped"] = {}, reason
        return spaces
    _silence()
    cell_values = {name: getattr(cells, name) for name in CELL_NAMES}
    cell_values["MultiRNNCell"] = _own_layers(cells.MultiRNNCell)
    loop_values = {name: _quietly(getattr(loops, name)) for name in LOOP_NAMES}
    old_loops = {"rnn": (loop_values["static_rnn"], "tf.nn.static_rnn", "1.0",
                         MODERN["static_rnn"]),
                 "bidirectional_rnn": (loop_values["static_bidirectional_rnn"],
                                       "tf.nn.static_bidirectional_rnn", "1.0",
                                       MODERN["static_bidirectional_rnn"])}
    rnn_cell = Namespace("tf.nn.rnn_cell", renames=_renames(cell_values, "tf.nn.rnn_cell", "2.0"),
                         refusal=OTHERS)
    parts = {**cell_values, **loop_values, **_wrappers(cells)}
    contrib_rnn = Namespace("tf.contrib.rnn", renames=_renames(parts, "tf.contrib.rnn", "2.0"),
                            refusal=OTHERS)
    ops_rnn = Namespace("tensorflow.python.ops.rnn", members=loop_values, renames=old_loops,
                        fallback=loops, refusal=OTHERS)
    models_rnn = Namespace("tensorflow.models.rnn",
                           members={"rnn_cell": rnn_cell, "rnn": ops_rnn}, refusal=OTHERS)
    return {"rnn_cell": rnn_cell, "contrib_rnn": contrib_rnn, "ops_rnn": ops_rnn,
            "models_rnn": models_rnn, "nn": {**loop_values}, "nn_refused": {},
            "nn_renames": old_loops, "parts": parts, "dropped": None}


def _load(name):
    """The private module ``name``, or the ImportError saying TensorFlow no longer has it."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        return e


RNN = namespaces(_load(CELLS_MODULE), _load(LOOPS_MODULE))
