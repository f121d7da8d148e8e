"""Prometheus text (0.0.4) and OpenMetrics (1.0.0) exposition of a run."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from smoketest.reports.result import RunResult, Status, TestOutcome

Labels = dict[str, str]


@dataclass(frozen=True)
class Gauge:
    """One metric family: its name, help text and samples. An ``info`` family
    is OpenMetrics' info type (samples named ``<name>_info``, value 1), a
    gauge named ``<name>_info`` in the 0.0.4 format."""

    name: str
    help: str
    samples: list[tuple[Labels, float]] = field(default_factory=list)
    info: bool = False


def run_metrics(result: RunResult, *, per_test: bool = True) -> list[Gauge]:
    """The metric families of one run, all gauges (each scrape is a new run);
    without ``per_test``, only those that name no test."""
    run = [
        Gauge("smoketest_up", "Whether the smoke test run passed (1) or failed (0).", [({}, result.passed)]),
        Gauge(
            "smoketest_tests",
            "Tests in the run, by status.",
            [({"status": status.value}, count) for status, count in result.counts.items()],
        ),
        Gauge("smoketest_run_duration_seconds", "How long the run took.", [({}, result.duration_ms / 1000)]),
        Gauge(
            "smoketest_last_run_timestamp_seconds",
            "When the run started, in seconds since the Unix epoch.",
            [({}, result.started_at.timestamp())],
        ),
    ]
    if result.release is not None:
        run.append(
            Gauge(
                "smoketest_release",
                "The SMOKETEST_RELEASE that ran the tests.",
                [({"release": result.release}, 1)],
                info=True,
            )
        )
    if not per_test:
        return run
    return run + [
        Gauge(
            "smoketest_test_duration_seconds",
            "How long each test took.",
            [(_test_labels(outcome), outcome.duration_ms / 1000) for outcome in result.outcomes],
        ),
        Gauge(
            "smoketest_test_passed",
            "Whether the test passed (1) or failed or errored (0); a skipped test has no sample.",
            [
                (_test_labels(outcome), outcome.status is Status.PASS)
                for outcome in result.outcomes
                if outcome.status is not Status.SKIP
            ],
        ),
    ]


def exposition(gauges: Iterable[Gauge], *, openmetrics: bool) -> str:
    """The text exposition: Prometheus 0.0.4, or OpenMetrics 1.0.0 (which ends in ``# EOF``)."""
    lines = []
    for gauge in gauges:
        sample_name = f"{gauge.name}_info" if gauge.info else gauge.name
        family, kind = (gauge.name, "info") if gauge.info and openmetrics else (sample_name, "gauge")
        lines += [f"# HELP {family} {gauge.help}", f"# TYPE {family} {kind}"]
        lines += [f"{sample_name}{_label_set(labels)} {_number(value)}" for labels, value in gauge.samples]
    if openmetrics:
        lines.append("# EOF")
    return "".join(f"{line}\n" for line in lines)


def _test_labels(outcome: TestOutcome) -> Labels:
    return {"test": outcome.name, "app": outcome.app}


def _label_set(labels: Labels) -> str:
    if not labels:
        return ""
    pairs = ",".join(f'{name}="{_escape(value)}"' for name, value in labels.items())
    return f"{{{pairs}}}"


def _number(value: float) -> str:
    """Counts and flags as integers, everything else in full precision."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _escape(value: str) -> str:
    """A label value with backslash, double quote and line feed escaped (both formats)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
