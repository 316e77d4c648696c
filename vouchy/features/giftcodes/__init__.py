"""Gift codes: new codes from community lists or admins, redeemed for every registered player
of a mobile game through the publisher's API, each (code, player) at most once."""

from vouchy.features.giftcodes import texts as texts  # registers the keys every module raises
