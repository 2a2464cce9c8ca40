from django.urls import path

from kotapintar.permits import reports, views

app_name = "permits"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("types/<slug:code>/", views.type_detail, name="type"),
    path("types/<slug:code>/apply/", views.apply, name="apply"),
    path("my/", views.my_applications, name="mine"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/act/", views.application_act, name="act"),
    path("applications/<int:pk>/claim/", views.application_claim, name="claim"),
    path("applications/<int:pk>/revoke/", views.application_revoke, name="revoke"),
    path("applications/<int:pk>/survey/", views.application_survey, name="survey"),
    path("inbox/", views.inbox, name="inbox"),
    path("admin/types/", views.type_admin_list, name="type_admin"),
    path("admin/types/new/", views.type_admin_edit, name="type_admin_new"),
    path("admin/types/<slug:code>/", views.type_admin_edit, name="type_admin_edit"),
    path("reports/", reports.report_page, name="reports"),
    path("reports.csv", reports.report_csv_download, name="reports_csv"),
    path("reports.xlsx", reports.report_xlsx_download, name="reports_xlsx"),
    path("status/", views.status_lookup, name="status"),
    path("verify/<uuid:token>/", views.verify, name="verify"),
    path("bank/<str:code>/", views.bank, name="bank"),
]
