"""The product's URLs plus the audit page under the name the lead adds to parting/web/urls.py
("audit"), so the page's tests run whether or not that line is in yet."""

from django.urls import include, path

from parting.web.views.audit import audit_log

urlpatterns = [
    path("audit/", audit_log, name="audit"),
    path("", include("parting.web.urls")),
]
