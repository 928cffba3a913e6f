"""`python -m symcalc.cli`: the same command as the `symcalc` script."""
import sys

from . import main

sys.exit(main())
