"""`python -m nbmonitor copy SRC DST` (see `nbmonitor.cli`)."""

import sys

from .cli import main

sys.exit(main())
