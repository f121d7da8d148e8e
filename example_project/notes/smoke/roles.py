from smoketest.checks import RolesSmoke


class NoteRoles(RolesSmoke):
    """The group a data migration creates still holds what editors need
    (``manage.py smoketest --fix`` restores it)."""

    roles = {"Note editors": ["notes.add_note", "notes.change_note", "notes.view_note"]}
