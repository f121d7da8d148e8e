"""The ``smoketest-settings`` and ``smoketest-setting-checks`` directives:
the settings reference and the per-setting system checks, rendered from
the table of settings (``smoketest.core.settings.SETTINGS``).

Each setting becomes a section (label ``smoketest-setting-<name>``, e.g.
``:ref:`smoketest-setting-timeout```) with its default, its doc line and the
system check that validates it. The text comes from
``smoketest.core.settings.reference_rst()``, which tests call without Sphinx.
"""

from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from smoketest.core import settings as settings_module
from smoketest.core.settings import checks_rst, reference_rst


class GeneratedText(SphinxDirective):
    """A directive (no arguments, no content) whose text ``render()`` makes."""

    has_content = False
    render: Any = None

    def run(self) -> list[nodes.Node]:
        if settings_module.__file__:
            self.env.note_dependency(settings_module.__file__)  # rebuilt when the table changes
        source = f"{settings_module.__name__}.{self.render.__name__}()"
        text = StringList(self.render().splitlines(), source=source)
        holder = nodes.section()
        holder.document = self.state.document
        nested_parse_with_titles(self.state, text, holder)
        return holder.children


class SettingsReference(GeneratedText):
    """``.. smoketest-settings::``: every setting, its default, doc and check."""

    render = staticmethod(reference_rst)


class SettingChecks(GeneratedText):
    """``.. smoketest-setting-checks::``: the system checks of one setting each."""

    render = staticmethod(checks_rst)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("smoketest-settings", SettingsReference)
    app.add_directive("smoketest-setting-checks", SettingChecks)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
