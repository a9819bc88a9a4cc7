from django.urls import path

from steward.holdings import views

app_name = "holdings"

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("reminders/", views.ReminderListView.as_view(), name="reminder_list"),
    path("reminders/<int:pk>/", views.ReminderDetailView.as_view(), name="reminder_detail"),
    path("reminders/<int:pk>/act/", views.ReminderActView.as_view(), name="reminder_act"),
    path("reminders/act/", views.ReminderBulkActView.as_view(), name="reminder_bulk_act"),
    path("reminders/important-dates/", views.ImportantDateListView.as_view(), name="important_date_list"),
    path("reminders/important-dates/add/", views.ImportantDateFormView.as_view(), name="important_date_add"),
    path("reminders/important-dates/<int:pk>/", views.ImportantDateFormView.as_view(), name="important_date_edit"),
    path(
        "reminders/important-dates/<int:pk>/delete/",
        views.ImportantDateDeleteView.as_view(),
        name="important_date_delete",
    ),
    path("intake/", views.IntakeBatchListView.as_view(), name="batch_list"),
    path("intake/<int:pk>/", views.RejectedRowListView.as_view(), name="batch_detail"),
    path("intake/rejected/", views.AllRejectedRowListView.as_view(), name="rejected_rows"),
    path("intake/confirm/", views.ConfirmHeldDayView.as_view(), name="confirm_held_day"),
    path("customer/<int:pk>/accounts/", views.CustomerAccountsView.as_view(), name="customer_accounts"),
    path("customer/<int:pk>/transactions/", views.CustomerTransactionsView.as_view(), name="customer_transactions"),
]
