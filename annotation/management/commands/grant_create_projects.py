"""Give users the site-wide "Can create projects" permission (or take it back with --revoke), so they
can set up projects as leads without being staff."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks.models import User


class Command(BaseCommand):
    help = 'Grant (or --revoke) the "Can create projects" permission: manage.py grant_create_projects USER...'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="+", metavar="USER")
        parser.add_argument("--revoke", action="store_true", help="take the permission away instead")

    def handle(self, *args: Any, **options: Any) -> None:
        permission = Permission.objects.get(content_type__app_label="tasks", codename="create_project")
        users = {u.username: u for u in User.objects.filter(username__in=options["usernames"])}
        missing = [name for name in options["usernames"] if name not in users]
        if missing:
            raise CommandError(
                f"no such user: {', '.join(missing)} (create them first, e.g. manage.py createsuperuser)"
            )
        for user in users.values():
            if options["revoke"]:
                user.user_permissions.remove(permission)
            else:
                user.user_permissions.add(permission)
        verb = "may no longer" if options["revoke"] else "may now"
        self.stdout.write(f"{', '.join(sorted(users))} {verb} create projects.")
