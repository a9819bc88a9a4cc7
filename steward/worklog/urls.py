from django.urls import path

from steward.worklog import views

app_name = "worklog"

urlpatterns = [
    path("", views.WorkEntryListView.as_view(), name="entry_list"),
    path("add/", views.WorkEntryFormView.as_view(), name="entry_add"),
    path("<int:pk>/", views.WorkEntryDetailView.as_view(), name="entry_detail"),
    path("<int:pk>/edit/", views.WorkEntryFormView.as_view(), name="entry_edit"),
    path("<int:pk>/delete/", views.WorkEntryDeleteView.as_view(), name="entry_delete"),
    path("<int:pk>/guidance/", views.GuidanceView.as_view(), name="entry_guidance"),
    path("warnings/", views.WorkWarningsView.as_view(), name="warnings"),
    path("work-items/", views.WorkItemListView.as_view(), name="item_list"),
    path("work-items/add/", views.WorkItemFormView.as_view(), name="item_add"),
    path("work-items/<int:pk>/", views.WorkItemDetailView.as_view(), name="item_detail"),
    path("workflows/", views.WorkflowRunListView.as_view(), name="run_list"),
    path("workflows/start/", views.WorkflowStartView.as_view(), name="run_start"),
    path("workflows/<int:pk>/", views.WorkflowRunDetailView.as_view(), name="run_detail"),
    path("workflows/templates/", views.WorkflowTemplateListView.as_view(), name="template_list"),
    path("workflows/templates/add/", views.WorkflowTemplateFormView.as_view(), name="template_add"),
    path("workflows/templates/<int:pk>/", views.WorkflowTemplateFormView.as_view(), name="template_edit"),
]
