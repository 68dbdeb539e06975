"""Command line: ``python -m benchmarks.quality --budget 100 --seeds 10 ...``.

Examples
--------
Quick look at two problems::

    python -m benchmarks.quality --budget 30 --seeds 3 --problems branin,hartmann6 \\
        --optimizers ahpo-random,ahpo-tpe,optuna-tpe --output /tmp/q.md

Rebuild the report from stored results, without running anything::

    python -m benchmarks.quality --from-json results.json --output docs/benchmarks/quality.md
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import json
import os
import shlex
import sys
import time
import zlib
from pathlib import Path
from typing import Any

_DEFAULT_OPTIMIZERS = "ahpo-random,ahpo-tpe,optuna-random,optuna-tpe,optuna-tpe-mv,hyperopt-tpe"
_REFERENCE = Path(__file__).with_name("reference.json")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.quality",
        description="Side-by-side sampler quality benchmark (ahpo vs Optuna vs Hyperopt).",
    )
    ap.add_argument("--budget", type=int, default=100, help="trials per run (default 100)")
    ap.add_argument("--seeds", type=int, default=10, help="runs per pair: seeds K..K+N-1")
    ap.add_argument(
        "--seed-start",
        type=int,
        default=0,
        help="first seed K (default 0, the reporting seeds; tune on others, e.g. 10)",
    )
    ap.add_argument(
        "--problems", default="all", help="names and/or tag:NAME, comma-separated; -x drops x"
    )
    ap.add_argument(
        "--optimizers",
        default=_DEFAULT_OPTIMIZERS,
        help=f"comma-separated, or 'all' (default {_DEFAULT_OPTIMIZERS})",
    )
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--output", help="write the markdown report here")
    ap.add_argument("--plot", help="write the best-so-far plot (PNG) here")
    ap.add_argument("--json", help="write the raw results here (.json or .json.gz)")
    ap.add_argument(
        "--from-json",
        help="rebuild the report from these results (comma-separated files are merged, "
        "e.g. a run of one new optimizer with an earlier full run); run nothing",
    )
    ap.add_argument(
        "--reference",
        default=str(_REFERENCE),
        help="best-ever values of the ML tasks (default benchmarks/quality/reference.json)",
    )
    ap.add_argument(
        "--no-update-reference", action="store_true", help="do not write better values back"
    )
    ap.add_argument(
        "--no-baseline",
        action="store_true",
        help="do not add ahpo-random when no random baseline is asked for (for runs that "
        "will be merged with --from-json into a run that has one)",
    )
    ap.add_argument("--list", action="store_true", help="list problems and optimizers")
    ap.add_argument("--quiet", action="store_true", help="no per-run progress lines")
    return ap


def fingerprint(problem: Any) -> str:
    """Changes whenever the problem's space, direction or description changes."""
    text = repr((problem.space, problem.direction, problem.description))
    return f"{zlib.crc32(text.encode()):08x}"


