#!/usr/bin/env bash
# Deploy this app: `boiler deploy` does the work (checks, the functions' virtualenv, the bundle,
# firebase deploy, the backfill of new or changed views). Run `./deploy.sh --help` for options.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cd "$here"
if [[ -n ${BOILER:-} ]]; then
    boiler=$BOILER
elif command -v boiler >/dev/null 2>&1; then
    boiler=boiler
elif [[ -x .venv/bin/boiler ]]; then
    boiler=.venv/bin/boiler
elif [[ -x venv/bin/boiler ]]; then
    boiler=venv/bin/boiler
else
    echo "deploy.sh: error: boiler is not installed here: pip install boiler-core (in the active environment or .venv), or set BOILER=/path/to/boiler" >&2
    exit 2
fi
exec "$boiler" deploy "$@"
