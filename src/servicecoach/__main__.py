"""``python -m servicecoach``: the command line, where the ``servicecoach`` script is not on
PATH (a virtual environment not activated, a CI image, Windows without Scripts on PATH)."""

import sys

from servicecoach.cli import main

sys.exit(main())
