from django.urls import path

from steward.contactplans import views

app_name = "contactplans"

urlpatterns = [
    path("", views.ContactPlanListView.as_view(), name="plan_list"),
    path("add/", views.ContactPlanFormView.as_view(), name="plan_add"),
    path("<int:pk>/", views.ContactPlanDetailView.as_view(), name="plan_detail"),
    path("key-customers/", views.KeyCustomerListView.as_view(), name="key_list"),
    path("key-customers/flag/", views.KeyFlagView.as_view(), name="key_flag"),
]
