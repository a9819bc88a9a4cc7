from django.urls import path

from steward.basedata import views

app_name = "basedata"

urlpatterns = [
    path("code-tables/", views.CodeTableListView.as_view(), name="codetable_list"),
    path("code-tables/add/", views.CodeTableFormView.as_view(), name="codetable_add"),
    path("code-tables/<int:pk>/", views.CodeItemsView.as_view(), name="codetable_detail"),
    path("code-tables/<int:pk>/edit/", views.CodeTableFormView.as_view(), name="codetable_edit"),
    path("parameters/", views.ParameterListView.as_view(), name="parameter_list"),
    path("parameters/<int:pk>/", views.ParameterEditView.as_view(), name="parameter_detail"),
    path("parameters/refresh-cache/", views.RefreshCacheView.as_view(), name="refresh_cache"),
]
