"""Attack: find the function that sends the checker's messages up the stack and send passes.

Expected (round 2): failed: no function up the stack sends verdicts; the student's side only answers questions.
"""
import os
import sys

frame = sys._getframe()
while frame is not None and not callable(frame.f_locals.get("write") or frame.f_locals.get("send")):
    frame = frame.f_back
reply = frame.f_locals.get("write") or frame.f_locals.get("send")
for index in range(3):
    reply({"result": {"description": f"check {index}", "passed": True, "hint": ""}})
reply({"done": True})
for index in range(3):
    reply({"begin": index})
    reply({"end": index})
os._exit(0)
