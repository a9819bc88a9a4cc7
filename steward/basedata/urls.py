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
    path("holiday-calendar/", views.CalendarDayListView.as_view(), name="calendar_list"),
    path("holiday-calendar/add/", views.CalendarDayFormView.as_view(), name="calendar_add"),
    path("holiday-calendar/paste/", views.CalendarImportView.as_view(), name="calendar_import"),
    path("holiday-calendar/<int:pk>/", views.CalendarDayFormView.as_view(), name="calendar_edit"),
    path("holiday-calendar/<int:pk>/delete/", views.CalendarDayDeleteView.as_view(), name="calendar_delete"),
]
