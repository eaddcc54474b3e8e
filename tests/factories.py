"""factory_boy factories for every model; ``.build()`` where no database is needed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from parting.clients.models import AccessGrant, Client, Contact
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
from parting.firms.models import Firm, Membership, Service, WorkingDay
from parting.signs.policy import policy_for


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Firm {n}")
    slug = factory.Sequence(lambda n: f"firm-{n}")
    time_zone = "Europe/Warsaw"
    currency = "EUR"
    target_hourly_rate = Decimal("100.00")

    @factory.post_generation
    def working_hours(firm, create, extracted, **kwargs):
        if not create:
            return
        hours = extracted if extracted is not None else [(d, dt.time(9), dt.time(17)) for d in range(5)]
        for weekday, starts, ends in hours:
            WorkingDay.objects.create(firm=firm, weekday=weekday, starts=starts, ends=ends)
        policy_for(firm)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def saved(user, create, extracted, **kwargs):
        if create:
            user.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    firm = factory.SubFactory(FirmFactory)
    role = Membership.Role.OWNER

    class Params:
        staff = factory.Trait(role=Membership.Role.STAFF)
        partner = factory.Trait(role=Membership.Role.PARTNER)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"Client {n}")
    started_on = dt.date(2024, 1, 1)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")


class AccessGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessGrant

    client = factory.SubFactory(ClientFactory)
    name = "Bank portal"
    kind = AccessGrant.Kind.BANK


class EvidenceFactory(factory.django.DjangoModelFactory):
    client = factory.SubFactory(ClientFactory)
    firm = factory.SelfAttribute("client.firm")


class InvoiceFactory(EvidenceFactory):
    class Meta:
        model = Invoice
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"INV-{n:05d}")
    issued_on = dt.date(2026, 3, 1)
    due_on = factory.LazyAttribute(lambda o: o.issued_on + dt.timedelta(days=14))
    amount = Decimal("1000.00")
    currency = "EUR"

    @factory.post_generation
    def payments(self, create, extracted, **kwargs):
        """An invoice made with ``paid_on`` / ``amount_paid`` gets the payment row they summarise
        (payments are the truth since issue 10; the two columns are kept from them)."""
        if not create or extracted is False:
            return
        amount = self.amount_paid or (self.amount - self.discount_given if self.paid_on else 0)
        if amount and amount > 0:
            Payment.objects.create(
                firm=self.firm,
                client=self.client,
                invoice=self,
                paid_on=self.paid_on or self.due_on,
                amount=amount,
                origin=Payment.Origin.INVOICE,
            )


class MeetingFactory(EvidenceFactory):
    class Meta:
        model = Meeting

    starts_at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))


class MessageFactory(EvidenceFactory):
    class Meta:
        model = Message

    sent_at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


class ClientRequestFactory(EvidenceFactory):
    class Meta:
        model = ClientRequest

    description = "Signed tax form"
    requested_on = dt.date(2026, 3, 1)
    due_on = dt.date(2026, 3, 10)


class IncidentFactory(EvidenceFactory):
    class Meta:
        model = Incident

    kind = Incident.Kind.REWORK
    occurred_on = dt.date(2026, 3, 5)


class TimeEntryFactory(EvidenceFactory):
    class Meta:
        model = TimeEntry

    date = dt.date(2026, 3, 5)
    hours = Decimal("1.00")
