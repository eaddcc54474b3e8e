from django.urls import include, path

urlpatterns = [
    path("", include("parting.web.urls")),
]
