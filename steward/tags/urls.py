from django.urls import path

from steward.tags import views

app_name = "tags"

urlpatterns = [
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/add/", views.TagCreateView.as_view(), name="tag_add"),
    path("tags/<int:pk>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("tags/<int:pk>/edit/", views.TagEditView.as_view(), name="tag_edit"),
    path("tags/<int:pk>/recompute/", views.TagRecomputeView.as_view(), name="tag_recompute"),
    path("tags/<int:pk>/active/", views.TagActiveView.as_view(), name="tag_active"),
    path("tags/categories/", views.CategoryListView.as_view(), name="category_list"),
    path("tags/categories/add/", views.CategoryCreateView.as_view(), name="category_add"),
    path("tags/categories/<int:pk>/", views.CategoryEditView.as_view(), name="category_edit"),
    path("groups/", views.GroupListView.as_view(), name="group_list"),
    path("groups/add/", views.GroupCreateView.as_view(), name="group_add"),
    path("groups/<int:pk>/", views.GroupDetailView.as_view(), name="group_detail"),
    path("groups/<int:pk>/edit/", views.GroupEditView.as_view(), name="group_edit"),
    path("groups/<int:pk>/delete/", views.GroupDeleteView.as_view(), name="group_delete"),
    path("groups/<int:pk>/batch/<str:key>/", views.GroupBatchView.as_view(), name="group_batch"),
    path("tags/bulk/group-add/", views.BulkGroupView.as_view(), name="bulk_group_add"),
    path("tags/bulk/group-remove/", views.BulkGroupView.as_view(remove=True), name="bulk_group_remove"),
    path("tags/bulk/tag-add/", views.BulkTagView.as_view(), name="bulk_tag_add"),
    path("tags/bulk/tag-remove/", views.BulkTagView.as_view(remove=True), name="bulk_tag_remove"),
    path("tags/customers/<int:pk>/tags/", views.CustomerTagView.as_view(), name="customer_tags"),
    path("tags/customers/<int:pk>/groups/", views.CustomerGroupJoinView.as_view(), name="customer_group_join"),
]
