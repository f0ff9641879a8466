from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Organisations and people"

    def ready(self):
        from organisations.roles import ensure_groups

        # Groups are part of the schema's meaning, so they exist after every migrate.
        post_migrate.connect(ensure_groups, dispatch_uid="organisations.ensure_groups")
