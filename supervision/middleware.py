"""Small middleware: the user's saved language, and a Content-Security-Policy header."""

from __future__ import annotations

from django.utils import translation

# No inline scripts or styles anywhere: every script is a static file served by the app.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)

ADMIN_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class UserLanguageMiddleware:
    """A logged-in user's saved language wins over the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            # Django's admin uses inline scripts in a few widgets; it is staff-only.
            response.setdefault("Content-Security-Policy", ADMIN_CSP)
        else:
            response.setdefault("Content-Security-Policy", CSP)
        return response
