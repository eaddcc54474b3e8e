"""One form per kind of evidence, logged by hand on a client's page."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from parting.core import limits
from parting.core.requests import row_formfield

from .models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EvidenceForm(forms.ModelForm):
    """Evidence always belongs to the client (and firm) in the URL, never to one named in the POST."""

    class Meta:
        formfield_callback = row_formfield

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.client = client
        self.instance.firm = client.firm


class InvoiceForm(EvidenceForm):
    class Meta(EvidenceForm.Meta):
        model = Invoice
        fields = [
            "number",
            "issued_on",
            "due_on",
            "amount",
            "currency",
            "fx_rate",
            "reminders_sent",
            "discount_requested",
            "discount_given",
            "disputed",
        ]
        widgets = {"issued_on": DateInput, "due_on": DateInput}

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, client=client, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("currency", client.firm.currency)

    def clean(self):
        data = super().clean()
        issued, due = data.get("issued_on"), data.get("due_on")
        if issued and due and due < issued:
            self.add_error("due_on", _("An invoice cannot fall due before it is issued."))
        number = data.get("number")
        if (
            number
            and Invoice.objects.filter(firm=self.instance.firm, number=number).exclude(pk=self.instance.pk).exists()
        ):
            self.add_error("number", _("Another invoice already has this number."))
        currency = data.get("currency")
        if currency and currency == self.instance.firm.currency and data.get("fx_rate") not in (None, 1):
            self.add_error("fx_rate", _("An invoice in the firm's own currency has a rate of 1."))
        return data


class PaymentForm(EvidenceForm):
    """A payment (or a refund: negative) for one of this client's invoices (W7, D10)."""

    class Meta(EvidenceForm.Meta):
        model = Payment
        fields = ["invoice", "paid_on", "amount", "method", "reference"]
        widgets = {"paid_on": DateInput}

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, client=client, **kwargs)
        field = self.fields["invoice"]
        field.queryset = Invoice.objects.filter(client=client, firm=client.firm).order_by("-issued_on")
        field.widget.choices = [("", field.empty_label), *((i.pk, str(i)) for i in field.queryset[:500])]

    def clean(self):
        data = super().clean()
        invoice, paid = data.get("invoice"), data.get("paid_on")
        if invoice and paid and paid < invoice.issued_on:
            self.add_error("paid_on", _("An invoice cannot be paid before it is issued."))
        if data.get("amount") == 0:
            self.add_error("amount", _("A payment of nothing is not a payment."))
        reference = data.get("reference")
        if (
            reference
            and Payment.objects.filter(firm=self.instance.firm, reference=reference)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("reference", _("Another payment already has this reference."))
        return data


class MeetingForm(EvidenceForm):
    class Meta(EvidenceForm.Meta):
        model = Meeting
        fields = ["subject", "starts_at", "ends_at", "status", "cancelled_at", "minutes_late"]
        widgets = {"starts_at": DateTimeInput, "ends_at": DateTimeInput, "cancelled_at": DateTimeInput}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A meeting must end after it starts."))
        cancelled = data.get("status") in (Meeting.Status.CANCELLED_BY_CLIENT, Meeting.Status.CANCELLED_BY_US)
        if cancelled and not data.get("cancelled_at"):
            self.add_error("cancelled_at", _("Say when the meeting was cancelled: W4 counts short notice."))
        if not cancelled and data.get("cancelled_at"):
            self.add_error("cancelled_at", _("Only a cancelled meeting has a cancellation time."))
        return data


class MessageForm(EvidenceForm):
    class Meta(EvidenceForm.Meta):
        model = Message
        fields = ["sent_at", "channel", "direction", "to_senior", "negative", "summary", "in_reply_to"]
        widgets = {"sent_at": DateTimeInput}

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, client=client, **kwargs)
        # Any of the client's messages can be chosen; the list offers the latest 200.
        field = self.fields["in_reply_to"]
        field.queryset = Message.objects.filter(client=client).order_by("-sent_at")
        field.widget.choices = [("", field.empty_label), *((m.pk, str(m)) for m in field.queryset[:200])]


class ClientRequestForm(EvidenceForm):
    class Meta(EvidenceForm.Meta):
        model = ClientRequest
        fields = ["description", "requested_on", "due_on", "received_on"]
        widgets = {"requested_on": DateInput, "due_on": DateInput, "received_on": DateInput}

    def clean(self):
        data = super().clean()
        if data.get("requested_on") and data.get("due_on") and data["due_on"] < data["requested_on"]:
            self.add_error("due_on", _("The due date cannot be before the request."))
        return data


class IncidentForm(EvidenceForm):
    class Meta(EvidenceForm.Meta):
        model = Incident
        fields = ["kind", "occurred_on", "hours_lost", "note"]
        widgets = {"occurred_on": DateInput, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, client=client, **kwargs)
        limits.limit_lengths(self, {"note": limits.NOTE})


class TimeEntryForm(EvidenceForm):
    class Meta(EvidenceForm.Meta):
        model = TimeEntry
        fields = ["date", "hours", "billable", "person", "note"]
        widgets = {"date": DateInput}

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, client=client, **kwargs)
        self.fields["person"].queryset = get_user_model().objects.filter(membership__firm=client.firm)


KINDS: dict[str, tuple[type[forms.ModelForm], object]] = {
    "invoice": (InvoiceForm, _("Invoice")),
    "payment": (PaymentForm, _("Payment")),
    "meeting": (MeetingForm, _("Meeting")),
    "message": (MessageForm, _("Message")),
    "request": (ClientRequestForm, _("Request to the client")),
    "incident": (IncidentForm, _("Incident")),
    "time": (TimeEntryForm, _("Time entry")),
}
