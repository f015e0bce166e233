from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tasks.models import Membership, Project, Response, Task, User

admin.site.register(User, UserAdmin)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "ranking_mode", "overlap", "pay_rate_per_hour"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class ResponseInline(admin.StackedInline):
    model = Response
    extra = 0


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["external_id", "project", "language", "created_at"]
    list_filter = ["project", "language"]
    search_fields = ["external_id", "prompt"]
    inlines = [ResponseInline]
