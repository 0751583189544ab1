import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from placebook.core.permissions import Permission, has_permission


def require_permission(*permissions: Permission):
    """Sends the public to sign in, and signed-in users holding none of the permissions to a
    403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if any(has_permission(request.user, p) for p in permissions):
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied

        return wrapped

    return decorator
