"""``python -m bot``: the operator's command line (see :mod:`bot.cli`)."""
import sys

from bot.cli import main

sys.exit(main())
