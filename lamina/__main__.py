"""`python -m lamina COMMAND ...`: the same as the `lamina` command (see `lamina.cli`)."""

import sys

from lamina.cli import main

if __name__ == "__main__":
    sys.exit(main())
