#!/usr/bin/env bash
# Takes the desktop app's screenshots for docs/user-guide-app.md: starts the app's screenshot tour
# (org.vstation.ui.ScreenshotTour) on a virtual X display (Xvfb) with a scratch library, and writes
# main-window.png, wizard.png, settings-network.png, console-seabios.png and console-linux.png here.
# Needs: xvfb-run (Debian package xvfb), the SeaBIOS firmware (./vstation fetch-firmware) and the
# demo live CD (guest-images/build-debian-live).
# Usage: docs/screenshots/take-screenshots.sh [BOOT_SECONDS]   (how long to wait for the guest's shell; 1800)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BOOT_SECONDS="${1:-1800}"
command -v xvfb-run >/dev/null || { echo "take-screenshots: needs xvfb-run (apt-get install xvfb)" >&2; exit 3; }

# Build the app the way the launcher does (./vstation --help builds when stale and exits).
"$ROOT/vstation" --help >/dev/null
JAVA=""
for jdk in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release" 2>/dev/null || true)"
  if [ -n "$major" ] && [ "$major" -ge 25 ] && [ -x "$jdk/bin/java" ]; then JAVA="$jdk/bin/java"; break; fi
done
[ -n "$JAVA" ] || { echo "take-screenshots: no JDK 25 found" >&2; exit 2; }

SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" \
  "$JAVA" -Xss4m --enable-native-access=ALL-UNNAMED -Dvstation.home="$ROOT" -Dprism.order=sw \
  -cp "$ROOT/desktop-ui/target/desktop-ui.jar:$ROOT/desktop-ui/target/lib/*" \
  org.vstation.ui.ScreenshotTour "$HERE" "$SCRATCH/library" "$BOOT_SECONDS"
