from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def client_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A client's stored rows carry its name and status for the dashboard's table (bench/pages.py):
    a save that may change them updates them at once (one UPDATE on the client's rows), so the table
    never shows an old name while the re-score the change asked for is waiting."""
    if kwargs.get("raw") or (update_fields is not None and not {"name", "status"} & set(update_fields)):
        return
    from .models import Snapshot

    Snapshot.objects.filter(client_id=instance.pk).exclude(name=instance.name, status=instance.status).update(
        name=instance.name, name_key=instance.name.lower(), status=instance.status
    )


class ScoresConfig(AppConfig):
    name = "parting.scores"
    verbose_name = _("Stored scores")

    def ready(self) -> None:
        post_save.connect(client_saved, sender="clients.Client", dispatch_uid="scores.client_saved")
