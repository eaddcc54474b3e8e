from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoresConfig(AppConfig):
    name = "parting.scores"
    verbose_name = _("Stored scores")
