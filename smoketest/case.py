"""The base class users subclass in their ``smoke`` modules."""

import unittest


class SmokeTest(unittest.TestCase):
    """A ``unittest.TestCase`` run against the live site, inside a transaction
    that is rolled back on every database alias."""
