from django.urls import include, path

from kotapintar.core import account_urls, views

app_name = "core"

urlpatterns = [
    path("accounts/", include(account_urls)),
    path("i18n/language/", views.language_switch, name="language"),  # /i18n/ is a platform prefix
    path("", views.landing, name="landing"),
    path("<slug:city>/", views.city_home, name="city_home"),
    path("<slug:city>/office/", views.office, name="office"),
    path("<slug:city>/office/modules/", views.office_modules, name="office_modules"),
    path("<slug:city>/office/module-settings/", views.office_module_settings, name="office_module_settings"),
    path("<slug:city>/office/modules/<str:module_id>/", views.office_module_toggle, name="office_module_toggle"),
    path("<slug:city>/office/members/", views.office_members, name="office_members"),
    path("<slug:city>/office/members/<int:pk>/remove/", views.office_member_remove, name="office_member_remove"),
    path("<slug:city>/office/audit/", views.office_audit, name="office_audit"),
    path("<slug:city>/office/calendar/", views.office_calendar, name="office_calendar"),
    path("<slug:city>/office/settings/", views.office_settings, name="office_settings"),
    path("<slug:city>/logo/", views.city_logo, name="city_logo"),
]
