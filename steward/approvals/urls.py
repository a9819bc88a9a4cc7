from django.urls import path
from django.views.generic import RedirectView

from steward.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="approvals:mine"), name="index"),
    path("mine/", views.MyApplicationsView.as_view(), name="mine"),
    path("new/", views.NewApplicationChooseView.as_view(), name="new"),
    path("new/<str:type_key>/", views.NewApplicationView.as_view(), name="new_of_type"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("monitor/", views.MonitorView.as_view(), name="monitor"),
    path("<int:pk>/", views.ApplicationDetailView.as_view(), name="detail"),
    path("<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("<int:pk>/reject/", views.RejectView.as_view(), name="reject"),
    path("<int:pk>/forward/", views.ForwardView.as_view(), name="forward"),
    path("<int:pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("<int:pk>/reroute/", views.RerouteView.as_view(), name="reroute"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
]
