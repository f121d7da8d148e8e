"""POST a minimal valid form to every create and update view without URL parameters."""

from typing import Any

from django import forms
from django.db import models, router
from django.test import Client
from django.views.generic.edit import BaseCreateView, BaseUpdateView

from smoketest.checks.payload import CannotFill, minimal_payload
from smoketest.checks.roles import RoleRequestsCheck
from smoketest.checks.routes import Route


class PostSmoke(RoleRequestsCheck):
    """For every ``CreateView`` and ``UpdateView`` reachable without URL
    parameters, under every role: GET the page, fill its form with the values
    it shows plus a sample for each empty required field, POST it, and fail
    on a 5xx answer, an exception, or a ``CreateView`` that redirects as on
    success but created no row. Everything is rolled back."""

    tags = frozenset({"builtin", "urls", "forms"})

    def test_forms_accept_a_minimal_post(self) -> None:
        routes = [route for route in self.routes() if _form_view(route) is not None]
        if not routes:
            self.skipTest("no create or update view without URL parameters")
        self.posted = 0
        self.not_posted: list[str] = []
        self.visit_routes(routes, self.check_post)
        if not self.posted:
            self.skipTest("no form could be posted: " + "; ".join(self.not_posted[: self.listed]))

    def check_post(self, client: Client, route: Route, role: str) -> str:
        label = f"POST {route.label} as {role}"
        return self.attempt(label, lambda: self.post_form(client, route, role, label))

    def post_form(self, client: Client, route: Route, role: str, label: str) -> str:
        page = self.get(client, route.path)
        if page.status_code >= 500:
            return f"GET {route.label} as {role}: status {page.status_code}"
        form = (getattr(page, "context_data", None) or {}).get("form")
        if not isinstance(form, forms.BaseForm):
            self.not_posted.append(f"{label}: no form on the page (GET answered {page.status_code})")
            return ""
        try:
            data = minimal_payload(form)
        except CannotFill as reason:
            self.not_posted.append(f"{label}: {reason}")
            return ""
        model = getattr(getattr(form, "_meta", None), "model", None)
        before = _count(model)
        response = self.post(client, route.path, data)
        if response.status_code >= 500:
            return f"{label}: status {response.status_code}"
        if not 300 <= response.status_code < 400:
            self.not_posted.append(f"{label}: the form rejected the sample data ({_form_errors(response)})")
            return ""
        self.posted += 1
        creates = issubclass(_form_view(route) or object, BaseCreateView)
        if creates and model is not None and _count(model) <= before:
            return f"{label}: answered {response.status_code} but created no {model._meta.label} row"
        return ""


def _form_view(route: Route) -> type | None:
    view_class = getattr(route.callback, "view_class", None)
    if isinstance(view_class, type) and issubclass(view_class, (BaseCreateView, BaseUpdateView)):
        return view_class
    return None


def _count(model: type[models.Model] | None) -> int:
    if model is None:
        return 0
    return model._base_manager.using(router.db_for_write(model)).count()


def _form_errors(response: Any) -> str:
    form = (getattr(response, "context_data", None) or {}).get("form")
    if not isinstance(form, forms.BaseForm):
        return f"status {response.status_code}"
    return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
