from django.urls import path

from steward.leads import views

app_name = "leads"

urlpatterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("add/", views.LeadAddView.as_view(), name="add"),
    path("to-claim/", views.ClaimableLeadListView.as_view(), name="claimable"),
    path("<int:pk>/", views.LeadDetailView.as_view(), name="detail"),
    path("<int:pk>/claim/", views.ClaimView.as_view(), name="claim"),
]
