#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry (no CDN, no build step at run time).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/parting/web/static/parting/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "chart.js@${CHARTJS:-4}" "htmx.org@${HTMX:-2}" >/dev/null && mkdir cj hx \
  && tar xzf chart.js-*.tgz -C cj && tar xzf htmx.org-*.tgz -C hx)
cp "$work/cj/package/dist/chart.umd.min.js" "$dest/chart.umd.min.js"
cp "$work/cj/package/LICENSE.md" "$dest/chart.js.LICENSE.md"
cp "$work/hx/package/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$work/hx/package/LICENSE" "$dest/htmx.LICENSE"
v() { node -e "console.log(require('$1/package.json').version)"; }
printf 'Vendored from the npm registry, unmodified:\n- chart.js %s (MIT): dist/chart.umd.min.js\n- htmx.org %s (0BSD): dist/htmx.min.js\nUpdate with scripts/vendor.sh.\n' \
  "$(v "$work/cj/package")" "$(v "$work/hx/package")" > "$dest/README"
