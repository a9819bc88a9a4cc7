from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS (issue 3, point 6).

    Every web login path (the login page, the Django admin, the API token endpoint) passes the
    request, and is checked per account and per client address. A call without a request —
    a script, the test client's ``login()`` — has no address to count and is not a web login:
    it goes on to the password check instead of failing with axes' "request required" error.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
