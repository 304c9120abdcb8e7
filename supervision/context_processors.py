from django.conf import settings

from .models import Role


def ducha(request):
    user = getattr(request, "user", None)
    context = {"HOSPITAL_NAME": settings.HOSPITAL_NAME, "Role": Role}
    if user is not None and user.is_authenticated:
        # One cheap indexed count per page; the navbar badge.
        context["unread_notifications"] = user.notifications.filter(read_at__isnull=True).count()
        context["user_roles"] = user.roles
        # The navigation depends on the roles and the language only: base.html caches it by this key.
        context["user_roles_key"] = ",".join(sorted(user.roles))
    return context
