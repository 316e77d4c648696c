"""Running Vouchy: health and heartbeat, Prometheus metrics, imports from older bots."""
