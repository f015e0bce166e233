from django.urls import path

from annotation.timesheets import api, views

urlpatterns = [
    path("projects/<slug:slug>/timesheet/", views.timesheet_page, name="timesheet"),
]

api_urlpatterns = [
    path("projects/<slug:slug>/timesheet", api.Timesheet.as_view(), name="api-timesheet"),
]
