"""Gift codes: new codes from community lists or admins, redeemed for every registered player
of a mobile game through the publisher's API, each (code, player) at most once."""
