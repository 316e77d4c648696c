"""The public leaderboard page (``/g/<guild id>``): one self-contained HTML document rendered
from plain data, in the member's language.

Promises: every name and URL from Discord is HTML-escaped (a display name ``<script>`` reads as
text) and isolated for bidirectional text (``<bdi>``); the table is semantic (``<caption>``,
``<th scope>``); the tabs and pages are plain links, so the page works without JavaScript (it
has none); ``lang`` is the locale's; the CSS is inline and responsive (no horizontal scroll at
320 px and up); nothing is fetched but the avatars and the guild icon (https or same-origin
URLs only, else a lettered placeholder); every text colour meets WCAG 2.x AA (4.5:1) on every
background it is drawn on, in the light and the dark scheme (``CONTRAST``).

Avatars and the icon carry ``alt=""`` on purpose: each stands beside the name it pictures, so
a screen reader saying "avatar of Alice, Alice" would only repeat it (WCAG technique H2/H67).
They have width and height, so the layout does not move as they load.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Sequence

import msgspec

from vouchy.core import i18n
from vouchy.web import texts as _texts  # noqa: F401  (registers the web.* texts)
from vouchy.web.schemas import BOARDS, Board

AVATAR_PX = 32
ICON_PX = 48
DISCORD_CDN = "https://cdn.discordapp.com"


class Row(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    display_name: str
    avatar_url: str | None
    value: int  # points, XP or vouches, by board
    level: int | None = None  # the levels board only


class LeaderboardPage(msgspec.Struct, frozen=True, kw_only=True):
    guild_id: int
    guild_name: str
    icon_url: str | None
    board: Board
    rows: Sequence[Row]
    page: int
    pages: int


# Colours, light then dark. Contrast ratios (WCAG 2.x, (L1 + 0.05) / (L2 + 0.05)), checked by
# tests/web/test_web_page.py; AA asks 4.5:1 for text and 3:1 for the focus ring and tab edge:
#   light: text/bg 17.04, text/stripe 15.32, muted/bg 7.70, muted/stripe 6.93,
#          link/bg 6.44, on_accent/accent 6.44, text/chip 12.97, accent/bg 6.44 (focus ring)
#   dark:  text/bg 15.45, text/stripe 13.72, muted/bg 9.01, muted/stripe 8.00,
#          link/bg 8.52, on_accent/accent 8.52, text/chip 9.98, accent/bg 8.52 (focus ring)
PALETTES: dict[str, dict[str, str]] = {
    "light": {
        "bg": "#ffffff",
        "text": "#1b1c1f",
        "muted": "#50535a",
        "link": "#0a58ca",
        "stripe": "#f1f3f5",
        "accent": "#0a58ca",
        "on_accent": "#ffffff",
        "chip": "#dde1e6",
    },
    "dark": {
        "bg": "#15171a",
        "text": "#eceef1",
        "muted": "#b3b8c0",
        "link": "#8ab4f8",
        "stripe": "#1f2227",
        "accent": "#8ab4f8",
        "on_accent": "#15171a",
        "chip": "#343942",
    },
}

# (foreground, background, the ratio stated above, the minimum WCAG AA asks for that use).
CONTRAST: dict[str, tuple[tuple[str, str, float, float], ...]] = {
    "light": (
        ("text", "bg", 17.04, 4.5),
        ("text", "stripe", 15.32, 4.5),
        ("muted", "bg", 7.70, 4.5),
        ("muted", "stripe", 6.93, 4.5),
        ("link", "bg", 6.44, 4.5),
        ("on_accent", "accent", 6.44, 4.5),
        ("text", "chip", 12.97, 4.5),
        ("accent", "bg", 6.44, 3.0),
    ),
    "dark": (
        ("text", "bg", 15.45, 4.5),
        ("text", "stripe", 13.72, 4.5),
        ("muted", "bg", 9.01, 4.5),
        ("muted", "stripe", 8.00, 4.5),
        ("link", "bg", 8.52, 4.5),
        ("on_accent", "accent", 8.52, 4.5),
        ("text", "chip", 9.98, 4.5),
        ("accent", "bg", 8.52, 3.0),
    ),
}


def _variables(palette: dict[str, str]) -> str:
    return ";".join(f"--{name.replace('_', '-')}:{value}" for name, value in palette.items())


CSS = (
    ":root{" + _variables(PALETTES["light"]) + ";color-scheme:light dark}"
    "@media (prefers-color-scheme:dark){:root{" + _variables(PALETTES["dark"]) + "}}"
    "*{box-sizing:border-box}"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}"
    "body{margin:0 auto;max-width:46rem;padding:1rem;background:var(--bg);color:var(--text);"
    "font:1rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}"
    "header{display:flex;align-items:center;gap:.75rem;margin-bottom:1rem}"
    "header img,header .avatar{flex:none;border-radius:50%}"
    "h1{font-size:1.5rem;line-height:1.25;margin:0;overflow-wrap:anywhere}"
    "a{color:var(--link)}"
    "a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}"
    ".tabs{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;margin:0 0 1rem;padding:0}"
    ".tabs a{display:block;padding:.5rem 1rem;border:2px solid var(--accent);"
    "border-radius:999px;text-decoration:none;font-weight:600}"
    ".tabs a[aria-current=page]{background:var(--accent);color:var(--on-accent)}"
    "table{width:100%;border-collapse:collapse;table-layout:fixed}"
    "caption{text-align:left;color:var(--muted);padding:.25rem 0 .5rem;caption-side:top}"
    "th,td{padding:.5rem;text-align:left;vertical-align:middle}"
    "thead th{color:var(--muted);font-size:.875rem;font-weight:600}"
    "tbody tr:nth-child(odd){background:var(--stripe)}"
    "tbody th{font-weight:400}"
    ".rank{width:3.5rem;color:var(--muted)}"
    ".num{width:6.5rem;text-align:right;font-variant-numeric:tabular-nums}"
    ".lvl{width:4.5rem}"
    ".member{display:flex;align-items:center;gap:.5rem;min-width:0}"
    ".member img,.member .avatar{flex:none;border-radius:50%}"
    ".name{overflow-wrap:anywhere;min-width:0}"
    ".avatar{display:inline-flex;align-items:center;justify-content:center;"
    "background:var(--chip);color:var(--text);font-weight:600}"
    f".s{AVATAR_PX}{{width:{AVATAR_PX}px;height:{AVATAR_PX}px}}"
    f".s{ICON_PX}{{width:{ICON_PX}px;height:{ICON_PX}px;font-size:1.5rem}}"
    ".pager{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;"
    "gap:.5rem;margin-top:1rem}"
    ".pager a{padding:.5rem 0}"
    ".pager span{color:var(--muted)}"
    ".empty{color:var(--muted)}"
    "@media (max-width:30rem){body{padding:.75rem}th,td{padding:.5rem .375rem}"
    ".rank{width:2.75rem}.num{width:5.5rem}.lvl{width:3.75rem}}"
)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def headers(image_sources: Sequence[str] = (DISCORD_CDN,)) -> dict[str, str]:
    """Headers to send with the page: a Content-Security-Policy that allows this page's own
    style and images from ``image_sources`` and nothing else (no script at all)."""
    images = " ".join(["'self'", "data:", *image_sources])
    policy = (
        f"default-src 'none'; style-src {_csp_hash(CSS)}; img-src {images}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def href(guild_id: int, board: Board = "points", page: int = 1) -> str:
    """The page's address: ``/g/<id>``, with ``board`` and ``page`` only when not the first."""
    query = [f"board={board}"] if board != "points" else []
    if page > 1:
        query.append(f"page={page}")
    return f"/g/{guild_id}" + ("?" + "&".join(query) if query else "")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def safe_image_url(url: str | None) -> str | None:
    """``url`` if it is https or same-origin (``/...``), else None (a placeholder is drawn)."""
    if not url:
        return None
    if url.startswith("https://") or (url.startswith("/") and not url.startswith("//")):
        return url
    return None


