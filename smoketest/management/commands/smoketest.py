"""``manage.py smoketest``: the endpoint's run, for deploy scripts."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from smoketest.access import Disclosure
from smoketest.renderers import RENDERERS_BY_FORMAT
from smoketest.runner import run_smoke_tests


class Command(BaseCommand):
    help = "Run the smoke tests (rolled back on every database) and print the report. Exit 0 on PASS, 1 on FAIL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format", choices=list(RENDERERS_BY_FORMAT), default="text", help="Report format (default: text)."
        )
        parser.add_argument("--json", action="store_const", dest="format", const="json", help="Same as --format json.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_smoke_tests()
        renderer = RENDERERS_BY_FORMAT[options["format"]]()
        report = renderer.render(result, renderer_context={"disclosure": Disclosure(tracebacks=True)}).decode()
        self.stdout.write(report, ending="" if report.endswith("\n") else "\n")
        if not result.passed:
            raise SystemExit(1)
