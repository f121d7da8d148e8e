from django.http import HttpRequest, HttpResponse

from notes.models import Note


def home(request: HttpRequest) -> HttpResponse:
    titles = ", ".join(Note.objects.order_by("title").values_list("title", flat=True))
    return HttpResponse(f"Notes: {titles}\n", content_type="text/plain")
