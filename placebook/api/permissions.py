from rest_framework import permissions

from placebook.core.permissions import Permission, has_permission


class ReadPublicWriteOfficer(permissions.BasePermission):
    """Anyone may read (querysets are cut down by ``visible_to``); writes need an officer role.

    A view can name a stricter permission for writes with ``write_permission``.
    """

    message = "Changing reference data needs a council officer, commissioner or senior manager."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return has_permission(
                request.user, getattr(view, "read_permission", Permission.PUBLISHED_DATA_VIEW)
            )
        return has_permission(
            request.user, getattr(view, "write_permission", Permission.REFERENCE_DATA_EDIT)
        )
