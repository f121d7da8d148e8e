"""RolesSmoke configured by subclassing, with the test models' permissions."""

from smoketest.checks import RolesSmoke


class Roles(RolesSmoke):
    roles = {
        "Editors": ["testapp.change_widget", "testapp.view_widget"],
        "Support": ["auth.view_user"],
    }
