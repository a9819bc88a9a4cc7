from django.urls import path

from steward.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("<int:pk>/", views.NoticeReadView.as_view(), name="detail"),
    path("read-all/", views.MarkAllReadView.as_view(), name="read_all"),
    path("notifications/<int:pk>/", views.NotificationOpenView.as_view(), name="notification"),
    path("manage/", views.NoticeListView.as_view(), name="manage_list"),
    path("manage/add/", views.NoticeCreateView.as_view(), name="manage_add"),
    path("manage/<int:pk>/", views.NoticeDetailView.as_view(), name="manage_detail"),
    path("manage/<int:pk>/edit/", views.NoticeEditView.as_view(), name="manage_edit"),
    path("manage/<int:pk>/publish/", views.NoticePublishView.as_view(), name="manage_publish"),
    path("manage/<int:pk>/delete/", views.NoticeDeleteView.as_view(), name="manage_delete"),
]
