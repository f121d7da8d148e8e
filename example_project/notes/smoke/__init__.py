"""The notes app's smoke tests: a package, one module per concern."""
