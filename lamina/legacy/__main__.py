"""`python -m lamina.legacy script.py [args ...]`: run an old Keras script on lamina."""

import sys

from lamina.legacy.cli import main

if __name__ == "__main__":
    sys.exit(main(["legacy", *sys.argv[1:]]))
