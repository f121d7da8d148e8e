"""``manage.py smoketest``: the endpoint's run, for deploy scripts."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from smoketest.access import Disclosure
from smoketest.renderers import JSONRenderer, PlainTextRenderer
from smoketest.runner import run_smoke_tests


class Command(BaseCommand):
    help = "Run the smoke tests (rolled back on every database) and print the report. Exit 0 on PASS, 1 on FAIL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the JSON document instead of the text report.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_smoke_tests()
        renderer = JSONRenderer() if options["json"] else PlainTextRenderer()
        report = renderer.render(result, renderer_context={"disclosure": Disclosure(tracebacks=True)}).decode()
        self.stdout.write(report, ending="" if report.endswith("\n") else "\n")
        if not result.passed:
            raise SystemExit(1)
