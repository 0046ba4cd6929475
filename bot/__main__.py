"""``python -m bot`` is the same as the ``resilience-bot`` command."""

from bot.cli import main

raise SystemExit(main())
