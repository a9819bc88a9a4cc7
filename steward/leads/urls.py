from django.urls import path

from steward.leads import views

app_name = "leads"

urlpatterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("add/", views.LeadAddView.as_view(), name="add"),
    path("to-claim/", views.ClaimableLeadListView.as_view(), name="claimable"),
    path("<int:pk>/", views.LeadDetailView.as_view(), name="detail"),
    path("<int:pk>/claim/", views.ClaimView.as_view(), name="claim"),
    path("regions/", views.RegionRouteListView.as_view(), name="region_list"),
    path("regions/add/", views.RegionRouteFormView.as_view(), name="region_add"),
    path("regions/<int:pk>/", views.RegionRouteFormView.as_view(), name="region_edit"),
    path("regions/<int:pk>/delete/", views.RegionRouteDeleteView.as_view(), name="region_delete"),
]
