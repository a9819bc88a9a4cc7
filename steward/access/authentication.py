"""``Authorization: Token <key>`` for the API, with expiry, idle limit and revocation (PLT-11).

Replaces DRF's ``TokenAuthentication``: the key is looked up by its SHA-256 hash in
``ApiToken``; a revoked, expired or lapsed (idle) token gets 401 with a message that says
which, so the other system's operator knows what to do.
"""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from steward.core.errors import DomainError


class ExpiringTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        from steward.access.services import authenticate_token

        try:
            return authenticate_token(key)
        except DomainError as refused:
            raise exceptions.AuthenticationFailed(refused.message) from refused
