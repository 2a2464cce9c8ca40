from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from kotapintar.core import account_views

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("login/verify/", account_views.login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", account_views.register, name="register"),
    path("profile/", account_views.profile, name="profile"),
    path("two-factor/", account_views.two_factor, name="two_factor"),
    path("api-tokens/", account_views.api_tokens, name="api_tokens"),
    path("password-reset/", auth_views.PasswordResetView.as_view(
        template_name="core/password_reset.html", email_template_name="core/password_reset_email.txt",
        subject_template_name="core/password_reset_subject.txt",
        success_url=reverse_lazy("core:password_reset_done")), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="core/password_reset_done.html"), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="core/password_reset_confirm.html",
        success_url=reverse_lazy("core:password_reset_complete")), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="core/password_reset_complete.html"), name="password_reset_complete"),
]
