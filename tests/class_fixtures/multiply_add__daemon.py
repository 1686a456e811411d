"""Weakness (issue 27): a daemon left behind by a correct solution killed every later file, and outlived the run.

A correct solution that leaves a daemon (double fork, new session) which, for a minute, kills
every process it can see and tries to overwrite the class folder's files. Expected: passed; the
daemon dies with this file's sandbox, so every later file keeps its verdict and no process is
left when the run ends.
"""
import os
import signal
import time

import tensorflow as tf

tf1 = tf.compat.v1


def _haunt():
    deadline = time.time() + 60
    while time.time() < deadline:
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) != os.getpid():
                try:
                    os.kill(int(name), signal.SIGKILL)
                except OSError:
                    pass
        for folder, _, names in os.walk("@CLASS@"):
            for name in names:
                try:
                    with open(os.path.join(folder, name), "w") as stream:
                        stream.write("raise SystemExit('haunted')\n")
                except OSError:
                    pass
        time.sleep(0.2)


if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        try:
            _haunt()
        finally:
            os._exit(0)
    os._exit(0)


def build():
    graph = tf.Graph()
    with graph.as_default():
        x, y, z = (tf1.placeholder(tf.float32, name=name) for name in "xyz")
        out = x * y + z
    return graph, x, y, z, out
