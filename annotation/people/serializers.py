"""The members and invitations API's shapes. An invitation's token is in no listing: a link invite's
answer to its create carries the link once; an email invite's link goes only to the address."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from annotation.people import services as people
from tasks.models import Invite, Role


class MemberOutput(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    email = serializers.EmailField(source="user.email")
    role = serializers.ChoiceField(choices=Role.choices)
    joined = serializers.DateTimeField()
    last_activity = serializers.DateTimeField(
        allow_null=True, help_text="Latest active time, submission or review verdict in this project."
    )


class MemberInput(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="An existing account.")
    role = serializers.ChoiceField(choices=Role.choices)


class RoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InviteInput(serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.CharField(max_length=254),
        required=False,
        max_length=people.MAX_EMAILS,
        help_text="Addresses to mail an invitation each (one use); leave out for a shareable link.",
    )
    role = serializers.ChoiceField(choices=Role.choices, default=Role.ANNOTATOR)
    days = serializers.IntegerField(min_value=1, max_value=people.MAX_DAYS, default=people.DEFAULT_DAYS)
    max_uses = serializers.IntegerField(
        min_value=1,
        max_value=people.LINK_MAX_USES,
        required=False,
        allow_null=True,
        help_text=f"A link only: how many people may accept it (default {people.LINK_MAX_USES}).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("emails") and attrs.get("max_uses") is not None:
            raise serializers.ValidationError({"max_uses": "an email invitation has one use: leave max_uses out"})
        return attrs


class InviteOutput(serializers.ModelSerializer):
    project = serializers.CharField(source="project.slug", read_only=True)
    kind = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Invite
        fields = [
            "id",
            "project",
            "kind",
            "email",
            "role",
            "state",
            "uses",
            "max_uses",
            "expires_at",
            "created_by",
            "created_at",
            "revoked_at",
        ]

    def get_kind(self, invite: Invite) -> str:
        return "email" if invite.email else "link"

    def get_state(self, invite: Invite) -> str:
        """pending, revoked, used or expired."""
        return people.invite_state(invite)


class InviteCreated(serializers.Serializer):
    invites = InviteOutput(many=True)
    url = serializers.URLField(allow_null=True, help_text="A link invite's accept link, given only here.")
    failed = serializers.ListField(
        child=serializers.EmailField(), help_text="Addresses the mail server refused (their invitations stand)."
    )
