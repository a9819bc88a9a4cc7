from django.urls import path

from steward.security import views

app_name = "security"

urlpatterns = [
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-step/", views.MySecondFactorView.as_view(), name="my_second_factor"),
    path("second-factors/", views.SecondFactorListView.as_view(), name="second_factor_list"),
    path("second-factors/<int:pk>/reset/", views.SecondFactorResetView.as_view(), name="second_factor_reset"),
]
