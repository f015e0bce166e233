from django.urls import path

from annotation.projects import api, views

# Listed before tasks.urls in annotation/urls.py: "projects/new/" would otherwise be a project's page.
urlpatterns = [
    path("projects/new/", views.create_page, name="project-create"),
    path("projects/new/preview/", views.create_preview, name="project-create-preview"),
    path("projects/<slug:slug>/settings/", views.settings_page, name="project-settings"),
    path("projects/<slug:slug>/settings/preview/", views.settings_preview, name="project-settings-preview"),
    path("projects/<slug:slug>/archive/", views.archive, name="project-archive"),
    path("projects/<slug:slug>/unarchive/", views.unarchive, name="project-unarchive"),
    path("projects/<slug:slug>/duplicate/", views.duplicate, name="project-duplicate"),
    path("projects/<slug:slug>/audit/", views.audit_page, name="project-audit"),
]

api_urlpatterns = [
    path("projects", api.ProjectCreate.as_view(), name="api-project-create"),
    path("projects/<slug:slug>", api.ProjectSettings.as_view(), name="api-project-settings"),
    path("projects/<slug:slug>/archive", api.ProjectArchive.as_view(), name="api-project-archive"),
    path("projects/<slug:slug>/unarchive", api.ProjectUnarchive.as_view(), name="api-project-unarchive"),
    path("projects/<slug:slug>/duplicate", api.ProjectDuplicate.as_view(), name="api-project-duplicate"),
    path("projects/<slug:slug>/audit", api.ProjectAudit.as_view(), name="api-project-audit"),
]
