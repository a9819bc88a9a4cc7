from django.urls import path

from steward.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.JobListView.as_view(), name="job_list"),
    path("<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("<int:pk>/schedule/", views.JobScheduleView.as_view(), name="job_schedule"),
    path("<int:pk>/run/", views.JobRunNowView.as_view(), name="job_run"),
    path("<int:pk>/pause/", views.JobPauseView.as_view(), name="job_pause"),
    path("runs/", views.JobRunListView.as_view(), name="run_list"),
    path("runs/<int:pk>/", views.JobRunDetailView.as_view(), name="run_detail"),
]
