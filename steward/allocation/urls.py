from django.urls import path

from steward.allocation import views

app_name = "allocation"

urlpatterns = [
    path("", views.AllocationRuleListView.as_view(), name="rule_list"),
    path("rules/add/", views.AllocationRuleFormView.as_view(), name="rule_add"),
    path("rules/<int:pk>/", views.AllocationRuleDetailView.as_view(), name="rule_detail"),
    path("rules/<int:pk>/edit/", views.AllocationRuleFormView.as_view(), name="rule_edit"),
    path("rules/<int:pk>/run/", views.AllocationRuleRunView.as_view(), name="rule_run"),
    path("manual/", views.ManualAllocationView.as_view(), name="manual"),
    path("runs/", views.AllocationRunListView.as_view(), name="run_list"),
    path("runs/<int:pk>/", views.AllocationRunDetailView.as_view(), name="run_detail"),
]
