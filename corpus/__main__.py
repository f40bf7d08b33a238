"""`python -m corpus`: the same command as `corpus`."""

import sys

from corpus.cli import main

sys.exit(main())
