"""Make the small MNIST sample shipped in tfgraph/data/mnist_sample/.

Usage: python scripts/make_mnist_sample.py [DIR_WITH_FULL_MNIST] [--out DIR]

Reads the four full MNIST files from DIR (default: tfgraph.mnist.default_data_dir(),
fetched there first if missing), verifies them, and picks with a fixed seed
600 training and 100 test images of each digit (6,000 + 1,000), kept in MNIST's
own order. Writes them as gzipped IDX files under the usual names + .gz, with
gzip's timestamp set to 0 so every run gives identical bytes, then prints the
SHA-256 of each uncompressed file for tfgraph.mnist.SAMPLE_SHA256.
"""
import argparse
import gzip
import hashlib
import struct
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
from tfgraph import mnist  # noqa: E402

SEED = 2016
PER_CLASS = {"train": 600, "t10k": 100}


def idx_bytes(array):
    """Encode a uint8 array as an IDX file (magic: 0, 0, type 0x08, ndim; then dims)."""
    header = struct.pack(f">BBBB{array.ndim}I", 0, 0, 0x08, array.ndim, *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def balanced_subset(labels, per_class, rng):
    """Indices of ``per_class`` random examples of each digit, in ascending order."""
    chosen = [rng.choice(np.flatnonzero(labels == d), per_class, replace=False)
              for d in range(mnist.NUM_CLASSES)]
    return np.sort(np.concatenate(chosen))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=mnist.default_data_dir(),
                        help="folder holding the four full MNIST files")
    parser.add_argument("--out", type=Path, default=mnist.SAMPLE_DIR,
                        help="where to write the sample (default: %(default)s)")
    args = parser.parse_args(argv)

    paths = mnist.fetch(args.data_dir)
    rng = np.random.default_rng(SEED)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for split, per_class in PER_CLASS.items():
        images = mnist.read_idx(paths[f"{split}-images-idx3-ubyte"], expect_ndim=3)
        labels = mnist.read_idx(paths[f"{split}-labels-idx1-ubyte"], expect_ndim=1)
        keep = balanced_subset(labels, per_class, rng)
        for name, array in ((f"{split}-images-idx3-ubyte", images[keep]),
                            (f"{split}-labels-idx1-ubyte", labels[keep])):
            raw = idx_bytes(array)
            target = args.out / (name + ".gz")
            target.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
            total += target.stat().st_size
            print(f'    "{name}": "{hashlib.sha256(raw).hexdigest()}",')
    print(f"Wrote {args.out} ({total:,} bytes in all)")


if __name__ == "__main__":
    main()
