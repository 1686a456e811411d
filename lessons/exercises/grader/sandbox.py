"""How the grader starts its two fork servers: in bubblewrap sandboxes, as users of their own, or as they are.

- `BWRAP`: each fork server runs in a bubblewrap sandbox (`bwrap --unshare-all`: user,
  PID, network, IPC, UTS and cgroup namespaces, `--die-with-parent`, `--new-session`, a
  clean environment, an unprivileged uid). It sees read-only Python, its packages and
  `tfgraph`; the student's side sees the package `box` of the grader and nothing else of
  `lessons` (no checkers, no solutions); the judge sees `lessons` without the solutions
  and student files. Nothing is writable but a size-limited tmpfs; `/`, `/dev` are
  read-only. Each child it forks then isolates itself again (`box.isolate`). Run by root,
  bubblewrap runs as an unprivileged uid (students as `STUDENT_ID`, judges as
  `JUDGE_ID`) through `launch.py`.
- `USERS` (root without bubblewrap, as in a Gradescope container that forbids user
  namespaces): no namespaces; the student's children run as `STUDENT_ID`, the judge as
  `JUDGE_ID`, each in its own process group, with rlimits.
- `NONE`: no isolation at all (`--no-sandbox`, or checking one's own file without bubblewrap).

`TFGRAPH_BWRAP` names the bubblewrap to use; set it to `none` (or empty) to act as if
bubblewrap were missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BWRAP, USERS, NONE = "bwrap", "users", "none"
BWRAP_VARIABLE = "TFGRAPH_BWRAP"
#: The unprivileged uid (and gid) students' sandboxes run as when the grader is root; the judge's.
STUDENT_ID, JUDGE_ID = 65534, 65533
#: Where the checkout's pieces appear inside a sandbox.
SOURCE, BOX_ROOT = "/opt/tfgraph/src", "/opt/tfgraph/grader"
GRADER = Path(__file__).resolve().parent
CHECKOUT = GRADER.parents[2]  # the folder holding `lessons` and `tfgraph`
_SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")
_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
                "TF_CPP_MIN_LOG_LEVEL": "2", "OMP_NUM_THREADS": "2"}
_probed = {}

GIVEN_UP = ("--no-sandbox: the students' code runs as you, beside your files, your network and your processes. "
            "It can read and change other students' work, the grader and your grades, and leave processes behind. "
            "Use it only for code you trust.")


class Refused(Exception):
    """Grading that needs a sandbox, where there is none; the message says how to get one."""


def environment():
    """The whole environment of a sandbox: a few fixed variables, and the host's LD_LIBRARY_PATH if Python needs it."""
    found = dict(_ENVIRONMENT)
    if os.environ.get("LD_LIBRARY_PATH"):
        found["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
    return found


def bwrap_path():
    """The bubblewrap to use: $TFGRAPH_BWRAP if set ('none' or empty: none), else `bwrap` on the PATH."""
    chosen = os.environ.get(BWRAP_VARIABLE)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "none") else chosen
    return shutil.which("bwrap")


def bwrap_problem():
    """None when bubblewrap can make a sandbox here, else why not (one sentence)."""
    path = bwrap_path()
    if path is None:
        return "bubblewrap (bwrap) is not installed" if BWRAP_VARIABLE not in os.environ else \
            f"bubblewrap is turned off (${BWRAP_VARIABLE}={os.environ[BWRAP_VARIABLE]!r})"
    if path not in _probed:
        command = [path, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
                   "--dev", "/dev", "--uid", "1000", "--gid", "1000", "true"]
        try:
            done = subprocess.run(command, capture_output=True, timeout=30, **_as_user(STUDENT_ID))
            _probed[path] = None if done.returncode == 0 else (
                f"bubblewrap cannot make a sandbox here ({done.stderr.decode(errors='replace').strip()[:200]})")
        except (OSError, subprocess.SubprocessError) as error:
            _probed[path] = f"bubblewrap cannot be run ({error})"
    return _probed[path]


def _as_user(uid):
    """Popen keywords that run a command as `uid` when the grader is root."""
    return {"user": uid, "group": uid, "extra_groups": []} if os.geteuid() == 0 else {}


