from django.urls import path

from steward.customers import merge_views, views

app_name = "customers"

urlpatterns = [
    path("", views.MyCustomersView.as_view(), name="my_customers"),
    path("related/", views.RelatedCustomersView.as_view(), name="related_customers"),
    path("org/", views.OrgCustomersView.as_view(), name="org_customers"),
    path("unassigned/", views.UnassignedCustomersView.as_view(), name="unassigned_customers"),
    path("add/", views.CustomerCreateView.as_view(), name="customer_add"),
    path("transfer/", views.TransferRequestView.as_view(), name="transfer_request"),
    path("allocation/", views.AllocationRequestView.as_view(), name="allocation_request"),
    path("assign/", views.AssignView.as_view(), name="assign"),
    path("<int:pk>/co-managers/", views.CoManagerView.as_view(), name="co_managers"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer_edit"),
    path("<int:pk>/tab/<str:tab>/", views.CustomerTabView.as_view(), name="customer_tab"),
    path("<int:pk>/subscriptions/", views.SubscriptionView.as_view(), name="customer_subscriptions"),
    path("<int:pk>/confidential/", views.ConfidentialView.as_view(), name="customer_confidential"),
    path("<int:pk>/confidential/grants/", views.ConfidentialGrantsView.as_view(), name="customer_confidential_grants"),
    path("<int:pk>/confidential/grant/", views.ConfidentialGrantView.as_view(), name="customer_confidential_grant"),
    path("<int:pk>/confidential/revoke/", views.ConfidentialRevokeView.as_view(), name="customer_confidential_revoke"),
    path("<int:pk>/notes/add/", views.NoteAddView.as_view(), name="note_add"),
    path("notes/<int:pk>/delete/", views.NoteDeleteView.as_view(), name="note_delete"),
    path("<int:pk>/notes/mentions/", views.MentionCandidatesView.as_view(), name="note_mention_candidates"),
    path("notes/", views.SharedNotesView.as_view(), name="shared_notes"),
    path("<int:pk>/relations/add/", views.RelationAddView.as_view(), name="relation_add"),
    path("<int:pk>/relations/remove/", views.RelationRemoveView.as_view(), name="relation_remove"),
    path("<int:pk>/household/create/", views.HouseholdCreateView.as_view(), name="household_create"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("households/<int:pk>/members/", views.HouseholdMemberView.as_view(), name="household_members"),
    path("<int:pk>/merge/", merge_views.MergeView.as_view(), name="customer_merge"),
    path("merge/", merge_views.MergeView.as_view(), name="merge"),
    path("duplicates/", merge_views.DuplicateCandidatesView.as_view(), name="duplicate_candidates"),
    path("ownership-conflicts/", merge_views.OwnershipConflictListView.as_view(), name="ownership_conflicts"),
    path(
        "ownership-conflicts/<int:pk>/resolve/",
        merge_views.OwnershipConflictResolveView.as_view(),
        name="ownership_conflict_resolve",
    ),
    path("import/", views.ImportView.as_view(), name="customer_import"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), name="customer_import_template"),
]
