"""A RolesSmoke whose roles name a permission no model defines."""

from smoketest.checks import RolesSmoke


class Mistyped(RolesSmoke):
    roles = {"Editors": ["testapp.view_widget", "testapp.publish_widget"]}
