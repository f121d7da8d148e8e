"""``manage.py smoketest``: the endpoint's run, for deploy scripts.

Only the report goes to stdout; progress and warnings go to stderr.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smoketest.access import Disclosure
from smoketest.renderers import RENDERERS_BY_FORMAT
from smoketest.result import Status, TestOutcome
from smoketest.runner import run_smoke_tests
from smoketest.selection import Selection, SelectionError, selected_suite

USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Run the smoke tests (rolled back on every database) and print the report. "
        "Exit 0 on PASS, 1 on FAIL, 2 on a usage error."
    )
    # Like the endpoint, it reports what the smoke tests find; system checks
    # would only repeat a broken smoke module on stderr, or abort the run.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "args",
            nargs="*",
            metavar="label",
            help="Run only these: app_label, app_label.Class, app_label.Class.test_method or a smoke module path.",
        )
        parser.add_argument("--tag", action="append", default=[], help="Run only tests with this tag (repeatable).")
        parser.add_argument(
            "--exclude-tag", action="append", default=[], help="Do not run tests with this tag (repeatable)."
        )
        parser.add_argument(
            "--skip-app", action="append", default=[], help="Skip this app, on top of SMOKETEST_SKIP_APPS (repeatable)."
        )
        parser.add_argument("--failfast", action="store_true", help="Stop at the first failed or errored test.")
        output = parser.add_mutually_exclusive_group()
        output.add_argument(
            "--format", choices=list(RENDERERS_BY_FORMAT), default="text", help="Report format (default: text)."
        )
        output.add_argument("--json", action="store_const", dest="format", const="json", help="Same as --format json.")
        output.add_argument("--list", action="store_true", help="Print the tests that would run; run none.")

    def handle(self, *labels: str, **options: Any) -> None:
        selection = Selection(
            labels=labels, tags=options["tag"], exclude_tags=options["exclude_tag"], skip_apps=options["skip_app"]
        )
        try:
            if options["list"]:
                self.list_tests(selection)
                return
            progress = self.print_progress if options["verbosity"] >= 2 else None
            result = run_smoke_tests(selection, failfast=options["failfast"], on_outcome=progress)
        except SelectionError as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR)
        renderer = RENDERERS_BY_FORMAT[options["format"]]()
        report = renderer.render(result, renderer_context={"disclosure": Disclosure(tracebacks=True)}).decode()
        self.stdout.write(report, ending="" if report.endswith("\n") else "\n")
        if not result.passed:
            raise SystemExit(1)

    def list_tests(self, selection: Selection) -> None:
        for app in selected_suite(selection):
            for error in app.errors:
                message = f"{error.module} cannot be imported and would error: {error.error}"
                self.stderr.write(message, style_func=self.style.WARNING)
            for test_class in app.classes:
                for method in test_class.methods:
                    self.stdout.write(test_class.test_name(method))

    def print_progress(self, outcome: TestOutcome) -> None:
        style = {Status.PASS: self.style.SUCCESS, Status.SKIP: self.style.WARNING}.get(outcome.status, self.style.ERROR)
        self.stderr.write(f"{outcome.name} ... {outcome.status.name} ({outcome.duration_ms:.1f} ms)", style_func=style)
