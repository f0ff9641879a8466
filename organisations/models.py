from django.conf import settings
from django.db import models


class Organisation(models.Model):
    """The police force, the OPCC, a community safety partnership or a commissioned service."""

    class Kind(models.TextChoices):
        POLICE_FORCE = "police-force", "Police force"
        OPCC = "opcc", "Office of the Police and Crime Commissioner"
        COMMUNITY_SAFETY_PARTNERSHIP = "csp", "Community safety partnership"
        COMMISSIONED_SERVICE = "commissioned-service", "Commissioned service"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    area = models.ForeignKey(
        "measures.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text="The district a partnership serves; empty for force-wide organisations.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's organisation. Partner users belong to exactly one organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )

    def __str__(self):
        return f"{self.user} at {self.organisation}"
