from django.urls import path

from annotation.people import api, views

urlpatterns = [
    path("projects/<slug:slug>/people/", views.people_page, name="people"),
    # the link an invitation carries: public, the token is the credential
    path("invite/<str:token>/", views.invite_page, name="invite"),
    path("invite/<str:token>/accept", views.invite_accept, name="invite-accept"),
]

api_urlpatterns = [
    path("projects/<slug:slug>/members", api.ProjectMembers.as_view(), name="api-members"),
    path("projects/<slug:slug>/members/<str:username>", api.ProjectMember.as_view(), name="api-member"),
    path("projects/<slug:slug>/invites", api.ProjectInvites.as_view(), name="api-invites"),
    path("projects/<slug:slug>/invites/<int:invite_id>", api.ProjectInvite.as_view(), name="api-invite"),
]
