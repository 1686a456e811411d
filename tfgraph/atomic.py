"""Every file tfgraph writes: whole or not at all, with the permissions the umask gives ordinary files.

`tempfile.mkstemp` creates its file 0600 whatever the umask; a plot, a run's
`run.json` or a checkpoint's position file written through it would be unreadable
to a teacher or a class sharing the folder. Here the temporary file gets the mode
`open()` would have given, then replaces the target in one rename.
"""
import contextlib
import json
import os
import tempfile
from pathlib import Path


def umask_mode():
    """The permissions a new ordinary file gets under the process's umask (0o644 under 022)."""
    try:  # Linux says it without changing it
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return 0o666 & ~current


def write_atomically(path, write, binary=False, prefix=None, suffix=".tmp"):
    """Call `write(stream)` on a temporary file beside `path`, then rename it to `path`.

    `path` is whole or untouched: on any error (one `write` raises to refuse what it
    wrote, too) the temporary file is removed and the error raised. `stream.name` is
    the temporary file's path. The file gets `umask_mode()`, as `open(path, "w")`
    would give it.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix or "." + path.name, suffix=suffix)
    try:
        os.fchmod(handle, umask_mode())
        os.close(handle)
        with open(temporary, "wb" if binary else "w", encoding=None if binary else "utf-8") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.filename is None:
            error.filename = str(path)  # fsync and write errors name no file: say which one
        raise
    return path


def write_text_atomically(path, text):
    """Write the string `text` to `path` (UTF-8) whole or not at all."""
    return write_atomically(path, lambda stream: stream.write(text))


def write_json_atomically(path, data, **options):
    """Write `data` as JSON to `path` whole or not at all; `options` go to `json.dump` (indent=2, ...)."""
    return write_atomically(path, lambda stream: json.dump(data, stream, **options))
