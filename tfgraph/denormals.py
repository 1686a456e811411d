"""Flush denormal floats to zero in the calling thread, as TensorFlow's own threads do.

Numbers below float32's smallest normal value (~1.2e-38) are "denormal": the processor
can keep them, slowly and with fewer digits, or flush them to zero. TensorFlow's thread
pools turn flushing on in every thread they start (the FTZ and DAZ bits of the x86 MXCSR
register), so an op run there turns 1e-20 * 1e-20 into 0. An op run in the thread that
called `Session.run` (`RunOptions.inter_op_thread_pool = -1`) runs with Python's
setting, flushing off, and returns 1e-40. Over a long training run such differences in
RMSProp's running averages grow into different final accuracies, which is why
tfgraph's steps on the calling thread turn flushing on for the time of each call.

MXCSR belongs to each thread, so the setting is saved before the call and restored after
it, and NumPy code between the steps runs as before. Supported where this was verified:
Linux on x86-64 with the GNU C library (its `fegetenv`/`fesetenv` and `fenv_t` layout).
"""
import ctypes
import functools
import platform
import sys

_FENV_T_BYTES = 32  # sizeof(fenv_t) on x86-64 glibc: the x87 environment, then MXCSR
_MXCSR_OFFSET = 28
_FTZ_DAZ = 0x8000 | 0x0040  # MXCSR's flush-to-zero and denormals-are-zero bits


def _load_libm():
    """glibc's libm with fegetenv/fesetenv typed, if this is 64-bit x86 Linux on glibc and setting MXCSR works."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return None
    if ctypes.sizeof(ctypes.c_void_p) != 8 or platform.libc_ver()[0] != "glibc":
        return None  # a 32-bit Python on x86-64 has the i386 fenv_t, without MXCSR at byte 28
    try:
        libm = ctypes.CDLL("libm.so.6")
        for name in ("fegetenv", "fesetenv"):
            getattr(libm, name).argtypes = [ctypes.c_void_p]
            getattr(libm, name).restype = ctypes.c_int
    except (OSError, AttributeError):
        return None
    # Check once that the bits set are the bits read back, then put the thread's setting back.
    saved = ctypes.create_string_buffer(_FENV_T_BYTES)
    if libm.fegetenv(saved) != 0:
        return None
    try:
        if libm.fesetenv(_with_flushing(saved)) != 0:
            return None
        check = ctypes.create_string_buffer(_FENV_T_BYTES)
        libm.fegetenv(check)
        works = _flushes(check)
    finally:
        libm.fesetenv(saved)
    return libm if works else None


def supported():
    """Whether this platform lets tfgraph flush denormals in the calling thread."""
    return _LIBM is not None


def flushing():
    """Whether the calling thread flushes denormals to zero now (None where unsupported)."""
    if _LIBM is None:
        return None
    env = ctypes.create_string_buffer(_FENV_T_BYTES)
    _LIBM.fegetenv(env)
    return _flushes(env)


def flushed(function):
    """`function` wrapped to run with denormals flushed to zero in the calling thread, the setting restored after."""
    if _LIBM is None:
        raise RuntimeError("flushing denormals in the calling thread is supported on Linux x86-64 with glibc only")
    getenv, setenv = _LIBM.fegetenv, _LIBM.fesetenv

    @functools.wraps(function)
    def call(*args, **kwargs):
        saved = ctypes.create_string_buffer(_FENV_T_BYTES)
        getenv(saved)
        setenv(_with_flushing(saved))
        try:
            return function(*args, **kwargs)
        finally:
            # The whole environment goes back, so floating-point exception flags raised during
            # the call are cleared too: nothing in tfgraph or TensorFlow's Python reads them.
            setenv(saved)

    return call


def _with_flushing(env):
    """A copy of the fenv_t in `env` with MXCSR's FTZ and DAZ bits set."""
    flushing_env = ctypes.create_string_buffer(env.raw, _FENV_T_BYTES)
    flushing_env[_MXCSR_OFFSET:_MXCSR_OFFSET + 4] = (_mxcsr(env) | _FTZ_DAZ).to_bytes(4, "little")
    return flushing_env


def _mxcsr(env):
    return int.from_bytes(env.raw[_MXCSR_OFFSET:_MXCSR_OFFSET + 4], "little")


def _flushes(env):
    return _mxcsr(env) & _FTZ_DAZ == _FTZ_DAZ


_LIBM = _load_libm()
