"""``python -m vouchy``: the command line (see ``vouchy/cli/``)."""

from vouchy.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
