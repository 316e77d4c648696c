"""The Discord layer: hikari + lightbulb wiring, one extension per feature, rendering, and
the one error handler. It parses, checks permission, calls a feature and renders; no rule
lives here, and nothing imports it.
"""
