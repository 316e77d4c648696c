"""Figures for the proof hash: how far copies of a screenshot land from it, and how close
different screenshots come. Run: ``.venv/bin/python tests/features/vouches/vouches_proof_figures.py
[--quick] [--steps 0.2,0.25]``; prints one JSON object per quantiser step."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import vouches_screens as screens  # noqa: E402
from PIL import Image  # noqa: E402

from vouchy.features.vouches import proof  # noqa: E402


def corpus(quick: bool, seed: int, n: int) -> dict[str, list[Image.Image]]:
    rng = random.Random(seed)
    n = 5 if quick else n
    return {
        "receipts": [screens.random_receipt(rng) for _ in range(n)],
        "receipts_same_amount_and_item": [
            screens.random_receipt(rng, "$12.50", "Netflix 1 month") for _ in range(n)
        ],
        "chats_dark": [screens.random_chat(rng) for _ in range(n)],
        "chats_light": [screens.random_chat(rng, light=True) for _ in range(n)],
        "trades": [screens.trade(rng) for _ in range(n)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--steps", default=str(proof.STEP))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--n", type=int, default=14, help="screenshots per kind")
    parser.add_argument("--thresholds", default=str(proof.MATCH_DISTANCE))
    args = parser.parse_args()
    groups = corpus(args.quick, args.seed, args.n)
    started = time.perf_counter()
    hashed = 0
    projected: dict[str, list[dict[str, list[float]]]] = {}
    for name, images in groups.items():
        projected[name] = []
        for im in images:
            files = (
                {"original": screens.png(im)}
                | {f"copy:{k}": v for k, v in screens.copies(im).items()}
                | {f"harsh:{k}": v for k, v in screens.harsh_copies(im).items()}
            )
            projected[name].append({k: proof.projections(v) for k, v in files.items()})
            hashed += len(files)
    ms_per_hash = (time.perf_counter() - started) * 1000 / hashed
    rng = random.Random(args.seed)
    stored = [(f"vouch:{i}", rng.getrandbits(64)) for i in range(100_000)]
    scan_started = time.perf_counter()
    proof.find_match(rng.getrandbits(64), stored)
    scan_ms = (time.perf_counter() - scan_started) * 1000
    for step in (float(s) for s in args.steps.split(",")):
        report: dict[str, object] = {
            "seed": args.seed,
            "step": step,
            "threshold": proof.MATCH_DISTANCE,
        }
        report["ms_per_hash"] = round(ms_per_hash, 1)
        report["find_match_100k_ms"] = round(scan_ms, 1)
        worst_copy: dict[str, int] = {}
        for name, items in projected.items():
            hashes = [{k: proof.quantise(v, step) for k, v in it.items()} for it in items]
            copies = [
                proof.distance(h["original"], h[k])
                for h in hashes
                for k in h
                if k.startswith("copy:")
            ]
            for h in hashes:
                for k in h:
                    if k.startswith(("copy:", "harsh:")):
                        worst_copy[k] = max(
                            worst_copy.get(k, 0), proof.distance(h["original"], h[k])
                        )
            originals = [h["original"] for h in hashes]
            pairs = [
                proof.distance(a, b) for i, a in enumerate(originals) for b in originals[i + 1 :]
            ]
            report[name] = {
                "copies_max": max(copies),
                "copies_mean": round(statistics.mean(copies), 1),
                "copies_above_threshold": sum(c > proof.MATCH_DISTANCE for c in copies),
                "copies": len(copies),
                "same_layout_min": min(pairs),
                "same_layout_mean": round(statistics.mean(pairs), 1),
                "same_layout_at_or_below_threshold": sum(p <= proof.MATCH_DISTANCE for p in pairs),
                "same_layout_pairs": len(pairs),
            }
        report["worst_by_copy"] = worst_copy
        names = list(projected)
        cross = [
            proof.distance(proof.quantise(a["original"], step), proof.quantise(b["original"], step))
            for i, g in enumerate(names)
            for h in names[i + 1 :]
            for a in projected[g]
            for b in projected[h]
        ]
        thresholds = [int(t) for t in args.thresholds.split(",")]
        all_copies = [
            proof.distance(proof.quantise(it["original"], step), proof.quantise(v, step))
            for items in projected.values()
            for it in items
            for k, v in it.items()
            if k.startswith("copy:")
        ]
        layout = [
            proof.distance(proof.quantise(a["original"], step), proof.quantise(b["original"], step))
            for items in projected.values()
            for i, a in enumerate(items)
            for b in items[i + 1 :]
        ]
        report["by_threshold"] = {
            t: {
                "copies_missed": sum(d > t for d in all_copies),
                "same_layout_matched": sum(d <= t for d in layout),
                "unrelated_matched": sum(d <= t for d in cross),
            }
            for t in thresholds
        }
        report["copies_total"] = len(all_copies)
        report["same_layout_total"] = len(layout)
        report["unrelated_total"] = len(cross)
        report["unrelated_min"] = min(cross)
        report["unrelated_mean"] = round(statistics.mean(cross), 1)
        print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
