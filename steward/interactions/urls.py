from django.urls import path

from steward.interactions import views

app_name = "interactions"

urlpatterns = [
    path("", views.InteractionListView.as_view(), name="list"),
    path("add/", views.InteractionCreateView.as_view(), name="add"),
    path("<int:pk>/", views.InteractionDetailView.as_view(), name="detail"),
    path("calls/", views.CallListView.as_view(), name="calls"),
]
