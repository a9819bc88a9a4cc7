from django.urls import path

from steward.access import views

app_name = "access"

urlpatterns = [
    path("roles/", views.RoleListView.as_view(), name="role_list"),
    path("roles/add/", views.RoleFormView.as_view(), name="role_add"),
    path("roles/<int:pk>/", views.RoleFormView.as_view(), name="role_detail"),
    path("tokens/", views.MyApiTokensView.as_view(), name="my_api_tokens"),
    path("employees/<int:pk>/tokens/", views.EmployeeApiTokensView.as_view(), name="employee_api_tokens"),
]
