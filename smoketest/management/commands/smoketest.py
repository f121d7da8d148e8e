"""``manage.py smoketest``: the endpoint's run, for deploy scripts.

Only the report goes to stdout; progress, warnings and what ``--fix`` does
go to stderr.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smoketest.engine.fixing import fix_failures
from smoketest.engine.runner import RunInterrupted, run_smoke_tests
from smoketest.engine.selection import Selection, SelectionError, selected_suite
from smoketest.reports.disclosure import Disclosure
from smoketest.reports.result import RunResult, Status, TestOutcome
from smoketest.web.renderers import RENDERERS_BY_FORMAT

USAGE_ERROR = 2
INTERRUPTED = 2  # Ctrl-C: the report shows what ran until then


class Command(BaseCommand):
    help = (
        "Run the smoke tests (rolled back on every database) and print the report. "
        "Exit 0 on PASS, 1 on FAIL, 2 on a usage error or an interrupt (Ctrl-C)."
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
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Apply the fix of each failed test that has one (outside any rolled-back transaction), "
            "then run those tests again; the report and exit status show the state after.",
        )
        parser.add_argument("--dry-run", action="store_true", help="With --fix: print the fixes; change nothing.")

    def handle(self, *labels: str, **options: Any) -> None:
        if options["dry_run"] and not options["fix"]:
            raise CommandError("--dry-run needs --fix", returncode=USAGE_ERROR)
        if options["fix"] and options["list"]:
            raise CommandError("--fix cannot be combined with --list", returncode=USAGE_ERROR)
        selection = Selection(
            labels=labels, tags=options["tag"], exclude_tags=options["exclude_tag"], skip_apps=options["skip_app"]
        )
        try:
            if options["list"]:
                self.list_tests(selection)
                return
            progress = self.print_progress if options["verbosity"] >= 2 else None
            result = run_smoke_tests(selection, failfast=options["failfast"], on_outcome=progress)
            if options["fix"]:
                result = fix_failures(result, selected_suite(selection), dry_run=options["dry_run"], say=self.say)
        except SelectionError as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR)
        except RunInterrupted as interrupted:
            self.print_report(interrupted.result, options["format"])
            raise SystemExit(INTERRUPTED)
        self.print_report(result, options["format"])
        if not result.passed:
            raise SystemExit(1)

    def print_report(self, result: RunResult, format: str) -> None:
        renderer = RENDERERS_BY_FORMAT[format]()
        report = renderer.render(result, renderer_context={"disclosure": Disclosure(tracebacks=True)}).decode()
        self.stdout.write(report, ending="" if report.endswith("\n") else "\n")

    def list_tests(self, selection: Selection) -> None:
        for app in selected_suite(selection):
            for error in app.errors:
                message = f"{error.module} cannot be imported and would error: {error.error}"
                self.stderr.write(message, style_func=self.style.WARNING)
            for test_class in app.classes:
                for method in test_class.methods:
                    self.stdout.write(test_class.test_name(method))

    def say(self, line: str) -> None:
        self.stderr.write(line, style_func=self.style.NOTICE)

    def print_progress(self, outcome: TestOutcome) -> None:
        style = {Status.PASS: self.style.SUCCESS, Status.SKIP: self.style.WARNING}.get(outcome.status, self.style.ERROR)
        reason = f": {outcome.message}" if outcome.status is Status.SKIP and outcome.message else ""
        line = f"{outcome.name} ... {outcome.status.name} ({outcome.duration_ms:.1f} ms){reason}"
        self.stderr.write(line, style_func=style)
