from django.urls import path

from steward.channels import views

app_name = "channels"

urlpatterns = [
    path("", views.OutboxView.as_view(), name="message_list"),
    path("<int:pk>/", views.MessageDetailView.as_view(), name="message_detail"),
    path("<int:pk>/cancel/", views.MessageCancelView.as_view(), name="message_cancel"),
]
