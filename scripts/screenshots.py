"""Make the README's TensorBoard screenshots from a real run, served by the real TensorBoard.

Usage: python scripts/screenshots.py [--out docs/images]

Trains the CNN lesson on the shipped sample for a few epochs (a minute on 2 cores),
serves its logs with TensorBoard on 127.0.0.1 and saves what headless Chromium
renders of the graphs and scalars dashboards. Needs Debian's `chromium`.
"""
import argparse
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lessons import cnn  # noqa: E402
from scripts.tensorboard_tools import TensorBoardServer, screenshot  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"), help="where the PNGs go")
    parser.add_argument("--epochs", type=int, default=3, help="CNN epochs on the sample (default: 3)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as logdir:
        cnn.main(["--sample", "--epochs", str(args.epochs), "--how-often", "10", "--logdir", logdir])
        run = "cnn/" + next((Path(logdir) / "cnn").iterdir()).name
        with TensorBoardServer(logdir) as server:
            server.wait_for("/data/runs", lambda runs: f"{run}/test" in runs)
            quoted = urllib.parse.quote(run + "/train", safe="")
            for name, fragment in (("tensorboard-graph.png", f"#graphs&run={quoted}"),
                                   ("tensorboard-scalars.png", "#scalars&_smoothingWeight=0")):
                print("Saved", screenshot(server.url + fragment, out / name, width=1200, height=760))


if __name__ == "__main__":
    main()
