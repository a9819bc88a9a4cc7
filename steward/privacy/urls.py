from django.urls import path

from steward.privacy import views

app_name = "privacy"

urlpatterns = [
    path("reveal/<str:model_label>/<int:pk>/<str:field_name>/", views.reveal_field, name="reveal"),
]
