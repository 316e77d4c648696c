"""Run by test_giftcodes_crash.py as its own process (the test's own process carries a test
table that this one's schema must not meet), configured by the environment:

- ``setup FIDS CODES``: a server with auto-redeem, its players (checked through the publisher's
  lookup), the codes listed once; nothing redeemed (no background work); then exit;
- ``run``: Vouchy with its gift-code service started (the redemption loop and the poller) until
  SIGTERM (a clean stop) or SIGKILL (the test's crash). Prints READY once the work runs.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from vouchy.app import Vouchy, load_config
from vouchy.core.logs import configure_logging
from vouchy.features.giftcodes import sources
from vouchy.features.giftcodes.service import GiftCodeService

GUILD = 111_111_111_111_111_111
ADMIN = 333_333_333_333_333_333


async def setup(app: Vouchy, fids: list[str], codes: list[str]) -> None:
    values = {"auto_redeem": True}
    await app.update_settings(GUILD, "giftcodes", values, updated_by=ADMIN, reference="setup")
    service = app.service(GiftCodeService)
    for fid in fids:
        await service.add_player(GUILD, fid, by=ADMIN, reference=f"add-{fid}")
    await service.take_list(sources.CodeList())  # the first read: nothing listed yet
    body = ('{"codes": [' + ", ".join(f'"{c}"' for c in codes) + "]}").encode()
    await service.take_list(sources.parse_code_list(body))


async def main(args: list[str]) -> None:
    configure_logging("WARNING")  # stderr; stdout carries only READY
    app = await Vouchy(load_config()).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        if args[0] == "setup":
            await setup(app, args[1].split(","), args[2].split(","))
            return
        await app.start_background()
        print("READY", flush=True)
        await stop.wait()
    finally:
        await app.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
