"""The ``smoketest-settings`` directive: the settings reference, rendered from
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
from smoketest.core.settings import reference_rst


class SettingsReference(SphinxDirective):
    """``.. smoketest-settings::`` (no arguments, no content)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        if settings_module.__file__:
            self.env.note_dependency(settings_module.__file__)  # rebuilt when the table changes
        source = f"{settings_module.__name__}.reference_rst()"
        text = StringList(reference_rst().splitlines(), source=source)
        holder = nodes.section()
        holder.document = self.state.document
        nested_parse_with_titles(self.state, text, holder)
        return holder.children


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("smoketest-settings", SettingsReference)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
