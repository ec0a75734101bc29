#!/usr/bin/env bash
# Deploy this app: runs `boiler deploy` in this folder (the folder of views.yaml and firebase.json)
# with the arguments given. Options: ./deploy.sh --help; guide: deploy.md in boiler's docs.
#
#   ./deploy.sh --dry-run                  # check, build, verify; print the plan; upload nothing
#   ./deploy.sh --project ID               # deploy, then boiler backfill --changed
#
# boiler is the first of: $BOILER; `boiler` on PATH (the active virtualenv); .venv/bin/boiler or
# venv/bin/boiler beside this script.
set -euo pipefail

here=.
[[ ${BASH_SOURCE[0]} == */* ]] && here=${BASH_SOURCE[0]%/*}
cd "${here:-/}"

if [[ -n ${BOILER:-} ]]; then
    boiler=$BOILER
    if ! command -v "$boiler" >/dev/null 2>&1; then
        printf 'deploy.sh: error: BOILER=%s is not an executable boiler; unset BOILER or fix the path\n' "$boiler" >&2
        exit 2
    fi
elif command -v boiler >/dev/null 2>&1; then
    boiler=boiler
elif [[ -x .venv/bin/boiler ]]; then
    boiler=.venv/bin/boiler
elif [[ -x venv/bin/boiler ]]; then
    boiler=venv/bin/boiler
else
    printf '%s\n' \
        "deploy.sh: error: boiler is not installed: no \$BOILER, no 'boiler' on PATH, no .venv/bin/boiler or venv/bin/boiler in $(pwd -P)" \
        "deploy.sh: install it into a virtualenv here: python3 -m venv .venv && .venv/bin/pip install boiler_core-VERSION-py3-none-any.whl" \
        "deploy.sh: (or activate the virtualenv that has it, or set BOILER=/path/to/boiler)" >&2
    exit 2
fi
exec "$boiler" deploy "$@"
