"""Durability: the journal, verified snapshots and their schedule, recovery and restore,
background checkpoints, the data-directory lock and the storage report."""