def _within(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def python_folders():
    """The folders Python and its packages live in (never one inside `lessons`)."""
    import site
    candidates = {sys.base_prefix, sys.prefix, sys.exec_prefix, *site.getsitepackages(), site.getusersitepackages()}
    found = []
    for folder in sorted(str(Path(c).resolve()) for c in candidates if c and os.path.isdir(c)):
        if _within(folder, CHECKOUT / "lessons") or _within(folder, "/usr"):
            continue
        if not any(_within(folder, kept) for kept in found):
            found.append(folder)
    return found


def binds(role):
    """[(source on the host, place in the sandbox)] for the student's or the judge's sandbox, read-only."""
    pairs = [(folder, folder) for folder in python_folders()]
    pairs.append((str(CHECKOUT / "tfgraph"), f"{SOURCE}/tfgraph"))
    if role == "student":
        pairs.append((str(GRADER / "box"), f"{BOX_ROOT}/box"))
    else:
        pairs.append((str(CHECKOUT / "lessons"), f"{SOURCE}/lessons"))
    return pairs


def hidden(role):
    """Folders covered by an empty tmpfs: what a bound folder would show of `lessons` that `role` must not see."""
    lessons = str(CHECKOUT / "lessons")
    visible = [lessons] if any(_within(lessons, folder) for folder in python_folders()) else []
    if role == "student":
        return visible
    return [f"{place}/exercises/{name}" for place in visible + [f"{SOURCE}/lessons"] for name in ("solutions", "student")]


def _system_arguments():
    arguments = ["--ro-bind", "/usr", "/usr"]
    for path in _SYSTEM_LINKS:
        if os.path.islink(path):
            arguments += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            arguments += ["--ro-bind", path, path]
    for path in _ETC:
        arguments += ["--ro-bind-try", path, path]
    return arguments


def bwrap_argv(bwrap, role, sources, command, tmp_bytes):
    """bubblewrap's command line for `role`; `sources` maps each bind's host path to the path bwrap should bind."""
    arguments = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
                 "--hostname", "grader", "--uid", "1000", "--gid", "1000"]
    for name, value in environment().items():
        arguments += ["--setenv", name, value]
    arguments += _system_arguments()
    for source, place in binds(role):
        arguments += ["--ro-bind", sources.get(source, source), place]
    for folder in hidden(role):
        arguments += ["--tmpfs", folder, "--remount-ro", folder]
    arguments += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
                  "--size", str(int(tmp_bytes)), "--tmpfs", "/tmp", "--remount-ro", "/",
                  "--chdir", BOX_ROOT if role == "student" else SOURCE]
    return arguments + command


def _stage_folder(sources):
    """A folder on which the launcher can mount its staging tmpfs: one that holds none of the sources."""
    for folder in ("/mnt", "/media", "/srv", "/opt", "/home", "/var/tmp", "/tmp"):
        if os.path.isdir(folder) and not os.path.islink(folder) and not any(_within(s, folder) for s in sources):
            return folder
    raise OSError("no folder to stage the sandbox's files on")


def zygote_command(role, mode, control_fd, exercises):
    """(argv, cwd) of the fork server of `role` ('student' or 'judge') in `mode`."""
    python = str(Path(sys.executable).resolve())
    root = os.geteuid() == 0
    options = {"control": control_fd, "exercises": list(exercises or []),
               "isolation": {BWRAP: "namespaces", USERS: "user", NONE: "none"}[mode]}
    if role == "student":
        options["role"] = "box.student" if mode == BWRAP else "lessons.exercises.grader.box.student"
        options["path"] = [SOURCE] if mode == BWRAP else []
        if mode == USERS:
            options["child_user"] = [STUDENT_ID, STUDENT_ID]
        module = "box.zygote" if mode == BWRAP else "lessons.exercises.grader.box.zygote"
    else:
        options["role"] = "lessons.exercises.grader.judge"
        if mode == USERS:
            options["drop_to"] = [JUDGE_ID, JUDGE_ID]
        module = "lessons.exercises.grader.box.zygote"
    command = [python, "-E", "-s", "-B", "-m", module, json.dumps(options)]
    if mode != BWRAP:
        return command, str(CHECKOUT)
    sources = {}
    if root:
        hosts = [source for source, _ in binds(role)]
        stage = _stage_folder(hosts)
        sources = {source: f"{stage}/{index}" for index, source in enumerate(hosts)}
    argv = bwrap_argv(bwrap_path(), role, sources, command, 64 * 2 ** 20)
    if root:
        launcher = {"stage": stage, "sources": hosts, "user": [STUDENT_ID if role == "student" else JUDGE_ID] * 2,
                    "argv": argv}
        argv = [python, "-E", "-s", "-S", str(GRADER / "launch.py"), json.dumps(launcher)]
    return argv, "/"


def start_zygote(role, mode, control_fd, exercises=()):
    """Start the fork server of `role`; return (Popen, its stderr file)."""
    argv, cwd = zygote_command(role, mode, control_fd, exercises)
    stderr = tempfile.TemporaryFile()
    process = subprocess.Popen(argv, cwd=cwd, env=environment(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=stderr, pass_fds=[control_fd], start_new_session=True)
    return process, stderr


def owned(paths):
    """Whether every path (not followed) belongs to the user running this."""
    try:
        return all(os.lstat(path).st_uid == os.geteuid() for path in paths)
    except OSError:
        return False


def choose(no_sandbox, what, own):
    """The mode to grade `what` in: bubblewrap if it works; else none for one's `own` files; else Refused."""
    if no_sandbox:
        print(f"Warning: {GIVEN_UP}", file=sys.stderr)
        return NONE
    problem = bwrap_problem()
    if problem is None:
        return BWRAP
    if own:
        return NONE
    blocked = " (on Ubuntu 23.10 and later, let it make user namespaces: docs/teachers.md, \"Bubblewrap on " \
              "Linux\")" if "cannot make a sandbox" in problem else ""
    raise Refused(
        f"grading {what} needs a sandbox, and {problem}. Without one, a student's code would run as you, able to "
        f"read and change your files, other students' work and the grades. Install bubblewrap (Debian and Ubuntu: "
        f"sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap){blocked}, or grade in the "
        f"project's container (docs/teachers.md, \"The container\"), or add --no-sandbox to grade without that "
        f"isolation.")
