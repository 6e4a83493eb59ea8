from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("password/", views.password_change, name="password_change"),
    path("security/", views.security, name="security"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/grant/", views.role_grant, name="role_grant"),
    path("grants/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("users/<int:pk>/lock/", views.user_lock, name="user_lock"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/reset-password/", views.user_password_reset, name="user_password_reset"),
    path("users/<int:pk>/reset-otp/", views.user_otp_reset, name="user_otp_reset"),
    path("audit/", views.audit_list, name="audit_list"),
    path("approvals/", views.approvals, name="approvals"),
]
