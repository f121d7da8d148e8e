"""Signals: ``run_finished(sender=SmokeRunner, result=RunResult)`` after every run."""

from django.dispatch import Signal

run_finished = Signal()
