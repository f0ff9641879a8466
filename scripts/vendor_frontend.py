"""Copy GOV.UK Frontend's compiled dist into static/vendor/govuk, adapted for a service off gov.uk.

Services not on GOV.UK must not use the GDS Transport font or the crown, so the stylesheet is
copied with its @font-face rules removed and the font stack reduced to Arial. Asset URLs are made
relative so the files work under any STATIC_URL. No Sass build: this only edits the compiled CSS.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = ROOT / "static" / "vendor" / "govuk"


def adapted_css(css: str) -> str:
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    css = css.replace("font-family:GDS Transport,arial,sans-serif", "font-family:arial,sans-serif")
    css = css.replace("font-family:GDS Transport", "font-family:arial")
    css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)  # the map is not shipped
    return css.replace("url(/assets/", "url(assets/")


def main() -> int:
    if not SOURCE.is_dir():
        print("GOV.UK Frontend is missing: run `npm ci` first.", file=sys.stderr)
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    css = (SOURCE / "govuk-frontend.min.css").read_text(encoding="utf-8")
    (TARGET / "govuk-frontend.min.css").write_text(adapted_css(css), encoding="utf-8")
    script = (SOURCE / "govuk-frontend.min.js").read_text(encoding="utf-8")
    script = re.sub(r"//# sourceMappingURL=\S+", "", script)
    (TARGET / "govuk-frontend.min.js").write_text(script, encoding="utf-8")
    images = TARGET / "assets" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for name in ("favicon.ico", "favicon.svg", "govuk-crest.svg"):
        shutil.copyfile(SOURCE / "assets" / "images" / name, images / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
