from django.urls import path

from tasks import views

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("<slug:slug>/", views.project_detail, name="project-detail"),
    path("<slug:slug>/import/", views.import_page, name="task-import"),
    path("<slug:slug>/import/confirm/", views.import_confirm, name="task-import-confirm"),
    # <path:>: an imported id may hold "/" (ids are the team's own, e.g. "repo/issue-12")
    path("<slug:slug>/tasks/<path:external_id>/", views.task_detail, name="task-detail"),
]
