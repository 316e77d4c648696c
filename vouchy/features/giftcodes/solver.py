"""The default captcha solver: ddddocr, an OCR package that ships its own model, installed as
the optional extra ``vouchy[captcha]``.

Importing this module needs nothing extra; creating a ``DdddOcrSolver`` imports ddddocr and,
when it is missing, raises a ConfigError that names the extra. The answer is (text, confidence);
a text of the wrong length or with characters outside the captcha's alphabet gets confidence 0,
so the client fetches a new captcha rather than sending a guess.
"""

from __future__ import annotations

import importlib
import string
from typing import Any, Final

from vouchy.core.errors import ConfigError

EXTRA: Final = "captcha"
PACKAGE: Final = "ddddocr"
# The publisher's captchas: four letters and digits (as community bots observe).
DEFAULT_ALPHABET: Final = string.ascii_letters + string.digits
DEFAULT_LENGTH: Final = 4


class CaptchaExtraMissing(ConfigError):
    code = "captcha_extra_missing"

    def __init__(self) -> None:
        super().__init__("giftcodes.captcha_extra_missing", package=PACKAGE)


def _load_ddddocr() -> Any:
    try:
        return importlib.import_module(PACKAGE)
    except ImportError:
        raise CaptchaExtraMissing() from None


class DdddOcrSolver:
    """``solve(image) -> (answer, confidence)`` with ddddocr's bundled model, on the CPU."""

    def __init__(
        self, *, alphabet: str = DEFAULT_ALPHABET, length: int | None = DEFAULT_LENGTH
    ) -> None:
        module = _load_ddddocr()
        self.alphabet = frozenset(alphabet)
        self.length = length
        self._ocr = module.DdddOcr(show_ad=False)
        if alphabet:
            self._ocr.set_ranges(alphabet)

    def solve(self, image: bytes) -> tuple[str, float]:
        # Invariant: an answer that cannot be a captcha of this shape has confidence 0.
        result = self._ocr.classification(image, probability=True)
        text, confidence = _read_result(result)
        if not text or (self.length is not None and len(text) != self.length):
            return text, 0.0
        if any(ch not in self.alphabet for ch in text):
            return text, 0.0
        return text, confidence


def _read_result(result: object) -> tuple[str, float]:
    """ddddocr 1.6 answers ``{"text": ..., "confidence": ...}`` when asked for probabilities."""
    if isinstance(result, dict):
        text = result.get("text")
        confidence = result.get("confidence")
        if isinstance(text, str) and isinstance(confidence, int | float):
            return text.strip(), max(0.0, min(1.0, float(confidence)))
        if isinstance(text, str):
            return text.strip(), 0.0
    if isinstance(result, str):
        return result.strip(), 0.0  # no confidence given: never trusted
    return "", 0.0
