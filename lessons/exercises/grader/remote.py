"""The judge's view of the student's sandbox: a `Submission` whose every question is one request there.

A check asks the submission for the student's functions and constants, sends graphs it
built (`send`), opens Sessions there and runs fetches (`session`), and reads a graph's
ops and Variables (`structure`). TensorFlow objects the student's code made stay in the
student's sandbox: the judge holds a `Remote` for each, with what it may check (kind,
name, op type, dtype, shape, graph, device). Every reply is untrusted data: anything
that does not have the expected form stops that file (`Stopped`), and a value is made of
built-in types and fresh NumPy arrays only.
"""
import itertools

from lessons.exercises.grader.box import wire

KINDS = ("Tensor", "Operation", "Variable", "Graph", "Session")


class StudentRaised(Exception):
    """The student's code raised an exception; `described` is the verdict's text (type, message, their line)."""

    def __init__(self, described, type_name="", diverged=False):
        super().__init__(described)
        self.described, self.type_name, self.diverged = described, type_name, diverged


class Stopped(Exception):
    """The student's sandbox answered in a way the judge cannot use (malformed, refused): the file stops."""


def _text(value, limit=2000):
    if not isinstance(value, str):
        raise wire.Malformed("a name that is not text")
    return value[:limit]


def _shape(value):
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) <= 32
            and all(size is None or (type(size) is int and size >= 0) for size in value)):
        raise wire.Malformed("a malformed shape")
    return tuple(value)


class Remote:
    """A TensorFlow object in the student's sandbox, as the judge knows it."""

    def __init__(self, data):
        if data.get("kind") not in KINDS or type(data.get("h")) is not int:
            raise wire.Malformed("a malformed reference")
        self.kind, self.handle = data["kind"], data["h"]
        self.name = _text(data.get("name", ""))
        self.op_type = _text(data.get("op", ""))
        self.dtype = _text(data.get("dtype", ""))
        self.shape = _shape(data.get("shape"))
        self.graph = data.get("graph", self.handle if self.kind == "Graph" else None)
        if self.graph is not None and type(self.graph) is not int:
            raise wire.Malformed("a malformed graph reference")
        self.trainable = data.get("trainable") is True
        self.device = _text(data.get("device", ""))

    def __eq__(self, other):
        return isinstance(other, Remote) and (self.kind, self.handle) == (other.kind, other.handle)

    def __hash__(self):
        return hash((self.kind, self.handle))

    def __repr__(self):
        return f"<{self.kind} {self.name}>" if self.name else f"<{self.kind}>"

    def compatible(self, shape):
        """Whether this tensor's static shape could be `shape` (None: any size)."""
        if self.shape is None:
            return True
        return len(self.shape) == len(shape) and all(a is None or b is None or a == b for a, b in zip(self.shape, shape))


class Callback:
    """A function of the judge's that the student's code may call (it gets only a number to call it by)."""

    def __init__(self, number, function):
        self.number, self.function = number, function


def _outgoing(value):
    if isinstance(value, Remote):
        return {"t": "ref", "h": value.handle}
    if isinstance(value, Callback):
        return {"t": "callback", "k": value.number}
    raise TypeError(f"the checker tried to send a {type(value).__name__} to the student's sandbox")


def _incoming(data):
    if data.get("t") == "ref":
        return Remote(data)
    raise wire.Malformed(f"a value of unknown kind {str(data.get('t'))[:40]!r}")


def outgoing(value):
    """`value` as wire data for the student's sandbox (Remote objects and callbacks as references)."""
    return wire.encode(value, _outgoing)


def incoming(data):
    """A value from the student's sandbox (Malformed if it has not the form of one)."""
    return wire.decode(data, _incoming)


class Student:
    """The judge's channel to the student's sandbox, through the grader: a request, callbacks, one reply."""

    def __init__(self, channel):
        self.channel = channel
        self.frames = wire.Frames()
        self.numbers = itertools.count(1)
        self.callbacks = {}

    def ask(self, message):
        """The student's reply to `message`; StudentRaised if their code raised, Stopped if the reply is unusable."""
        number = next(self.numbers)
        wire.send(self.channel, {"student": {**message, "id": number}})
        while True:
            try:
                reply = wire.receive(self.channel, self.frames)
            except wire.Malformed as error:
                raise Stopped(f"Your code's process sent the checker something it cannot read ({error}).") from None
            if reply is None:
                raise Stopped("The channel to your code's process closed.")
            if "callback" in reply:
                self._call_back(reply)
                continue
            if reply.get("id") != number:
                raise Stopped("Your code's process answered a question the checker did not ask.")
            if "refused" in reply:
                raise Stopped(f"Your code's process refused a request of the checker's: {str(reply['refused'])[:300]}")
            if isinstance(reply.get("raised"), dict):
                raised = reply["raised"]
                raise StudentRaised(str(raised.get("described", ""))[:4000], str(raised.get("type", ""))[:100],
                                    raised.get("diverged") is True)
            return reply

    def _call_back(self, reply):
        function = self.callbacks.get(reply["callback"]) if type(reply["callback"]) is int else None
        if function is None:
            raise Stopped("Your code called a function of the checker's that it was not given.")
        try:
            args, kwargs = incoming(reply.get("args")), incoming(reply.get("kwargs"))
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise wire.Malformed("a call's arguments")
        except wire.Malformed as error:
            raise Stopped(f"Your code called the checker's function with arguments it cannot read ({error}).") \
                from None
        try:
            answer = {"value": outgoing(function(*args, **{str(key): value for key, value in kwargs.items()}))}
        except Exception as error:  # what the checker's fake function raises on purpose (TrainingDiverged, say)
            answer = {"raise": {"type": type(error).__name__, "message": str(error)}}
        wire.send(self.channel, {"student": answer})

    def value(self, message):
        """The decoded 'value' of the reply to `message`."""
        try:
            return incoming(self.ask(message).get("value"))
        except wire.Malformed as error:
            raise Stopped(f"Your code's process sent a value the checker cannot read ({error}).") from None
