"""Careless smoke tests aimed at the lazy start of the isolation guard."""
