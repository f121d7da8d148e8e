"""The email backend opens and closes a connection."""

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from smoketest.checks.base import BuiltinCheck


class EmailSmoke(BuiltinCheck):
    """``EMAIL_BACKEND`` opens a connection and closes it. No message is sent."""

    tags = frozenset({"builtin", "email"})
    #: Seconds to wait for the SMTP server when ``EMAIL_TIMEOUT`` is not set.
    connection_timeout: float = 10.0

    def test_email_backend_opens_a_connection(self) -> None:
        with self.failing_as("the email backend could not be created"):
            connection = get_connection(fail_silently=False)
        if isinstance(connection, SMTPBackend) and connection.timeout is None:
            connection.timeout = self.connection_timeout
        name = _describe_backend(connection)
        with self.failing_as(f"{name} could not open a connection"):
            connection.open()
        with self.failing_as(f"{name} could not close its connection"):
            connection.close()


def _describe_backend(connection: BaseEmailBackend) -> str:
    name = f"email backend {type(connection).__module__}.{type(connection).__qualname__}"
    if isinstance(connection, SMTPBackend):
        return f"{name} ({connection.host}:{connection.port})"
    return name
