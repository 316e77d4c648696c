"""Screenshot-like images for the proof hash's tests and figures: payment receipts, dark and
light chat windows, game trade windows, built with Pillow from a seed, and the copies a vouch
ring makes of them (re-encoded, resized)."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont, ImageOps

WORDS = (
    "got it works fine thanks legit fast delivery account sent code check dms redeemed "
    "perfectly vouch np enjoy again order paid trusted seller smooth quick"
).split()
ITEMS = ("Netflix 1 month", "Spotify 1 year", "Nitro 1 month", "Disney+ 3 months")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun")


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def receipt(
    order: str, date: str, amount: str, item: str, name: str = "@shadowtrade"
) -> Image.Image:
    """A phone payment receipt, 720x1280: header bar, card, status badge, labelled rows."""
    w, h = 720, 1280
    im = Image.new("RGB", (w, h), (245, 246, 248))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, w, 120), fill=(0, 48, 135))
    d.text((40, 40), "PayFlow", fill="white", font=font(44))
    d.rounded_rectangle((30, 160, w - 30, 900), radius=18, fill="white", outline=(220, 220, 225))
    d.text((60, 190), "Payment sent", fill=(30, 30, 30), font=font(34))
    d.text((60, 250), amount, fill=(30, 30, 30), font=font(64))
    d.rounded_rectangle((60, 350, 260, 395), radius=12, fill=(28, 160, 80))
    d.text((80, 358), "Completed", fill="white", font=font(24))
    y = 440
    for label, value in (("To", name), ("Order", order), ("Date", date), ("Item", item)):
        d.text((60, y), label, fill=(120, 120, 130), font=font(26))
        d.text((260, y), value, fill=(30, 30, 30), font=font(26))
        d.line((60, y + 50, w - 60, y + 50), fill=(230, 230, 235), width=2)
        y += 80
    d.text((60, y), "Fee", fill=(120, 120, 130), font=font(26))
    d.text((260, y), "$0.00", fill=(30, 30, 30), font=font(26))
    d.rectangle((30, 960, w - 30, 1040), fill=(0, 112, 186))
    d.text((w // 2 - 90, 985), "Done", fill="white", font=font(30))
    return im


def random_receipt(
    rng: random.Random, amount: str | None = None, item: str | None = None
) -> Image.Image:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2))
    order = f"#{rng.randrange(10000, 99999)}-{letters}"
    date = (
        f"{rng.randint(1, 28):02d} {rng.choice(MONTHS)} 2024, "
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    )
    amount = amount or f"${rng.randint(5, 99)}.{rng.choice((0, 50, 99)):02d}"
    return receipt(order, date, amount, item or rng.choice(ITEMS))


def chat(lines: list[tuple[str, tuple[int, int, int], str]], light: bool = False) -> Image.Image:
    """A dark chat window, 1000x600: server rail, channel list, messages with avatars."""
    w, h = 1000, 600
    im = Image.new("RGB", (w, h), (49, 51, 56))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, 72, h), fill=(30, 31, 34))
    d.rectangle((72, 0, 312, h), fill=(43, 45, 49))
    for i in range(8):
        d.ellipse(
            (12, 12 + 60 * i, 60, 60 + 60 * i), fill=(88, 101, 242) if i == 0 else (60, 62, 68)
        )
        d.text((90, 20 + 32 * i), f"# channel-{i}", fill=(148, 155, 164), font=font(18))
    y = 30
    for who, colour, text in lines:
        d.ellipse((330, y, 370, y + 40), fill=colour)
        d.text((385, y), who, fill=colour, font=font(18))
        d.text((385, y + 24), text, fill=(219, 222, 225), font=font(17))
        y += 80
    d.rounded_rectangle((330, h - 60, w - 20, h - 15), radius=8, fill=(56, 58, 64))
    return ImageOps.invert(im) if light else im


def random_chat(rng: random.Random, light: bool = False) -> Image.Image:
    names = ["shadowtrade", rng.choice(["buyer42", "kimchi", "zed", "lunatic", "mora", "pixel"])]
    colours = [(240, 177, 50), rng.choice([(87, 242, 135), (235, 69, 158), (88, 101, 242)])]
    lines = [
        (
            names[i % 2],
            colours[i % 2],
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))),
        )
        for i in range(rng.randint(2, 5))
    ]
    return chat(lines, light)


def trade(rng: random.Random) -> Image.Image:
    """A game's trade window, 1280x720: two grids of item tiles, an id and a value."""
    w, h = 1280, 720
    im = Image.new("RGB", (w, h), (24, 26, 32))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, w, 70), fill=(40, 44, 52))
    d.text((30, 18), "Trade complete", fill=(230, 230, 230), font=font(30))
    tiles = [(200, 60, 60), (60, 160, 220), (230, 190, 60), (120, 200, 90), (170, 90, 210)]
    for side in range(2):
        x0 = 60 + side * 620
        d.text((x0, 100), ("You gave", "You received")[side], fill=(180, 180, 190), font=font(24))
        for i in range(8):
            cx, cy = x0 + (i % 4) * 130, 150 + (i // 4) * 150
            if rng.random() < 0.7:
                d.rounded_rectangle((cx, cy, cx + 110, cy + 110), radius=10, fill=(50, 54, 64))
                d.ellipse((cx + 25, cy + 15, cx + 85, cy + 75), fill=rng.choice(tiles))
                d.text(
                    (cx + 8, cy + 82), f"x{rng.randint(1, 64)}", fill=(240, 240, 240), font=font(18)
                )
            else:
                d.rounded_rectangle(
                    (cx, cy, cx + 110, cy + 110), radius=10, outline=(60, 64, 74), width=2
                )
    d.text(
        (60, 500), f"Trade ID {rng.randrange(10**8, 10**9)}", fill=(150, 150, 160), font=font(22)
    )
    d.text((60, 540), f"Value: {rng.randint(100, 9999)} gems", fill=(230, 200, 80), font=font(28))
    return im


def png(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def jpeg(im: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    im.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def resized(
    im: Image.Image, factor: float, method: Image.Resampling = Image.Resampling.LANCZOS
) -> Image.Image:
    return im.resize((round(im.width * factor), round(im.height * factor)), method)


def copies(im: Image.Image) -> dict[str, bytes]:
    """The copies the hash promises to recognise (see ``vouchy.features.vouches.proof``)."""
    return {
        "jpeg95": jpeg(im, 95),
        "jpeg75": jpeg(im, 75),
        "jpeg50": jpeg(im, 50),
        "half": png(resized(im, 0.5)),
        "three_quarters": png(resized(im, 0.75)),
        "one_and_a_half": png(resized(im, 1.5)),
        "bilinear_0.6": png(resized(im, 0.6, Image.Resampling.BILINEAR)),
        "three_quarters_jpeg75": jpeg(resized(im, 0.75), 75),
        "one_and_a_half_jpeg75": jpeg(resized(im, 1.5), 75),
        "jpeg80_then_jpeg70": jpeg(Image.open(io.BytesIO(jpeg(resized(im, 0.8), 80))), 70),
    }


def harsh_copies(im: Image.Image) -> dict[str, bytes]:
    """Copies beyond the promise, measured and reported but not promised."""
    return {
        "jpeg30": jpeg(im, 30),
        "half_jpeg60": jpeg(resized(im, 0.5), 60),
        "0.4": png(resized(im, 0.4)),
        "0.4_jpeg60": jpeg(resized(im, 0.4), 60),
        "quarter": png(resized(im, 0.25)),
    }
