"""Test tooling shipped with Vouchy: an offline fake Discord for end-to-end tests and benchmarks."""
