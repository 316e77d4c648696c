pytest_plugins = ["vouchy.testing.fake_discord.pytest_plugin"]
