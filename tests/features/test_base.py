"""What a feature's service is given by the composition root."""

from __future__ import annotations

from pathlib import Path

from support.durability import config_for

from vouchy import features
from vouchy.app import Vouchy
from vouchy.features.base import Context, Feature
from vouchy.store.operations import Move, Op, Receipt


async def test_a_service_may_listen_to_every_commit_it_did_not_make_itself(
    tmp_path: Path, monkeypatch
) -> None:
    heard: list[str] = []

    class Listening:
        def __init__(self, ctx: Context) -> None:
            ctx.commit_listeners.append(self.on_commit)

        def on_commit(self, receipts: list[Receipt]) -> None:
            heard.extend(r.reference for r in receipts)

    listening = Feature(name="listening", summary="hears commits", service=Listening)
    monkeypatch.setattr(features, "FEATURES", (*features.FEATURES, listening))
    async with Vouchy(config_for(tmp_path)) as app:
        op = Op(
            guild_id=1,
            user_id=2,
            reference="heard-1",
            name="points.earn",
            moves=(Move(user_id=2, kind="earn", delta=5),),
        )
        receipt = await app.actors.member(1, 2).submit(op)
    assert receipt.reference == "heard-1" and heard == ["heard-1"]
