"""Our aligner from two source trees, side by side: fresh processes, alternating, medians.

Runs ``bench/align_bench.py --worker ours`` (import, model load, embed and align every
document, write the beads) from each tree in turn, with the tree first on PYTHONPATH so
that its ``corpus`` is the one imported, and this interpreter's packages otherwise. The
order alternates between repeats so that drift on a shared machine hits both. Prints the
medians of wall time, CPU time (user + system of the child), model load and load to
beads, the 1-minute load average around the runs, and whether both trees wrote the same
beads. Make the "before" tree with ``git worktree add --detach /tmp/before COMMIT``.

    .venv/bin/python bench/align_ab.py /tmp/before . --repeats 5

The data is copyrighted; it is read from where it lies and nothing of it is kept.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from align_bench import DEFAULT_DATA, _timed


def _run(tree: Path, data: Path, out: Path, threads: int) -> dict[str, float]:
    # env puts the tree first on PYTHONPATH and execs the worker: the same timed child
    cmd = ["env", f"PYTHONPATH={tree}", sys.executable, str(tree / "bench" / "align_bench.py"),
           "--worker", "ours", "--data", str(data), "--out", str(out), "--threads", str(threads)]
    load = os.getloadavg()[0]
    stats: dict[str, float] = _timed(cmd)
    stats["loadavg"] = max(load, os.getloadavg()[0])
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", type=Path, help="source tree of the first variant")
    ap.add_argument("after", type=Path, help="source tree of the second variant")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help="gold set with zh/ and en/ (default: %(default)s)")
    ap.add_argument("--repeats", type=int, default=5, help="runs of each tree (default: 5)")
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                    help="BLAS threads for the encoder (default: all cores)")
    args = ap.parse_args(argv)

    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    same = True
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            names = list(trees) if r % 2 == 0 else list(trees)[::-1]
            for name in names:
                out = Path(tmp) / f"{r}-{name}"
                out.mkdir()
                stats = _run(trees[name], args.data, out, args.threads)
                runs[name].append(stats)
                print(f"run {r + 1} {name:6s} wall {stats['wall_s']:5.2f} s  cpu "
                      f"{stats['cpu_s']:5.2f} s  load {stats['load_s']:4.2f} s  "
                      f"load avg {stats['loadavg']:.1f}", file=sys.stderr)
            beads = [{p.name: p.read_bytes() for p in (Path(tmp) / f"{r}-{n}").iterdir()}
                     for n in trees]
            same = same and beads[0] == beads[1]

    print(f"| median of {args.repeats} | before | after | after / before |")
    print("|---|---|---|---|")
    for key, label in (("wall_s", "wall (s)"), ("cpu_s", "CPU, user + system (s)"),
                       ("load_s", "model load (s)"), ("load_to_beads_s", "load to beads (s)")):
        b, a = (statistics.median(x[key] for x in runs[n]) for n in trees)
        print(f"| {label} | {b:.2f} | {a:.2f} | {a / b:.2f} |")
    loads = [x["loadavg"] for rs in runs.values() for x in rs]
    print(f"\n1-minute load average {min(loads):.1f}-{max(loads):.1f}; "
          f"same beads from both trees in every repeat: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
