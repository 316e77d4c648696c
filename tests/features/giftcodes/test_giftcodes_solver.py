"""The default captcha solver is an optional extra: importing Vouchy never needs it, and a
missing extra is a clear configuration error that names it."""

from __future__ import annotations

import subprocess
import sys
import types
from typing import Any

import pytest

from vouchy.core.errors import ConfigError
from vouchy.features.giftcodes import solver
from vouchy.features.giftcodes.provider import GiftCodeClient


def test_importing_the_feature_does_not_import_the_ocr_package() -> None:
    code = (
        "import sys, vouchy.features.giftcodes.provider, vouchy.features.giftcodes.solver;"
        "print('ddddocr' in sys.modules, 'onnxruntime' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_missing_extra_is_a_config_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ddddocr", None)  # makes ``import ddddocr`` fail
    with pytest.raises(solver.CaptchaExtraMissing) as err:
        solver.DdddOcrSolver()
    assert isinstance(err.value, ConfigError)
    assert "vouchy[captcha]" in err.value.message and "ddddocr" in err.value.message
    assert "vouchy[captcha]" in err.value.text("fr")


def test_a_captcha_client_without_a_solver_asks_for_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ddddocr", None)
    with pytest.raises(solver.CaptchaExtraMissing):
        GiftCodeClient("http://127.0.0.1:1/api", "secret", shape="captcha")
    GiftCodeClient("http://127.0.0.1:1/api", "secret", shape="plain")  # no captcha, no extra


class StubOcr:
    """Stands in for ``ddddocr.DdddOcr``: answers what it was told to."""

    result: Any = {"text": "AB3K", "confidence": 0.93}
    ranges: Any = None

    def __init__(self, **kw: object) -> None:
        self.kw = kw

    def set_ranges(self, ranges: object) -> None:
        StubOcr.ranges = ranges

    def classification(self, image: bytes, probability: bool = False) -> object:
        assert probability
        return StubOcr.result


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> type[StubOcr]:
    module = types.ModuleType("ddddocr")
    module.DdddOcr = StubOcr  # type: ignore[attr-defined]  # a stand-in module
    monkeypatch.setitem(sys.modules, "ddddocr", module)
    StubOcr.result = {"text": "AB3K", "confidence": 0.93}
    return StubOcr


def test_the_solver_returns_the_text_and_its_confidence(stub: type[StubOcr]) -> None:
    s = solver.DdddOcrSolver()
    assert s.solve(b"png") == ("AB3K", 0.93)
    assert set(stub.ranges) == set(solver.DEFAULT_ALPHABET)


@pytest.mark.parametrize(
    "result",
    [
        {"text": "AB3", "confidence": 0.99},  # too short
        {"text": "AB3K5", "confidence": 0.99},  # too long
        {"text": "AB-K", "confidence": 0.99},  # outside the alphabet
        {"text": "AB3K"},  # no confidence given
        "AB3K",  # an old version's plain answer
        None,
    ],
)
def test_an_answer_that_cannot_be_a_captcha_has_no_confidence(
    stub: type[StubOcr], result: object
) -> None:
    stub.result = result
    assert solver.DdddOcrSolver().solve(b"png")[1] == 0.0


def test_the_confidence_is_kept_between_zero_and_one(stub: type[StubOcr]) -> None:
    stub.result = {"text": "AB3K", "confidence": 7.5}
    assert solver.DdddOcrSolver().solve(b"png") == ("AB3K", 1.0)
