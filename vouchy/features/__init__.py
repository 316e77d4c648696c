"""Features: one package each (pure rules, service, migrations, Discord extension, texts)."""
