"""Weakness (issue 27): a process that leaves its group turned a 10 s limit into 105 s.

Starts a process in a new session that holds stderr open and sleeps, then loops forever.
Expected: stopped at the time limit, not later (the sandbox is killed whole), and no process
is left.
"""
import os
import time

if os.fork() == 0:
    os.setsid()
    time.sleep(600)
    os._exit(0)
while True:
    pass
