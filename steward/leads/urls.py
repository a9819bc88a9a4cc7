from django.urls import path

from steward.leads import views

app_name = "leads"

urlpatterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("add/", views.LeadAddView.as_view(), name="add"),
    path("<int:pk>/", views.LeadDetailView.as_view(), name="detail"),
]
