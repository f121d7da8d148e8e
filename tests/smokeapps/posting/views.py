"""Create and update views: ones that work, one that drops its data, one
that breaks for staff, one behind a login, one that needs a file."""

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.views.generic import CreateView, FormView, UpdateView

from tests.testapp.models import Widget


class WidgetCreate(CreateView):
    model = Widget
    fields = ["name"]
    success_url = "/"
    template_name = "form.html"


class LosingCreate(WidgetCreate):
    def form_valid(self, form):
        return HttpResponseRedirect(self.success_url)


class StaffBreaksCreate(WidgetCreate):
    def form_valid(self, form):
        if self.request.user.is_staff and not self.request.user.is_superuser:
            raise RuntimeError("saving broke for staff")
        return super().form_valid(form)


class MembersCreate(LoginRequiredMixin, WidgetCreate):
    pass


class SingletonUpdate(UpdateView):
    model = Widget
    fields = ["name"]
    success_url = "/"
    template_name = "form.html"

    def get_object(self, queryset=None):
        return Widget.objects.get_or_create(name="singleton")[0]


class UploadForm(forms.ModelForm):
    attachment = forms.FileField()

    class Meta:
        model = Widget
        fields = ["name"]


class UploadCreate(WidgetCreate):
    form_class = UploadForm
    fields = None


class NotAModelForm(FormView):
    """A FormView, not a create or update view: never posted."""

    form_class = UploadForm
    template_name = "form.html"
