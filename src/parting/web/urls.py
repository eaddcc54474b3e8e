from django.contrib.auth import views as auth_views
from django.urls import path

from .views import account, clients, dashboard, firm, policy

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="parting/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", account.language_set, name="language"),
    path("policy/", policy.policy_edit, name="policy"),
    path("firm/", firm.firm_settings, name="firm_settings"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/<int:pk>/", clients.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", clients.client_edit, name="client_edit"),
    path("clients/<int:pk>/signs/<str:sign_id>/", clients.client_sign, name="client_sign"),
    path("clients/<int:pk>/log/<str:kind>/", clients.evidence_log, name="evidence_log"),
    path("clients/<int:pk>/log/<str:kind>/<int:item>/", clients.evidence_log, name="evidence_edit"),
    path("clients/<int:pk>/log/<str:kind>/<int:item>/delete/", clients.evidence_delete, name="evidence_delete"),
]
