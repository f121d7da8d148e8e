"""``python -m smoketest.check URL``: the documented way to run
``smoketest-check`` without its script (the client is ``smoketest.client``)."""

import sys

from smoketest.client import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
