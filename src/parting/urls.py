from django.urls import include, path

urlpatterns = [
    path("", include("parting.api.urls")),
    path("", include("parting.web.urls")),
]
