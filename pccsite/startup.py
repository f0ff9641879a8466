"""Turn a configuration error into one clear line at start-up, not a traceback."""

import sys

from pccsite.environment import ConfigurationError


def load_settings_or_exit() -> None:
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading a setting imports the settings module
    except ConfigurationError as error:
        sys.exit(f"Configuration error: {error}")
