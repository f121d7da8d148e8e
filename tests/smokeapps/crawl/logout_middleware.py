"""A site rule like Label Studio's: a session whose user has no first name is
ended on the next request (``logout``), so the request runs anonymous."""

from django.contrib.auth import logout


class EndIncompleteProfiles:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.user.first_name:
            logout(request)
        return self.get_response(request)
