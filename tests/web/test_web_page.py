"""The public leaderboard page as HTML: semantic table, escaped names, links for tabs and
pages, the locale's language, nothing external, and colours that meet WCAG AA."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from vouchy.web import page
from vouchy.web.page import LeaderboardPage, Row

EVIL = '<script>alert("x")</script>'


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text, of a document."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(document)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def board(board: str = "points", rows: list[Row] | None = None, **kw: object) -> LeaderboardPage:
    args: dict[str, object] = {
        "guild_id": 42,
        "guild_name": "Café & Co",
        "icon_url": "https://cdn.discordapp.com/icons/42/abc.png",
        "board": board,
        "rows": rows
        if rows is not None
        else [
            Row(rank=1, display_name="Alice", avatar_url="/avatars/1.png", value=12_345, level=7),
            Row(rank=2, display_name=EVIL, avatar_url=None, value=900, level=3),
        ],
        "page": 1,
        "pages": 1,
    }
    args.update(kw)
    return LeaderboardPage(**args)  # type: ignore[arg-type]


def render(data: LeaderboardPage | None = None, locale: str = "en") -> tuple[str, Tags]:
    document = page.render(data or board(), locale)
    return document, Tags(document)


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_computation_matches_wcags_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_colour_pair_meets_wcag_aa_and_the_ratio_stated_beside_it(scheme: str) -> None:
    colours = page.PALETTES[scheme]
    for foreground, background, stated, minimum in page.CONTRAST[scheme]:
        ratio = contrast(colours[foreground], colours[background])
        assert ratio >= minimum, (scheme, foreground, background, ratio)
        assert round(ratio, 2) == stated, (scheme, foreground, background, ratio)
        assert f"{foreground}/{background} {stated:.2f}" in open(page.__file__).read()


def test_every_text_colour_used_in_the_css_is_checked_on_its_backgrounds() -> None:
    checked = {(f, b) for f, b, _, _ in page.CONTRAST["light"]}
    assert {("text", "bg"), ("text", "stripe"), ("muted", "bg"), ("muted", "stripe")} <= checked
    assert {("link", "bg"), ("on_accent", "accent"), ("text", "chip")} <= checked


def test_a_display_name_with_markup_reads_as_text() -> None:
    document, tags = render()
    assert EVIL not in document
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in document
    assert EVIL in "".join(tags.text)
    assert tags.all("script") == []


def test_the_guild_name_is_escaped_in_the_title_and_heading() -> None:
    document, tags = render(board(guild_name='<img src=x onerror="boom">'))
    assert "<img src=x" not in document
    assert [a.get("src") for a in tags.all("img")].count("x") == 0


def test_the_table_has_a_caption_column_headers_and_a_row_header_per_member() -> None:
    document, tags = render()
    assert "<caption>Members with the most points, page 1 of 1</caption>" in document
    assert [a.get("scope") for a in tags.all("th")] == ["col", "col", "col", "row", "row"]
    assert len(tags.all("tr")) == 3  # the header row and two members


def test_the_levels_board_shows_level_and_xp_columns() -> None:
    document, tags = render(board("levels"))
    assert ">Level</th>" in document and ">XP</th>" in document
    assert '<td class="num">7</td><td class="num">12,345</td>' in document
    assert [a.get("scope") for a in tags.all("th")].count("col") == 4


def test_the_tabs_are_links_and_the_current_one_is_marked() -> None:
    _, tags = render(board("vouches"))
    links = [a for a in tags.all("a") if a.get("href", "").startswith("/g/42")]  # type: ignore[union-attr]
    assert [a["href"] for a in links] == ["/g/42", "/g/42?board=levels", "/g/42?board=vouches"]
    assert [a.get("aria-current") for a in links] == [None, None, "page"]


def test_pages_link_to_their_neighbours_only() -> None:
    _, first = render(board("levels", page=1, pages=3))
    _, middle = render(board("levels", page=2, pages=3))
    _, last = render(board("levels", page=3, pages=3))
    _, single = render(board("levels", page=1, pages=1))

    def pager(tags: Tags) -> list[tuple[str | None, str | None]]:
        return [(a.get("rel"), a.get("href")) for a in tags.all("a") if a.get("rel")]

    assert pager(first) == [("next", "/g/42?board=levels&page=2")]
    assert pager(middle) == [("prev", "/g/42?board=levels"), ("next", "/g/42?board=levels&page=3")]
    assert pager(last) == [("prev", "/g/42?board=levels&page=2")]
    assert pager(single) == []
    assert [a for a in single.all("nav") if a.get("class") == "pager"] == []


def test_the_page_speaks_the_locales_language() -> None:
    document, tags = render(board("levels", page=2, pages=3), "fr-FR")
    assert tags.all("html") == [{"lang": "fr"}]
    assert "<title>Classement de Café &amp; Co</title>" in document
    assert "Membres par niveau et XP, page 2 sur 3" in document
    assert ">Niveau</th>" in document and "Page précédente" in document
    assert "12\u202f345" in document
    _, english = render(board(), "de")
    assert english.all("html") == [{"lang": "en"}]


def test_an_empty_board_says_so_instead_of_an_empty_table() -> None:
    document, tags = render(board(rows=[]))
    assert tags.all("table") == []
    assert "No one is on this leaderboard yet." in document


def test_avatars_are_sized_and_have_an_empty_alt_beside_the_name() -> None:
    _, tags = render()
    images = tags.all("img")
    assert {a["src"] for a in images} == {"/avatars/1.png", board().icon_url}
    for attrs in images:
        assert attrs["alt"] == ""
        assert attrs["width"] == attrs["height"]
        assert attrs["width"] in ("32", "48")


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "http://cdn.example/a.png", "//evil.example/a.png", "data:x", ""],
)
def test_an_avatar_that_is_not_https_or_same_origin_becomes_a_placeholder(url: str) -> None:
    rows = [Row(rank=1, display_name="bob", avatar_url=url, value=1)]
    document, tags = render(board(rows=rows, icon_url=None))
    assert tags.all("img") == []
    assert '<span class="avatar s32" aria-hidden="true">B</span>' in document


def test_the_page_loads_nothing_external_but_avatars() -> None:
    document, tags = render()
    assert tags.all("script") == []
    assert [a for a in tags.all("link") if a.get("rel") != "icon"] == []
    hrefs = [a["href"] for a in tags.all("a")]
    assert all(h and h.startswith("/") for h in hrefs)
    assert "@import" not in document and "url(" not in document


def test_the_page_is_ready_for_a_phone() -> None:
    document, tags = render()
    viewport = [a for a in tags.all("meta") if a.get("name") == "viewport"]
    assert viewport == [{"name": "viewport", "content": "width=device-width,initial-scale=1"}]
    assert "overflow-wrap:anywhere" in page.CSS
    assert "@media (max-width:30rem)" in page.CSS


def test_the_content_security_policy_allows_exactly_the_pages_own_style() -> None:
    document = page.render(board())
    style = re.search(r"<style>(.*?)</style>", document, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    policy = page.headers()["Content-Security-Policy"]
    assert f"style-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "img-src 'self' data: https://cdn.discordapp.com" in policy


def test_the_page_address_omits_the_defaults() -> None:
    assert page.href(42) == "/g/42"
    assert page.href(42, "points", 2) == "/g/42?page=2"
    assert page.href(42, "vouches", 3) == "/g/42?board=vouches&page=3"
