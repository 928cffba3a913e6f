"""`python -m symcalc`: the same command as the `symcalc` script."""
import sys

from .cli import main

sys.exit(main())