def _picture(url: str | None, name: str, size: int) -> str:
    safe = safe_image_url(url)
    if safe is not None:
        return (
            f'<img src="{_e(safe)}" alt="" width="{size}" height="{size}" '
            'loading="lazy" decoding="async" referrerpolicy="no-referrer">'
        )
    initial = _e(name.strip()[:1].upper() or "?")
    # A class, not a style attribute: the Content-Security-Policy allows no inline style.
    return f'<span class="avatar s{size}" aria-hidden="true">{initial}</span>'


def _columns(board: Board, locale: str) -> list[tuple[str, str]]:
    """(header text, class) of each column after the rank and the member."""
    if board == "levels":
        return [
            (i18n.text("web.page.col.level", locale), "num lvl"),
            (i18n.text("web.page.col.xp", locale), "num"),
        ]
    return [(i18n.text(f"web.page.col.{board}", locale), "num")]


def _row(row: Row, board: Board, locale: str) -> str:
    values = [row.level or 0, row.value] if board == "levels" else [row.value]
    cells = "".join(f'<td class="num">{i18n.number(v, locale)}</td>' for v in values)
    return (
        f'<tr><td class="rank">{i18n.number(row.rank, locale)}</td>'
        f'<th scope="row"><span class="member">{_picture(row.avatar_url, row.display_name, AVATAR_PX)}'
        f'<bdi class="name">{_e(row.display_name)}</bdi></span></th>{cells}</tr>'
    )


