from django.urls import path

from kotapintar.complaints import office_views, views

app_name = "complaints"

urlpatterns = [
    # citizens and the public (views.py)
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("new/questions/", views.category_questions, name="questions"),
    path("new/sent/<str:tracking>/", views.report_sent, name="sent"),
    path("nearby/", views.report_nearby, name="nearby"),
    path("track/", views.track, name="track"),
    path("mine/", views.mine, name="mine"),
    path("stats/", views.stats, name="stats"),
    path("services/", views.services, name="services"),
    path("r/<str:tracking>/", views.detail, name="detail"),
    path("r/<str:tracking>/confirm/<str:code>/", views.confirm, name="confirm"),
    path("r/<str:tracking>/info/", views.add_info, name="info"),
    path("r/<str:tracking>/act/", views.reporter_act, name="reporter_act"),
    path("r/<str:tracking>/rate/", views.rate, name="rate"),
    path("r/<str:tracking>/support/", views.support, name="support"),
    path("r/<str:tracking>/photo/<uuid:token>/", views.photo, name="photo"),
    # officials (office_views.py)
    path("queue/", office_views.queue, name="queue"),
    path("office/<str:tracking>/", office_views.office_detail, name="office_detail"),
    path("office/<str:tracking>/act/", office_views.office_act, name="office_act"),
    path("office/<str:tracking>/assign/", office_views.office_assign, name="office_assign"),
    path("office/<str:tracking>/comment/", office_views.office_comment, name="office_comment"),
    path("office/<str:tracking>/merge/", office_views.office_merge, name="office_merge"),
    path("office/<str:tracking>/moderate/", office_views.office_moderate, name="office_moderate"),
    path("admin/", office_views.admin_home, name="admin"),
    path("admin/categories/new/", office_views.admin_category, name="admin_category_new"),
    path("admin/categories/<slug:code>/", office_views.admin_category, name="admin_category"),
    path("admin/standards/new/", office_views.admin_standard, name="admin_standard_new"),
    path("admin/standards/<slug:code>/", office_views.admin_standard, name="admin_standard"),
    path("admin/keys/", office_views.admin_keys, name="admin_keys"),
    path("admin/keys/<int:pk>/revoke/", office_views.admin_key_revoke, name="admin_key_revoke"),
]
