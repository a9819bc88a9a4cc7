from django.urls import path

from steward.attendance import views

app_name = "attendance"

urlpatterns = [
    path("", views.AttendanceListView.as_view(), name="list"),
    path("record/", views.AttendanceRecordView.as_view(), name="record"),
    path("<int:pk>/delete/", views.AttendanceDeleteView.as_view(), name="delete"),
    path("quotas/", views.QuotaListView.as_view(), name="quota_list"),
    path("quotas/add/", views.QuotaFormView.as_view(), name="quota_add"),
    path("quotas/<int:pk>/", views.QuotaFormView.as_view(), name="quota_edit"),
    path("quotas/<int:pk>/delete/", views.QuotaDeleteView.as_view(), name="quota_delete"),
    path("calendar/", views.TaskCalendarView.as_view(), name="calendar"),
    path("calendar/days/", views.CalendarDaysView.as_view(), name="calendar_days"),
]
