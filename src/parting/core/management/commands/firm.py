"""``parting firm create`` and ``parting firm add-member``: set up a real firm without the admin.
``add-member`` with the user name of an existing account adds that person to one more firm."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from parting.core.database import database_ready
from parting.firms.models import Firm, Membership
from parting.firms.services import firm_create, member_add, member_join


class Command(BaseCommand):
    help = "Create a firm with its owner, or add a member to a firm. Passwords are generated and shown once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a firm and its owner")
        create.add_argument("--name", required=True)
        create.add_argument("--slug")
        create.add_argument("--owner", required=True, help="the owner's user name")
        create.add_argument("--email", default="")
        create.add_argument("--time-zone", default="UTC")
        create.add_argument("--currency", default="EUR")
        create.add_argument("--language", default="en")
        add = sub.add_parser("add-member", help="add a member to an existing firm")
        add.add_argument("--firm", required=True, help="the firm's short name (slug)")
        add.add_argument("--username", required=True)
        add.add_argument("--role", choices=Membership.Role.values, default=Membership.Role.STAFF)
        add.add_argument("--email", default="")
        add.add_argument("--language", default="en")

    def handle(self, *args, **options):
        database_ready(self.stderr)
        username = options["owner"] if options["action"] == "create" else options["username"]
        existing = get_user_model().objects.filter(username=username).first()
        if existing is not None and options["action"] == "add-member":
            return self.add_existing(existing, options)  # a person in a second firm (issue 15)
        if existing is not None:
            raise CommandError(f"The user name {username!r} is taken.")
        try:
            with transaction.atomic():
                if options["action"] == "create":
                    firm = firm_create(
                        name=options["name"],
                        slug=options["slug"],
                        time_zone=options["time_zone"],
                        currency=options["currency"],
                    )
                    role = Membership.Role.OWNER
                else:
                    firm = Firm.objects.filter(slug=options["firm"]).first()
                    if firm is None:
                        raise CommandError(f"No firm with the short name {options['firm']!r}.")
                    role = options["role"]
                membership, password = member_add(
                    firm=firm, username=username, role=role, email=options["email"], language=options["language"]
                )
        except ValidationError as error:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            raise CommandError(f"Not created: {details}") from None
        self.stdout.write(f"{membership.get_role_display()} {username} of “{firm.name}” ({firm.slug}).")
        self.stdout.write(f"Password (shown once): {password}")
        self.stdout.write(f"Change it after logging in, on the page {reverse('password_change')}")

    def add_existing(self, user, options):
        """Add someone who already has an account to another firm: they keep their password."""
        firm = Firm.objects.filter(slug=options["firm"]).first()
        if firm is None:
            raise CommandError(f"No firm with the short name {options['firm']!r}.")
        try:
            membership = member_join(firm=firm, user=user, role=options["role"], language=options["language"])
        except ValidationError as error:
            raise CommandError(f"Not added: {' '.join(error.messages)}") from None
        self.stdout.write(
            f"{membership.get_role_display()} {user.username} of “{firm.name}” ({firm.slug}), "
            "with the password they already have."
        )
