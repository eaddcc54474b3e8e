from django.urls import path

from . import views
from .api import api

urlpatterns = [
    path("api/", api.urls),
    path("account/tokens/", views.tokens_page, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
