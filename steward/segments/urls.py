from django.urls import path

from steward.segments import views

app_name = "segments"

urlpatterns = [
    path("", views.SegmentListView.as_view(), name="segment_list"),
    path("filter/", views.BuilderView.as_view(), name="builder"),
    path("filter/results/", views.ResultsView.as_view(), name="results"),
    path("save/", views.SegmentSaveView.as_view(), name="segment_save"),
    path("<int:pk>/", views.SegmentDetailView.as_view(), name="segment_detail"),
    path("<int:pk>/refresh/", views.SegmentRefreshView.as_view(), name="segment_refresh"),
    path("<int:pk>/delete/", views.SegmentDeleteView.as_view(), name="segment_delete"),
    path("screens/", views.ScreenListView.as_view(), name="screen_list"),
    path("screens/<str:key>/", views.ScreenView.as_view(), name="screen"),
]
