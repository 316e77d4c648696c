from support import tables

pytest_plugins = ["vouchy.testing.fake_discord.pytest_plugin"]

tables.register()
