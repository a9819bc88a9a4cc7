from django.urls import path

from steward.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.TaskListView.as_view(), name="task_list"),
    path("add/", views.TaskAddView.as_view(), name="task_add"),
    path("<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("<int:pk>/close/", views.TaskCloseView.as_view(), name="task_close"),
    path("<int:pk>/evaluate/", views.TaskEvaluateView.as_view(), name="task_evaluate"),
    path("<int:pk>/pool/", views.TaskPoolView.as_view(), name="task_pool"),
    path("<int:pk>/draw/", views.DrawView.as_view(), name="task_draw"),
    path("mine/", views.MyItemListView.as_view(), name="my_items"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("items/<int:pk>/pick/", views.PickView.as_view(), name="item_pick"),
    path("categories/", views.CategoryListView.as_view(), name="category_list"),
    path("categories/add/", views.CategoryFormView.as_view(), name="category_add"),
    path("categories/<int:pk>/", views.CategoryFormView.as_view(), name="category_edit"),
]
