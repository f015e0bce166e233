from django.urls import path

from annotation.review import api, views

urlpatterns = [
    path("projects/<slug:slug>/review/", views.review_queue, name="review-queue"),
    path("review/<int:assignment_id>/", views.review_page, name="review-judgment"),
    path("review/<int:assignment_id>/replies", views.reply, name="review-reply"),
    path("projects/<slug:slug>/flags/", views.flags_page, name="task-flags"),
]

api_urlpatterns = [
    path("projects/<slug:slug>/reviews/queue", api.ReviewQueue.as_view(), name="api-review-queue"),
    path("assignments/<int:assignment_id>/review", api.ReviewVerdict.as_view(), name="api-review"),
    path("assignments/<int:assignment_id>/comments", api.LineComments.as_view(), name="api-review-comments"),
    path("projects/<slug:slug>/flags", api.Flags.as_view(), name="api-task-flags"),
]
