"""Start bubblewrap as an unprivileged user when the grader runs as root, with the files it must show staged.

    python -E -s -S launch.py OPTIONS_JSON

bubblewrap run by root would map the sandbox's user to root. So root runs bubblewrap as
an unprivileged user instead; that user may not be able to reach the files the sandbox
shows (Python installed under /root, say). This launcher, run as root, makes a private
mount namespace, mounts a small tmpfs on `stage` (a folder that holds none of the
sources) and bind-mounts each source there, then becomes `user` and executes
bubblewrap, whose command line binds the staged copies. Nothing changes outside the
launcher's own mount namespace. Run by file path, it imports `box.isolate` (beside it).
"""
import json
import os
import sys

from box import isolate


def main():
    """Stage the sources, become the user, execute bubblewrap."""
    options = json.loads(sys.argv[1])
    isolate.private_view(options["stage"], options["sources"])
    uid, gid = options["user"]
    isolate.become(uid, gid)
    os.execv(options["argv"][0], options["argv"])


if __name__ == "__main__":
    main()
