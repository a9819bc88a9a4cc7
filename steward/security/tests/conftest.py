import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_for():
    def api_for(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return api_for
