"""Finding and reading submissions without following links, and naming them safely.

The grader may run as root, and a submission folder is the student's: a file there may be
a symbolic link to `/etc/shadow`, a hard link, a FIFO or `/dev/zero`. So every folder
below the one the teacher named is opened with O_NOFOLLOW (relative to its parent's
descriptor), a submission is read only if it is a regular file with one name and at most
`MAX_BYTES`, and its text must be UTF-8. What cannot be read gets a verdict saying why,
never its content. Names are kept as the file system gave them (undecodable bytes as
surrogates) and shown with `shown()`, which escapes them.
"""
import os
import stat
from typing import NamedTuple

from lessons.exercises import EXERCISES

#: The largest submission read, in bytes.
MAX_BYTES = 1 * 2 ** 20
_NAMES = {exercise.name for exercise in EXERCISES}


class Job(NamedTuple):
    """One exercise to check on one file: `root` (a folder the user named) / `parts` (None: not handed in)."""
    exercise: str
    root: str
    parts: tuple = None
    student: str = ""

    @property
    def path(self):
        """The file's path, for messages (None when it was not handed in)."""
        return None if self.parts is None else os.path.join(self.root, *self.parts)


class Unreadable(Exception):
    """A submission the grader will not read; the message says why (never what is in it)."""


def shown(name):
    """`name` for a person to read: bytes that are not UTF-8 escaped as \\xNN."""
    return str(name).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def one_file(path):
    """A Job-ready (root, parts) for a file the user named: its folder is trusted, the file itself is not followed."""
    path = os.path.abspath(path)
    return os.path.dirname(path), (os.path.basename(path),)


def _open_folder(name, dir_fd=None):
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)


def read_submission(job):
    """The text of the job's file, or Unreadable saying why it was not read."""
    folder = None
    try:
        folder = os.open(job.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        for part in job.parts[:-1]:
            inner = _open_folder(part, folder)
            os.close(folder)
            folder = inner
        fd = os.open(job.parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC,
                     dir_fd=folder)
    except OSError as error:
        raise Unreadable(_why(error)) from None
    finally:
        if folder is not None:
            os.close(folder)
    with os.fdopen(fd, "rb") as stream:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise Unreadable("it is not a regular file (a device, a pipe or a folder), so it was not read")
        if status.st_nlink != 1:
            raise Unreadable("it has other names (a hard link), which could be another person's file, so it was "
                             "not read: hand in a copy")
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Unreadable(f"it is larger than {MAX_BYTES // 2 ** 20} MB, so it was not read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable("it is not UTF-8 text, so Python cannot read it: save it as UTF-8") from None


def _why(error):
    if error.errno == 40:  # ELOOP: O_NOFOLLOW met a symbolic link
        return "it is a symbolic link, which the grader does not follow: hand in the file itself"
    if error.errno == 20:  # ENOTDIR: a folder on the way is a link or a file
        return "a folder on its path is a symbolic link or not a folder, which the grader does not follow"
    if error.errno == 2:
        return "there is no such file"
    return f"it cannot be opened ({error.strerror})"


def exercise_files(root, parts=()):
    """({exercise: parts}, [parts of other .py files]) in the folder root/parts, links reported, never followed."""
    found, others = {}, []
    try:
        folder = _walk(root, parts)
    except OSError:
        return found, others
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries if entry.name.endswith(".py")
                           and not entry.is_dir(follow_symlinks=False))
    finally:
        os.close(folder)
    for name in names:
        stem = name[:-3]
        if stem in _NAMES:
            found[stem] = (*parts, name)
        elif name != "__init__.py":
            others.append((*parts, name))
    return found, others


def _walk(root, parts):
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts:
            inner = _open_folder(part, folder)
            os.close(folder)
            folder = inner
    except OSError:
        os.close(folder)
        raise
    return folder


def class_folder(root):
    """(student folder names, loose .py files at the top, links where a student folder should be)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    students, loose, links = [], [], []
    try:
        with os.scandir(fd) as entries:
            for entry in sorted(entries, key=lambda one: one.name):
                if entry.name.startswith((".", "__")):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    students.append(entry.name)
                elif entry.is_symlink():
                    links.append(entry.name)
                elif entry.name.endswith(".py"):
                    loose.append(entry.name)
    finally:
        os.close(fd)
    return students, loose, links
