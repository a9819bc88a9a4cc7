"""Copy the third-party front-end files Steward serves from node_modules into steward/static/vendor.

Run by `make assets` after `npm ci`; nothing third-party is committed.

A minified file that names its source map (`/*# sourceMappingURL=tabler.min.css.map */`) gets the
map copied beside it. The files are served exactly as their package ships them, and
`collectstatic` with the production storage (ManifestStaticFilesStorage) rewrites that reference
to the map's hashed name, so it stops with MissingFileError when the map is absent. Copying the map
keeps the vendor file byte-for-byte upstream's (no stripped comments to maintain) and lets the
browser's developer tools show readable sources in production too; a map the package does not ship
fails here, at `make assets`, rather than at deployment.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "steward" / "static" / "vendor"

COPIES = [
    ("@tabler/core/dist/css/tabler.min.css", "tabler/css/tabler.min.css"),
    ("@tabler/core/dist/js/tabler.min.js", "tabler/js/tabler.min.js"),
    ("@tabler/icons-webfont/dist/tabler-icons.min.css", "tabler-icons/tabler-icons.min.css"),
    ("@tabler/icons-webfont/dist/fonts/tabler-icons.woff2", "tabler-icons/fonts/tabler-icons.woff2"),
    ("@tabler/icons-webfont/dist/fonts/tabler-icons.woff", "tabler-icons/fonts/tabler-icons.woff"),
    ("@tabler/icons-webfont/dist/fonts/tabler-icons.ttf", "tabler-icons/fonts/tabler-icons.ttf"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
    # The wealth calendar (SVC-04): FullCalendar's browser bundle and its Chinese locale.
    ("fullcalendar/index.global.min.js", "fullcalendar/index.global.min.js"),
    ("@fullcalendar/core/locales/zh-cn.global.min.js", "fullcalendar/locales/zh-cn.global.min.js"),
]
# The comment naming a source map. collectstatic follows it at the start of a line only
# (django.contrib.staticfiles.storage); a browser's developer tools anywhere: every map is copied.
SOURCE_MAP_RE = re.compile(r"(?://|/\*)# sourceMappingURL=([^\s*]+)")


def source_maps(src: str, dest: str) -> list[tuple[str, str]]:
    """(source, destination) of each relative source map the file `src` names."""
    if not src.endswith((".css", ".js")):
        return []
    text = (NODE / src).read_text(encoding="utf-8", errors="replace")
    maps = []
    for name in SOURCE_MAP_RE.findall(text):
        if name.startswith(("data:", "http:", "https:", "/")):
            continue  # inline or absolute: nothing to copy, and the storage leaves it alone
        name = name.split("?", 1)[0].split("#", 1)[0]
        maps.append((str(Path(src).parent / name), str(Path(dest).parent / name)))
    return maps


def main() -> int:
    missing = [src for src, _ in COPIES if not (NODE / src).exists()]
    if missing:
        print("Missing front-end packages (run `npm ci`): " + ", ".join(missing), file=sys.stderr)
        return 1
    copies = [*COPIES, *(pair for src, dest in COPIES for pair in source_maps(src, dest))]
    missing = [src for src, _ in copies if not (NODE / src).exists()]
    if missing:
        print(
            "Source maps named by the vendor files are missing (collectstatic would fail): " + ", ".join(missing),
            file=sys.stderr,
        )
        return 1
    for src, dest in copies:
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if (NODE / src).is_dir():
            shutil.copytree(NODE / src, target, dirs_exist_ok=True)
        else:
            shutil.copy2(NODE / src, target)
    print(f"Front-end assets copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
