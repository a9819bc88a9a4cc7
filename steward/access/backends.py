from django.contrib.auth.backends import ModelBackend

from steward.access.registry import registry


class RegistryPermissionBackend(ModelBackend):
    """Login by employee number; `user.has_perm("org.employee:view")` answers from the role registry.

    Left employees cannot log in (is_active is cleared when they leave).
    """

    def has_perm(self, user_obj, perm, obj=None):
        if perm in registry.permissions:
            from steward.access.services import has_permission

            return has_permission(user_obj, perm)
        # Django's own model permissions are used only by the Django admin, for superusers.
        return user_obj.is_active and user_obj.is_superuser

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_active and user_obj.is_superuser