def render(data: LeaderboardPage, locale: str = i18n.DEFAULT) -> str:
    """The whole HTML document of one page of one board."""
    # Invariant: no text from ``data`` reaches the document unescaped.
    lang = i18n.pick(locale)
    pages = max(1, data.pages)
    page = min(max(1, data.page), pages)
    title = i18n.text("web.page.title", lang, guild=data.guild_name)

    tabs = []
    for board in BOARDS:
        current = ' aria-current="page"' if board == data.board else ""
        label = _e(i18n.text(f"web.page.tab.{board}", lang))
        tabs.append(f'<li><a href="{_e(href(data.guild_id, board))}"{current}>{label}</a></li>')

    head_cells = "".join(
        f'<th scope="col" class="{cls}">{_e(text)}</th>' for text, cls in _columns(data.board, lang)
    )
    if data.rows:
        caption = i18n.text(f"web.page.caption.{data.board}", lang, page=page, pages=pages)
        body_rows = "".join(_row(row, data.board, lang) for row in data.rows)
        table = (
            f"<table><caption>{_e(caption)}</caption>"
            f'<thead><tr><th scope="col" class="rank">{_e(i18n.text("web.page.col.rank", lang))}'
            f'</th><th scope="col">{_e(i18n.text("web.page.col.member", lang))}</th>'
            f"{head_cells}</tr></thead><tbody>{body_rows}</tbody></table>"
        )
    else:
        table = f'<p class="empty">{_e(i18n.text("web.page.empty", lang))}</p>'

    pager = ""
    if pages > 1:
        links = []
        if page > 1:
            prev = _e(href(data.guild_id, data.board, page - 1))
            links.append(
                f'<a rel="prev" href="{prev}">{_e(i18n.text("web.page.previous", lang))}</a>'
            )
        position = i18n.text("web.page.position", lang, page=page, pages=pages)
        links.append(f'<span aria-current="page">{_e(position)}</span>')
        if page < pages:
            nxt = _e(href(data.guild_id, data.board, page + 1))
            links.append(f'<a rel="next" href="{nxt}">{_e(i18n.text("web.page.next", lang))}</a>')
        pager = (
            f'<nav class="pager" aria-label="{_e(i18n.text("web.page.pages", lang))}">'
            + "".join(links)
            + "</nav>"
        )

    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        '<link rel="icon" href="data:,">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f"<header>{_picture(data.icon_url, data.guild_name, ICON_PX)}"
        f"<h1>{_e(title)}</h1></header><main>"
        f'<nav aria-label="{_e(i18n.text("web.page.boards", lang))}"><ul class="tabs">'
        f"{''.join(tabs)}</ul></nav>{table}{pager}</main></body></html>\n"
    )
