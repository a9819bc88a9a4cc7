from django.urls import path

from steward.imports import views

app_name = "imports"

urlpatterns = [
    path("<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("<int:pk>/progress/", views.RunProgressView.as_view(), name="run_progress"),
    path("<int:pk>/import/", views.ImportCheckedView.as_view(), name="run_import"),
    path("<int:pk>/rejected.csv", views.RejectionsCsvView.as_view(), name="rejections_csv"),
    path("<int:pk>/rejected.xlsx", views.RejectionsXlsxView.as_view(), name="rejections_xlsx"),
]
