"""The store: schema, the group-commit writer, read queries, audit (and, later, journal and snapshots).

Features talk to two narrow things: ``Writer.submit(op)`` and the ``Reader`` queries. SQLite
details stay behind them, so another backend could stand there one day.
"""
