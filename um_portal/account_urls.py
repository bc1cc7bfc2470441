"""Account routes under /accounts/: sign in and out, second factor, password change and
reset (Django's views; the reset never says whether an account exists)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import account_views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=False, authentication_form=account_views.LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/setup/", account_views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", account_views.mfa_verify, name="mfa_verify"),
    path("mfa/enrol/<str:token>/", account_views.mfa_enrol, name="mfa_enrol"),
    path("mfa/recovery-codes/", account_views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("keep-alive/", account_views.keep_alive, name="keep_alive"),
    path("api-token/", account_views.api_token, name="api_token"),
    path("password/change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
