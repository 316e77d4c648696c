"""How long one rank card takes to render: ``python -m vouchy.features.levels.bench``.

Prints JSON with ``rank_card_ms`` (the median of rendering one card, PNG bytes included) and
its p90 and p99, for a card with a 256x256 PNG avatar, one with a 1024x1024 JPEG avatar and
one with initials. The first render of each kind is not counted (fonts and masks load once).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time

from PIL import Image

from vouchy.features.levels.card import card_facts, render_card
from vouchy.features.levels.rules import Counters


def _avatar(side: int, fmt: str) -> bytes:
    img = Image.radial_gradient("L").resize((side, side)).convert("RGB")
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def _quantiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50": round(statistics.median(samples), 2),
        "p90": round(cuts[89], 2),
        "p99": round(cuts[98], 2),
    }


def rank_card_ms(runs: int = 200) -> dict[str, object]:
    """Render ``runs`` cards of each kind; milliseconds per card."""
    facts = card_facts(
        display_name="Élodie la Best",
        xp=1_234_567,
        rank=42,
        counters=Counters(messages=32_100, voice_seconds=300 * 3600, reactions_received=4_500),
    )
    kinds = {
        "png_256": _avatar(256, "PNG"),
        "jpeg_1024": _avatar(1024, "JPEG"),
        "initials": None,
    }
    result: dict[str, object] = {"runs": runs}
    every: list[float] = []
    for name, avatar in kinds.items():
        render_card(facts, avatar, "fr")  # warm up
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            render_card(facts, avatar, "fr")
            samples.append((time.perf_counter() - start) * 1000)
        result[name] = _quantiles(samples)
        if name == "png_256":
            every = samples
    result["rank_card_ms"] = round(statistics.median(every), 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    print(json.dumps(rank_card_ms(parser.parse_args().runs)))


if __name__ == "__main__":
    main()
