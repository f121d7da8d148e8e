"""The README is the front door: it must render (PyPI rejects broken
reStructuredText), and its "Try it" commands must work as written (CI runs
them, one after the other in one shell, from the repository's root)."""

import re
import textwrap
from pathlib import Path

import docutils.core
import docutils.utils

README = Path(__file__).resolve().parent.parent / "README.rst"


def try_it_commands(text: str | None = None) -> list[str]:
    """The commands of the README's "Try it" section: its first literal block, one command a line."""
    text = README.read_text(encoding="utf-8") if text is None else text
    section = re.search(r"^Try it\n=+\n(.*?)(?=^\S[^\n]*\n[=\-~]+\n)", text, re.M | re.S)
    assert section, 'the README has no "Try it" section'
    block = re.search(r"::\n\n((?:(?:[ \t]+\S[^\n]*)?\n)+)", section.group(1))
    assert block, 'the "Try it" section has no literal block'
    return [line for line in textwrap.dedent(block.group(1)).splitlines() if line.strip()]


def test_readme_renders_without_warnings():
    docutils.core.publish_doctree(
        README.read_text(encoding="utf-8"),
        settings_overrides={"halt_level": docutils.utils.Reporter.WARNING_LEVEL, "report_level": 5},
    )


def test_try_it_commands_run_from_the_root_in_one_shell():
    commands = try_it_commands()
    assert len(commands) >= 2
    assert any("manage.py smoketest" in command for command in commands)
    for command in commands:
        # A `cd` outside a subshell would leave the shell in another folder for the next command.
        outside_subshells = re.sub(r"\([^()]*\)", "", command)
        assert not re.search(r"(^|[;&|]\s*)cd\b", outside_subshells), command


def test_try_it_extraction():
    readme = "Title\n=====\n\nTry it\n======\n\nText::\n\n    one\n    (cd x && two)\n\nAfter.\n\nNext\n====\n"
    assert try_it_commands(readme) == ["one", "(cd x && two)"]


def test_readme_says_how_to_run_the_test_suite():
    assert "python runtests.py" in README.read_text(encoding="utf-8")


if __name__ == "__main__":
    print("\n".join(try_it_commands()))
