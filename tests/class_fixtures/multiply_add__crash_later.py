"""Attack: leave a timer that ends the process later, to crash whoever is checked next.

Expected (round 2): failed or stopped: the timer can end only this file's own process.
"""
import os
import threading

threading.Timer(0.3, os._exit, [1]).start()


def build():
    raise NotImplementedError("the exercise is untouched")
