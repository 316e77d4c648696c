"""Vouches: proof-of-service posts (a screenshot mentioning the provider) that become a
provider's reputation and the voucher's points, with abuse rules, reversal and review."""
