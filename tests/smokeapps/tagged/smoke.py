from smoketest import SmokeTest, tag


@tag("critical")
class CriticalSmoke(SmokeTest):
    def test_database(self):
        pass

    @tag("slow", "report")
    def test_report(self):
        pass


class AttributeTagged(SmokeTest):
    tags = {"db"}

    def test_plain(self):
        pass

    @tag("critical")
    def test_both(self):
        pass


class InheritsCritical(CriticalSmoke):
    """Inherits its base's class tags and tagged methods."""

    @tag("db")
    def test_inherited_plus_own(self):
        pass


class OneStringTag(SmokeTest):
    tags = "external"  # one tag named "external", not eight one-letter tags

    def test_string(self):
        pass


class Untagged(SmokeTest):
    def test_nothing(self):
        pass
