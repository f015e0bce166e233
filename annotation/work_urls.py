from django.urls import path

from annotation import views

urlpatterns = [
    path("heartbeat", views.heartbeat, name="heartbeat"),
    path("<int:assignment_id>/", views.workspace_page, name="workspace"),
    path("<int:assignment_id>/draft", views.save_draft, name="workspace-draft"),
    path("<int:assignment_id>/run", views.run_tests, name="workspace-run"),
    path("<int:assignment_id>/results", views.results, name="workspace-results"),
    path("<int:assignment_id>/submit", views.submit, name="workspace-submit"),
    path("<int:assignment_id>/skip", views.skip, name="workspace-skip"),
    path("<int:assignment_id>/diff", views.diff, name="workspace-diff"),
]
