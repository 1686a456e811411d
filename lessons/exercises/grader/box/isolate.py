"""Fresh namespaces, private mounts, no capabilities and resource limits for one forked process.

The fork server (`box.zygote`) calls these in each child it forks for a submission, in
order: `enter_namespaces` (a user namespace of its own mapping one unprivileged uid, then
fresh mount, PID, IPC, network, UTS and cgroup namespaces), a fork so that the next
process is PID 1 of the new PID namespace (when it ends, the kernel kills everything the
submission started), `private_mounts` (its own /proc, /tmp and /dev/shm), then
`drop_capabilities` and `set_limits`. Inside the bubblewrap sandbox the fork server runs
in, that gives every submission the guarantees of a sandbox of its own without paying
TensorFlow's import again.
"""
import ctypes
import os
import resource
import signal

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x10000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x1000, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
_CAPABILITY_VERSION_3 = 0x20080522
#: The uid and gid a submission's process has inside its namespace: not root.
INSIDE_ID = 1000


class IsolationFailed(OSError):
    """A step of the isolation did not work; the child must not run a submission then."""


def _check(result, what):
    if result != 0:
        number = ctypes.get_errno()
        raise IsolationFailed(number, f"cannot {what}: {os.strerror(number)}")


def _write(path, text):
    with open(path, "w", encoding="ascii") as stream:
        stream.write(text)


def die_with_parent():
    """Be killed (SIGKILL) when the parent process ends."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "ask to die with the parent")


def enter_namespaces():
    """Unshare a user namespace (one unprivileged uid, no nested user namespaces), then mount, PID, IPC, net, UTS."""
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(CLONE_NEWUSER), "make a user namespace")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{INSIDE_ID} {uid} 1")
    _write("/proc/self/gid_map", f"{INSIDE_ID} {gid} 1")
    try:  # no user namespace may be made from inside this one (the capabilities to undo it are dropped later)
        _write("/proc/sys/user/max_user_namespaces", "0")
    except OSError as error:
        raise IsolationFailed(error.errno, f"cannot forbid nested user namespaces: {error.strerror}") from None
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWCGROUP),
           "make mount, PID, IPC, network, UTS and cgroup namespaces")


def _mount(source, target, kind, flags, options=None):
    _check(_libc.mount(source and source.encode(), target.encode(), kind and kind.encode(), flags,
                       options and options.encode()), f"mount {target}")


def private_mounts(tmp_bytes):
    """In PID 1 of the new namespaces: its own /proc, and empty size-limited /tmp and /dev/shm."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(tmp_bytes)},mode=1777")
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
               f"size={max(1, int(tmp_bytes) // 4)},mode=1777")


def private_view(stage, sources):
    """As root: in a mount namespace of its own, a tmpfs on `stage` with sources[i] bind-mounted on stage/i."""
    _check(_libc.unshare(CLONE_NEWNS), "make a mount namespace")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for index, source in enumerate(sources):
        target = os.path.join(stage, str(index))
        if os.path.isdir(source):
            os.mkdir(target, 0o755)
        else:
            open(target, "w").close()
        _mount(source, target, None, MS_BIND | MS_REC)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities():
    """Give up every capability for good (bounding set, then all sets) and forbid gaining any (no_new_privs)."""
    for capability in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    empty = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(_CapHeader(_CAPABILITY_VERSION_3, 0)), empty), "drop capabilities")
    no_new_privileges()


def no_new_privileges():
    """Forbid this process and its children from gaining privileges (setuid programs, file capabilities)."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "set no_new_privs")


def become(uid, gid):
    """As root: become `uid`/`gid` with no supplementary groups, which drops root's capabilities."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    no_new_privileges()


def virtual_size():
    """This process's virtual memory size in bytes."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def set_limits(limits):
    """rlimits from `limits`: memory beyond what is mapped now, processes, file size, CPU seconds, no core files."""
    memory = virtual_size() + int(limits["memory"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NPROC, (int(limits["processes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(limits["file_size"]),) * 2)
    cpu = int(limits["cpu"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
