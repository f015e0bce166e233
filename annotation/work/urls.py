from django.urls import path

from annotation.work import api, views

urlpatterns = [
    path("projects/<slug:slug>/start", views.start_working, name="start-working"),
    path("projects/<slug:slug>/my-work/", views.my_work, name="my-work"),
    path("work/heartbeat", views.heartbeat, name="heartbeat"),
    path("work/<int:assignment_id>/", views.workspace_page, name="workspace"),
    path("work/<int:assignment_id>/draft", views.save_draft, name="workspace-draft"),
    path("work/<int:assignment_id>/run", views.run_tests, name="workspace-run"),
    path("work/<int:assignment_id>/results", views.results, name="workspace-results"),
    path("work/<int:assignment_id>/submit", views.submit, name="workspace-submit"),
    path("work/<int:assignment_id>/skip", views.skip, name="workspace-skip"),
    path("work/<int:assignment_id>/diff", views.diff, name="workspace-diff"),
    path("work/<int:assignment_id>/reopen", views.reopen, name="workspace-reopen"),
    path("work/<int:assignment_id>/flag", views.flag, name="workspace-flag"),
    path("work/<int:assignment_id>/replies", views.reply, name="workspace-reply"),
]

api_urlpatterns = [
    path("projects/<slug:slug>/assignments/next", api.ClaimNext.as_view(), name="api-claim-next"),
    path("assignments/<int:assignment_id>", api.AssignmentDetail.as_view(), name="api-assignment"),
    path("assignments/<int:assignment_id>/draft", api.Draft.as_view(), name="api-draft"),
    path("assignments/<int:assignment_id>/runs", api.Runs.as_view(), name="api-runs"),
    path("assignments/<int:assignment_id>/runs/latest", api.LatestRun.as_view(), name="api-run-latest"),
    path("assignments/<int:assignment_id>/submit", api.Submit.as_view(), name="api-submit"),
    path("assignments/<int:assignment_id>/skip", api.Skip.as_view(), name="api-skip"),
    path("assignments/<int:assignment_id>/reopen", api.Reopen.as_view(), name="api-reopen"),
    path("projects/<slug:slug>/my-work", api.MyWork.as_view(), name="api-my-work"),
    path("heartbeat", api.Heartbeat.as_view(), name="api-heartbeat"),
    path("assignments/<int:assignment_id>/flag", api.Flag.as_view(), name="api-flag"),
]
