from django.contrib.auth import views as auth_views
from django.urls import path

from .views import account, cases, clients, dashboard, firm, policy

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
    path("clients/<int:pk>/case/", cases.case_open, name="case_open"),
    path("cases/", cases.cases, name="cases"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/review/", cases.case_review, name="case_review"),
    path("cases/<int:pk>/reasons/", cases.case_reason_add, name="case_reason_add"),
    path("cases/<int:pk>/checks/", cases.case_checks_answer, name="case_checks"),
    path("cases/<int:pk>/submit/", cases.case_submit, name="case_submit"),
    path("cases/<int:pk>/withdraw/", cases.case_withdraw, name="case_withdraw"),
    path("cases/<int:pk>/plan/", cases.case_plan, name="case_plan"),
    path("cases/<int:pk>/override/", cases.case_override, name="case_override"),
    path("cases/<int:pk>/write-off/", cases.case_write_off, name="case_write_off"),
    path("cases/<int:pk>/notify/", cases.case_notify, name="case_notify"),
    path("cases/<int:pk>/advance/", cases.case_advance, name="case_advance"),
    path("cases/<int:pk>/tasks/", cases.case_task_add, name="case_task_add"),
    path("cases/<int:pk>/tasks/<int:task>/", cases.case_task, name="case_task"),
    path("partings/", cases.partings_page, name="partings"),
    path("referrals/", cases.referrals, name="referrals"),
    path("referrals/<int:item>/", cases.referrals, name="referral_edit"),
]
