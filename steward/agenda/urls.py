from django.urls import path

from steward.agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    path("entries/", views.EntriesView.as_view(), name="entries"),
    path("notes/", views.NoteListView.as_view(), name="note_list"),
    path("notes/add/", views.NoteFormView.as_view(), name="note_add"),
    path("notes/<int:pk>/", views.NoteFormView.as_view(), name="note_edit"),
    path("notes/<int:pk>/delete/", views.NoteDeleteView.as_view(), name="note_delete"),
    path("feed/reset/", views.FeedResetView.as_view(), name="feed_reset"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
