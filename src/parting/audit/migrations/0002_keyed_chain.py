"""Issue 13 §5: entries say which digest made them (``scheme``) and keep who acted as recorded.

Existing entries are scheme 1 (plain SHA-256) and are not re-chained: re-hashing them under the new
key would bless whatever they hold today, edits included. They keep verifying with the digest they
were written with, which covered the actor's user id — so that id is copied into ``actor_ref`` here,
while every user row still exists, and deleting a user later no longer breaks them. ``actor_name``
is filled from the user for reading only; scheme 1 hashes never covered it.
"""

from django.conf import settings
from django.db import migrations, models


def keep_actors(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    AuditEntry.objects.update(actor_ref=models.F("actor_id"))
    names = dict(User.objects.filter(pk__in=AuditEntry.objects.values("actor_id")).values_list("pk", "username"))
    for user_id, name in names.items():
        AuditEntry.objects.filter(actor_id=user_id).update(actor_name=name)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="actor_ref",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="actor_name",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="scheme",
            field=models.PositiveSmallIntegerField(choices=[(1, "sha256"), (2, "hmac-sha256")], default=1),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["firm", "action", "id"], name="audit_audit_firm_id_eb6700_idx"),
        ),
        migrations.RunPython(keep_actors, migrations.RunPython.noop),
    ]
