from django.urls import path

from steward.access import views

app_name = "access"

urlpatterns = [
    path("roles/", views.RoleListView.as_view(), name="role_list"),
    path("roles/add/", views.RoleFormView.as_view(), name="role_add"),
    path("roles/<int:pk>/", views.RoleFormView.as_view(), name="role_detail"),
]
