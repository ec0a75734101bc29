#!/usr/bin/env bash
# Deploy the generated functions, rules and indexes with the Firebase CLI.
#
# Not available yet: the checks, the vendoring of boiler_core into functions/ and the dry run are
# still being built (see docs/deploy.md once it exists). Refusing is safer than a half deploy.
set -euo pipefail
echo "deploy.sh: not yet: deploying is not implemented in this version of boiler." >&2
echo "deploy.sh: what works today: boiler check, boiler generate (see README.md)." >&2
exit 2
