from tests.smokeapps.passing.smoke import WidgetSmoke


class MoreWidgets(WidgetSmoke):
    """Configures the imported class: only this subclass runs from here."""