def _load_reference(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return {}


def _update_reference(path: str, doc: dict[str, Any]) -> list[str]:
    """Write run-best values of the problems without a known optimum that beat the file."""
    from benchmarks.quality import problems as P

    ref = _load_reference(path)
    changed = []
    for name, info in doc["problems"].items():
        if info["optimum"] is not None:
            continue
        sign = 1.0 if info["direction"] == "minimize" else -1.0
        runs = [r for r in doc["results"] if r["problem"] == name and not r.get("error")]
        if not runs:
            continue
        best = min(runs, key=lambda r: sign * r["curve"][-1])
        fp = fingerprint(P.get(name))
        old = ref.get(name)
        same = old is not None and old.get("fingerprint") == fp
        if same and sign * best["curve"][-1] >= sign * old["value"]:
            continue
        ref[name] = {
            "value": best["curve"][-1],
            "direction": info["direction"],
            "optimizer": best["optimizer"],
            "seed": best["seed"],
            "budget": best["budget"],
            "date": doc["created"],
            "fingerprint": fp,
        }
        changed.append(name)
    if changed:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(ref, fh, indent=2, sort_keys=True)
            fh.write("\n")
    return changed


def _open(path: str, mode: str) -> Any:
    """Open a results file; ``.gz`` files are gzip-compressed (about 20x smaller)."""
    if path.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def merge(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """One results document from several runs with the same budget.

    Problems, optimizers and results are united; a (problem, optimizer, seed) result
    in a later document replaces an earlier one. Commands are kept, one per line.
    """
    if len({d["budget"] for d in docs}) > 1:
        raise SystemExit("cannot merge runs with different budgets")
    out = dict(docs[0])
    out["problems"], out["optimizers"] = {}, {}
    results: dict[tuple[str, str, int], dict[str, Any]] = {}
    for d in docs:
        for name, info in d["problems"].items():
            out["problems"].setdefault(name, info)
        out["optimizers"].update(d["optimizers"])
        for r in d["results"]:
            results[(r["problem"], r["optimizer"], r["seed"])] = r
    out["results"] = list(results.values())
    out["seeds"] = sorted({s for d in docs for s in d["seeds"]})
    out["command"] = "\n".join(d["command"] for d in docs)
    out["wall_seconds"] = sum(d["wall_seconds"] for d in docs)
    out["created"] = max(d["created"] for d in docs)
    return out


def _list() -> None:
    from benchmarks.quality import optimizers as O
    from benchmarks.quality import problems as P

    print("problems:")
    for p in P.select("all"):
        print(f"  {p.name:22s} d={p.dimension:<3d} {p.direction:8s} {','.join(sorted(p.tags))}")
    print("optimizers:")
    for name in O.names():
        why = O.get(name).unavailable()
        print(f"  {name:22s} {'UNAVAILABLE: ' + why if why else O.get(name).description}")


def _run(args: argparse.Namespace, command: str) -> dict[str, Any]:
    from benchmarks.quality import optimizers as O
    from benchmarks.quality import problems as P
    from benchmarks.quality.run import machine_info, run_many
    from benchmarks.quality.scores import BASELINES

    probs = P.select(args.problems)
    wanted = O.names() if args.optimizers == "all" else args.optimizers.split(",")
    wanted = [w.strip() for w in wanted if w.strip()]
    for w in wanted:
        O.get(w)  # unknown names fail before anything runs
    if not args.no_baseline and not any(b in wanted for b in BASELINES):
        print(f"note: adding {BASELINES[0]}, the random baseline scores need", file=sys.stderr)
        wanted.insert(0, BASELINES[0])
    opt_info: dict[str, dict[str, Any]] = {}
    for w in wanted:
        why = O.get(w).unavailable()
        opt_info[w] = {"description": O.get(w).description, "available": why is None}
        opt_info[w]["message"] = why
        if why:
            print(f"skipping {w}: {why}", file=sys.stderr)
    runnable = [w for w in wanted if opt_info[w]["available"]]
    reference = _load_reference(args.reference)
    prob_info = {}
    for p in probs:
        ref = reference.get(p.name)
        usable = ref is not None and ref.get("fingerprint") == fingerprint(p)
        prob_info[p.name] = {
            "direction": p.direction,
            "optimum": p.optimum,
            "reference": ref["value"] if usable and p.optimum is None else None,
            "tags": sorted(p.tags),
            "dimension": p.dimension,
            "noise_sd": p.noise_sd,
            "description": p.description,
        }
    seeds = list(range(args.seed_start, args.seed_start + args.seeds))
    started = time.perf_counter()
    created = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    results = run_many([p.name for p in probs], runnable, args.budget, seeds, args.jobs, progress)
    return {
        "format": 1,
        "command": command,
        "created": created,
        "wall_seconds": time.perf_counter() - started,
        "jobs": args.jobs,
        "budget": args.budget,
        "seeds": seeds,
        "machine": machine_info(),
        "problems": prob_info,
        "optimizers": opt_info,
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = "python -m benchmarks.quality " + shlex.join(sys.argv[1:] if argv is None else argv)
    if args.list:
        _list()
        return 0
    # Checked before the (long) run, not after it.
    for path in (args.output, args.plot, args.json):
        if path and os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
    if args.from_json:
        docs = []
        for path in args.from_json.split(","):
            with _open(path, "r") as fh:
                docs.append(json.load(fh))
        doc = merge(docs)
        if args.json:
            with _open(args.json, "w") as fh:
                json.dump(doc, fh)
    else:
        doc = _run(args, command)
        if args.json:
            with _open(args.json, "w") as fh:
                json.dump(doc, fh)
        if not args.no_update_reference:
            changed = _update_reference(args.reference, doc)
            if changed:
                print(f"new best-ever values in {args.reference}: {', '.join(changed)}")

    from benchmarks.quality.report import markdown, plot

    if args.plot:
        plot(doc, args.plot)
    text = markdown(doc, args.plot, args.output, command if args.from_json else None)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    _print_summary(doc)
    return 0


def _print_summary(doc: dict[str, Any]) -> None:
    from benchmarks.quality.report import HEAD_TO_HEAD, SUBJECT
    from benchmarks.quality.scores import compute, head_to_head

    scores = compute(doc)
    width = max(len(o) for o in scores.optimizers)
    print(f"{'optimizer':{width}s}  mean score  mean rank")
    for o in sorted(scores.optimizers, key=lambda o: -scores.mean_score(o)):
        print(f"{o:{width}s}  {scores.mean_score(o):10.4f}  {scores.mean_rank(o):9.3f}")
    if SUBJECT in scores.optimizers:
        for other in HEAD_TO_HEAD:
            if other in scores.optimizers:
                h = head_to_head(scores, SUBJECT, other)
                print(f"{SUBJECT} vs {other}: wins {h.wins}/{h.total} (ties {h.ties})")
    print(f"run time: {doc['wall_seconds'] / 60:.1f} min")


if __name__ == "__main__":
    sys.exit(main())
