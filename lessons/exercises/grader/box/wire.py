"""Frames and values as the grader's processes exchange them: length-prefixed JSON, bounded in size and depth.

Every message is one JSON object, sent as a 4-byte big-endian length and its UTF-8 bytes.
A reader refuses a frame longer than `MAX_FRAME`, text that is not JSON, and JSON nested
deeper than `MAX_DEPTH` (`Malformed`), so whatever a student's process writes can cost the
reader no more than one bounded frame.

Values (what a student's function returned, the arguments the judge passes) travel as
plain data: numbers, strings, NumPy arrays and tagged lists, tuples and dicts. Nothing is
pickled, and a decoded value is made of built-in types and fresh arrays only, so no
object of the sender's reaches the receiver. Each side adds its own tags for objects it
keeps at home (`other`): TensorFlow objects stay in the student's process as references.
"""
import base64
import collections
import json
import struct

import numpy as np

#: The longest frame a reader accepts (bytes).
MAX_FRAME = 64 * 2 ** 20
#: The deepest nesting of JSON a reader accepts.
MAX_DEPTH = 40
#: The deepest nesting of values an encoder follows (deeper ones become an opaque "deeply nested value").
MAX_VALUE_DEPTH = 16
#: The most items an encoder writes for one value.
MAX_ITEMS = 2_000_000
_HEADER = struct.Struct(">I")
_NUMBER_KINDS = "biufc"


class Malformed(Exception):
    """A frame or value that breaks the format (too long, not JSON, too deep, wrong shape); the message says how."""


class TooBig(Exception):
    """A value with more items than one message may carry."""


def pack(message):
    """`message` (a dict) as one frame's bytes."""
    data = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_FRAME:
        raise TooBig(f"a message of {len(data) / 2 ** 20:.0f} MB, more than the {MAX_FRAME // 2 ** 20} MB allowed")
    return _HEADER.pack(len(data)) + data


def _check_depth(value):
    """Malformed if `value` (parsed JSON) nests deeper than MAX_DEPTH."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Malformed(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def parse(data):
    """The message in one frame's body, or Malformed."""
    try:
        message = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise Malformed("a frame that is not UTF-8") from None
    except RecursionError:
        raise Malformed("JSON nested too deeply to read") from None
    except ValueError as error:
        raise Malformed(f"a frame that is not JSON ({error})") from None
    _check_depth(message)
    if not isinstance(message, dict):
        raise Malformed("a frame that is not a JSON object")
    return message


class Frames:
    """Splits a byte stream into frame bodies (`ready`), refusing any longer than `limit`."""

    def __init__(self, limit=MAX_FRAME):
        self.limit = limit
        self.buffer = bytearray()
        self.ready = collections.deque()

    def feed(self, data):
        """Add bytes read from the stream; complete frame bodies are appended to `ready`."""
        self.buffer.extend(data)
        while len(self.buffer) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(self.buffer)
            if length > self.limit:
                raise Malformed(f"a frame of {length / 2 ** 20:.0f} MB, more than the {self.limit // 2 ** 20} MB "
                                f"allowed")
            if len(self.buffer) < _HEADER.size + length:
                return
            self.ready.append(bytes(self.buffer[_HEADER.size:_HEADER.size + length]))
            del self.buffer[:_HEADER.size + length]


def receive(sock, frames):
    """The next message on a blocking socket (`frames` keeps what was read past it); None at the end."""
    while not frames.ready:
        data = sock.recv(1 << 20)
        if not data:
            return None
        frames.feed(data)
    return parse(frames.ready.popleft())


def pack_body(body):
    """A frame body (bytes) with its length in front again."""
    return _HEADER.pack(len(body)) + body


def send(sock, message):
    """Write `message` as one frame on a blocking socket."""
    sock.sendall(pack(message))


class Opaque:
    """Stands for a value that cannot travel (a function, an object of a class of its own): only its type's name."""

    def __init__(self, type_name):
        self.type_name = str(type_name)[:80]

    def __repr__(self):
        return f"<a {self.type_name}>"


def encode(value, other=None, budget=None, depth=0):
    """`value` as JSON-ready data; `other(value)` encodes what is not plain data (or returns None)."""
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0:
        raise TooBig(f"a value of more than {MAX_ITEMS:,} items")
    if value is None or isinstance(value, (bool, str, float)):
        return value if not isinstance(value, str) or type(value) is str else str(value)
    if isinstance(value, int):
        return int(value) if -2 ** 63 <= value < 2 ** 63 else {"t": "object", "type": "int too large to copy"}
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in _NUMBER_KINDS:
        array = np.asarray(value)
        budget[0] -= array.size
        if budget[0] < 0:
            raise TooBig(f"an array of {array.size:,} numbers")
        return {"t": "np", "dtype": array.dtype.str, "shape": list(array.shape),
                "scalar": isinstance(value, np.generic), "data": base64.b64encode(array.tobytes(order="C")).decode("ascii")}
    if depth >= MAX_VALUE_DEPTH:
        return {"t": "object", "type": "deeply nested value"}
    if isinstance(value, (list, tuple)):
        return {"t": "tuple" if isinstance(value, tuple) else "list",
                "v": [encode(item, other, budget, depth + 1) for item in value]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode(key, other, budget, depth + 1), encode(item, other, budget, depth + 1)]
                                   for key, item in value.items()]}
    encoded = other(value) if other is not None else None
    return encoded if encoded is not None else {"t": "object", "type": type(value).__name__[:80]}


def _array(data):
    dtype = np.dtype(str(data["dtype"]))
    if dtype.kind not in _NUMBER_KINDS or dtype.itemsize > 16:
        raise Malformed(f"an array of dtype {data['dtype']!r}")
    shape = data["shape"]
    if not (isinstance(shape, list) and len(shape) <= 32 and all(type(n) is int and n >= 0 for n in shape)):
        raise Malformed("an array with a malformed shape")
    raw = base64.b64decode(str(data["data"]), validate=True)
    if len(raw) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise Malformed("an array whose data does not fit its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return array[()] if data.get("scalar") is True and array.ndim == 0 else array


def decode(data, other=None):
    """The value `encode` wrote; `other(data)` decodes the tags it added (or raises Malformed)."""
    if data is None or type(data) in (bool, str, int, float):
        return data
    if not isinstance(data, dict):
        raise Malformed(f"a value of JSON type {type(data).__name__}")
    kind = data.get("t")
    try:
        if kind in ("list", "tuple"):
            items = [decode(item, other) for item in data["v"]]
            return items if kind == "list" else tuple(items)
        if kind == "dict":
            pairs = [(decode(key, other), decode(item, other)) for key, item in data["v"]]
            return {key: item for key, item in pairs}
        if kind == "np":
            return _array(data)
        if kind == "object":
            return Opaque(data.get("type", "object"))
    except (KeyError, TypeError, ValueError) as error:
        raise Malformed(f"a value that cannot be read ({type(error).__name__}: {str(error)[:200]})") from None
    if other is not None:
        return other(data)
    raise Malformed(f"a value of unknown kind {str(kind)[:40]!r}")
