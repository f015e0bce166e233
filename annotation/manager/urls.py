from django.urls import path

from annotation.manager import api, views

urlpatterns = [
    # beside tasks/urls.py's task pages (projects/SLUG/tasks/ID/): this path has no id, so they never clash
    path("projects/<slug:slug>/tasks/", views.task_manager, name="task-manager"),
]

api_urlpatterns = [
    path("projects/<slug:slug>/tasks/search", api.TaskSearch.as_view(), name="api-task-search"),
    path("projects/<slug:slug>/tasks/bulk", api.TaskBulk.as_view(), name="api-task-bulk"),
]
