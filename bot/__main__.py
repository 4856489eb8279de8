"""`python -m bot` is the same as the `digest-bot` command."""

from bot.cli import main

raise SystemExit(main())
