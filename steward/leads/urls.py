from django.urls import path

from steward.leads import importing, views

app_name = "leads"

urlpatterns = [
    *importing.urlpatterns,  # import/ and import/template.xlsx (LEAD-07)
    path("", views.LeadListView.as_view(), name="list"),
    path("add/", views.LeadAddView.as_view(), name="add"),
    path("to-claim/", views.ClaimableLeadListView.as_view(), name="claimable"),
    path("<int:pk>/", views.LeadDetailView.as_view(), name="detail"),
    path("<int:pk>/claim/", views.ClaimView.as_view(), name="claim"),
    path("<int:pk>/follow-up/", views.FollowUpView.as_view(), name="follow_up"),
    path("<int:pk>/stage/", views.StageView.as_view(), name="stage"),
    path("<int:pk>/release/", views.ReleaseView.as_view(), name="release"),
    path("<int:pk>/opportunities/add/", views.OpportunityFormView.as_view(), name="opportunity_add"),
    path("<int:pk>/opportunities/<int:opportunity>/", views.OpportunityFormView.as_view(), name="opportunity_edit"),
    path("duplicates/", views.DuplicatesView.as_view(), name="duplicates"),
    path("pools/", views.LeadPoolListView.as_view(), name="pool_list"),
    path("pools/<int:pk>/", views.LeadPoolFormView.as_view(), name="pool_edit"),
    path("protection/", views.ProtectionRuleListView.as_view(), name="protection_list"),
    path("protection/add/", views.ProtectionRuleFormView.as_view(), name="protection_add"),
    path("protection/<int:pk>/", views.ProtectionRuleFormView.as_view(), name="protection_edit"),
    path("protection/<int:pk>/delete/", views.ProtectionRuleDeleteView.as_view(), name="protection_delete"),
    path("institutions/", views.InstitutionListView.as_view(), name="institution_list"),
    path("institutions/add/", views.InstitutionFormView.as_view(), name="institution_add"),
    path("institutions/<int:pk>/", views.InstitutionFormView.as_view(), name="institution_edit"),
    path("regions/", views.RegionRouteListView.as_view(), name="region_list"),
    path("regions/add/", views.RegionRouteFormView.as_view(), name="region_add"),
    path("regions/<int:pk>/", views.RegionRouteFormView.as_view(), name="region_edit"),
    path("regions/<int:pk>/delete/", views.RegionRouteDeleteView.as_view(), name="region_delete"),
]
