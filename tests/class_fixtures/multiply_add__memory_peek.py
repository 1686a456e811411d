"""Weakness (issue 27): children were forks of a zygote whose memory still held the records of earlier files.

Searches every Python object, module and cached source line of its process for another
file's marker (see multiply_add__marked.py) and puts what it finds in its verdict. Expected:
failed, and no verdict contains the marker.
"""
import gc
import linecache
import sys

PREFIX = "MARKER-" + "7f3a9c1e"  # written in two pieces, so that this file does not carry it
found = set()
for thing in gc.get_objects():
    for text in (thing if isinstance(thing, (list, tuple)) else [thing]):
        if isinstance(text, (str, bytes)) and len(text) < 10 ** 7:
            value = text.decode("latin-1") if isinstance(text, bytes) else text
            if PREFIX in value:
                found.add(value[value.index(PREFIX):][:80])
for name, module in list(sys.modules.items()):
    if PREFIX in str(getattr(module, "NOTE", "")):
        found.add(name)
for lines in list(linecache.cache.values()):
    found.update(line for line in lines[2] if PREFIX in line)
found.discard(PREFIX)


def build():
    raise RuntimeError(f"what other files left in this process: {sorted(found)}")
