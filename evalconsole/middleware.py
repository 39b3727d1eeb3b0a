from django.shortcuts import render

from evalconsole.errors import Conflict


class ConflictMiddleware:
    """Pages show a refused state change (a published version, say) as a 409 page, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Conflict):
            return render(request, "conflict.html", {"message": exception.message}, status=409)
        return None
