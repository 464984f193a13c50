"""`python -m framewatch`: the same entry point as the installed `framewatch` command."""

import sys

from framewatch.cli import main

sys.exit(main())
