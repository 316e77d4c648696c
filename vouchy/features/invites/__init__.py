"""Invite attribution: which invite each member joined through, who is credited for it, and
logs a person can open months later to prove it."""
