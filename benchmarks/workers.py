"""The throughput benchmark's worker processes: one per implementation, answering the coordinator's requests.

A worker is started with `spawn`, builds one backend (`BACKENDS`), then runs
`(method, kwargs)` requests on it, one at a time, until it receives None. Its output
goes to a log file beside the TensorBoard runs, kept when the benchmark fails.
"""
import importlib
import multiprocessing
import os
import sys
import traceback
from pathlib import Path

# kind -> "module:class" of the backend a worker of that kind builds.
BACKENDS = {"session": "benchmarks.sessions:SessionBackend", "levers": "benchmarks.levers:LeverBackend",
            "keras": "benchmarks.frameworks:KerasBackend", "torch": "benchmarks.frameworks:TorchBackend"}


def build_backend(kind, options):
    """The backend object of `kind`, built with `options`."""
    module, _, name = BACKENDS[kind].partition(":")
    return getattr(importlib.import_module(module), name)(**options)


def worker_main(kind, options, connection, log_path):
    """A worker process: output to `log_path`, then answer (method, kwargs) requests until None."""
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        backend = build_backend(kind, options)
        connection.send(("ok", backend.info()))
    except BaseException:  # noqa: BLE001 - reported to the coordinator
        connection.send(("error", traceback.format_exc()))
        return
    while True:
        request = connection.recv()
        if request is None:
            return
        method, kwargs = request
        try:
            connection.send(("ok", getattr(backend, method)(**kwargs)))
        except BaseException:  # noqa: BLE001
            connection.send(("error", traceback.format_exc()))
        sys.stdout.flush()


class Worker:
    """The coordinator's handle on one worker process."""

    def __init__(self, name, kind, logdir, **options):
        if kind in ("session", "levers"):
            options["logdir"] = str(Path(logdir) / f"{name}-runs")
        context = multiprocessing.get_context("spawn")
        self.name, self.log = name, Path(logdir) / f"{name}.log"
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(kind, options, child, str(self.log)), daemon=True)
        self.process.start()
        self._info = None

    def _answer(self):
        """The next answer, or RuntimeError with the worker's traceback."""
        status, value = self.connection.recv()
        if status != "ok":
            raise RuntimeError(f"worker {self.name} failed:\n{value}\n(log: {self.log})")
        return value

    @property
    def info(self):
        """What the backend said about itself once it was built (waits until it is)."""
        if self._info is None:
            self._info = self._answer()
        return self._info

    def send(self, method, **kwargs):
        """Queue a request; `receive` returns the answers in the order they were asked."""
        self.info  # noqa: B018 - wait until the worker is up
        self.connection.send((method, kwargs))

    def receive(self):
        """The answer to the oldest request not yet received."""
        return self._answer()

    def call(self, method, **kwargs):
        """Send one request and wait for its answer."""
        self.send(method, **kwargs)
        return self._answer()

    def close(self):
        """Ask the worker to stop; end it (by its own process) if it has not within 30 s."""
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()
