#!/usr/bin/env bash
# Deploy the generated functions, Firestore rules and indexes with the Firebase CLI, then bring
# new or changed views up to date. Guide: docs/deploy.md.
#
#   ./deploy.sh --project ID [--no-backfill] [--keep-bundle]
#   ./deploy.sh --dry-run [--project ID] [--keep-bundle]
#
# 1. preflight, every problem at once (exit 2): the Firebase CLI, the runtime's Python (python3.11
#    for firebase.json's python311), credentials (GOOGLE_APPLICATION_CREDENTIALS), the project;
#    a dry run needs only the Python;
# 2. boiler check, boiler generate --check (boiler from .venv, made by `make install` if missing);
# 3. functions/venv built with the runtime's Python from functions/requirements.txt (rebuilt when
#    either changes), as firebase deploy needs it;
# 4. boiler_core vendored into functions/ (only that folder is uploaded) and the functions manifest
#    read exactly as firebase deploy reads it, checked against views.yaml, the upload checked for
#    key files; the plan printed (python -m boiler_core.deploy bundle);
# 5. firebase deploy --only functions,firestore:rules,firestore:indexes --project ID
#    --non-interactive --force;
# 6. boiler backfill --changed --project ID (skipped with --no-backfill).
# --dry-run stops after 4. The vendored copy is removed on exit (it would shadow the working copy
# of boiler_core for pytest) unless --keep-bundle.
#
# Environment: PROJECT (instead of --project); GOOGLE_APPLICATION_CREDENTIALS (a service-account
# key or workload-identity credential file, outside functions/); FIREBASE (the Firebase CLI,
# default firebase); PYTHON (the runtime's Python, default python3.X from firebase.json);
# BOILER_VENV (boiler's virtualenv, default .venv).
# Exit codes: 0 done; 1 a check, the bundle, the deploy or the backfill failed; 2 usage or
# preflight problem.
set -euo pipefail

# Until the preflight passes, nothing but bash itself is used (tests run it with an empty PATH).
here=.
[[ ${BASH_SOURCE[0]} == */* ]] && here=${BASH_SOURCE[0]%/*}
ROOT=$(cd "${here:-/}" && pwd -P)
cd "$ROOT"

TARGETS="functions,firestore:rules,firestore:indexes"
DRY_RUN=0
BACKFILL=1
KEEP_BUNDLE=0
PROJECT=${PROJECT:-}
FIREBASE=${FIREBASE:-firebase}

read -r -d '' USAGE <<'EOF' || true
usage: ./deploy.sh --project ID [--no-backfill] [--keep-bundle]
       ./deploy.sh --dry-run [--project ID] [--keep-bundle]

  --project ID    Firebase project to deploy to (or set PROJECT)
  --dry-run       check, build and verify everything, print what would be deployed; upload nothing
  --no-backfill   do not run `boiler backfill --changed` after the deploy
  --keep-bundle   leave boiler_core vendored in functions/ (for firebase emulators:start/exec)
  -h, --help      this text

Needs (not for --dry-run): the Firebase CLI (npm install -g firebase-tools), and
GOOGLE_APPLICATION_CREDENTIALS naming a credential file of a deploying service account.
See docs/deploy.md.
EOF
usage() { printf '%s\n' "$USAGE"; }

error() { printf 'deploy.sh: error: %s\n' "$*" >&2; }
note() { printf 'deploy.sh: %s\n' "$*" >&2; }
step() { printf '\n==> %s\n' "$*"; }
die() {
    local code=$1
    shift
    error "$*"
    exit "$code"
}

while (($#)); do
    case $1 in
    --dry-run) DRY_RUN=1 ;;
    --no-backfill) BACKFILL=0 ;;
    --keep-bundle) KEEP_BUNDLE=1 ;;
    --project) (($# >= 2)) || { usage >&2; die 2 "--project needs a project id"; }
        PROJECT=$2
        shift ;;
    --project=*) PROJECT=${1#--project=} ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die 2 "unknown argument: $1" ;;
    esac
    shift
done

# firebase.json's value of "key" (the first one; the file is small and flat where it matters).
json_value() {
    local line pattern
    pattern="\"$1\"[[:space:]]*:[[:space:]]*\"([^\"]*)\""
    while IFS= read -r line || [[ -n $line ]]; do
        if [[ $line =~ $pattern ]]; then
            printf '%s' "${BASH_REMATCH[1]}"
            return 0
        fi
    done <firebase.json
    return 1
}

# Absolute path of a file, symlinks in its folder resolved, with bash alone.
absolute() {
    local path=$1 dir=. base
    [[ $path == */* ]] && dir=${path%/*}
    base=${path##*/}
    (cd "${dir:-/}" 2>/dev/null && printf '%s/%s' "$(pwd -P)" "$base")
}

# ---- 1. preflight ------------------------------------------------------------------------------
problems=()
RUNTIME="" SOURCE="functions" PY="" PY_VERSION="" CREDENTIALS=""
if [[ ! -f firebase.json ]]; then
    problems+=("no firebase.json in $ROOT: run deploy.sh from the project root")
else
    RUNTIME=$(json_value runtime) || true
    SOURCE=$(json_value source) || SOURCE=functions
    if [[ ! $RUNTIME =~ ^python3([0-9]+)$ ]]; then
        problems+=("firebase.json: functions runtime '${RUNTIME:-none}' is not pinned to a Python runtime; set \"runtime\": \"python311\"")
    else
        want_version="3.${BASH_REMATCH[1]}"
        PY=${PYTHON:-python$want_version}
        if ! command -v "$PY" >/dev/null 2>&1; then
            problems+=("wrong Python: firebase.json's runtime $RUNTIME needs Python $want_version, and '$PY' is not on PATH; install Python $want_version (firebase deploy runs python$want_version from functions/venv) or set PYTHON=/path/to/python$want_version")
        else
            PY_VERSION=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || PY_VERSION="?"
            if [[ $PY_VERSION != "$want_version" ]]; then
                problems+=("wrong Python: '$PY' is Python $PY_VERSION, firebase.json's runtime $RUNTIME needs $want_version; install Python $want_version or set PYTHON=/path/to/python$want_version")
            fi
        fi
    fi
fi

FIREBASE_VERSION=""
if command -v "$FIREBASE" >/dev/null 2>&1; then
    FIREBASE_VERSION=$("$FIREBASE" --version 2>/dev/null) || FIREBASE_VERSION=""
    FIREBASE_VERSION=${FIREBASE_VERSION##*$'\n'}
fi

if ((!DRY_RUN)); then
    if ! command -v "$FIREBASE" >/dev/null 2>&1; then
        problems+=("no Firebase CLI: '$FIREBASE' is not on PATH; install it with 'npm install -g firebase-tools' (or set FIREBASE=/path/to/firebase)")
    elif [[ -z $FIREBASE_VERSION ]]; then
        problems+=("the Firebase CLI '$FIREBASE' does not run ('$FIREBASE --version' failed); reinstall it with 'npm install -g firebase-tools'")
    fi
    if [[ -z $PROJECT ]]; then
        problems+=("no project: pass --project ID or set PROJECT to the Firebase project id to deploy to")
    elif [[ $PROJECT == demo-* ]]; then
        problems+=("project '$PROJECT' is a demo project (emulators only) and cannot be deployed to; pass the id of a real Firebase project")
    elif [[ ! $PROJECT =~ ^[a-z][a-z0-9-]{4,28}[a-z0-9]$ ]]; then
        problems+=("project '$PROJECT' is not a valid project id (6-30 lowercase letters, digits and hyphens, starting with a letter)")
    fi
    if [[ -z ${GOOGLE_APPLICATION_CREDENTIALS:-} ]]; then
        problems+=("no credentials: set GOOGLE_APPLICATION_CREDENTIALS to the credential file of a service account allowed to deploy (docs/deploy.md lists its roles)")
    elif [[ ! -f $GOOGLE_APPLICATION_CREDENTIALS || ! -r $GOOGLE_APPLICATION_CREDENTIALS || ! -s $GOOGLE_APPLICATION_CREDENTIALS ]]; then
        problems+=("no credentials: GOOGLE_APPLICATION_CREDENTIALS=$GOOGLE_APPLICATION_CREDENTIALS is not a readable, non-empty file")
    else
        CREDENTIALS=$(absolute "$GOOGLE_APPLICATION_CREDENTIALS")
        functions_abs=$(absolute "$SOURCE")
        if [[ $CREDENTIALS == "$functions_abs"/* ]]; then
            problems+=("the credential file $GOOGLE_APPLICATION_CREDENTIALS is inside $SOURCE/, which is uploaded; move it out of the repository's $SOURCE/ folder")
        fi
    fi
fi

if ((${#problems[@]})); then
    for problem in "${problems[@]}"; do
        error "$problem"
    done
    note "${#problems[@]} problem(s); nothing was checked, built or deployed (./deploy.sh --help)"
    exit 2
fi

# ---- 2. boiler check, generate --check -----------------------------------------------------------
BOILER_VENV=${BOILER_VENV:-$ROOT/.venv}
if [[ ! -x $BOILER_VENV/bin/boiler ]]; then
    [[ $BOILER_VENV == "$ROOT/.venv" ]] || die 2 "BOILER_VENV=$BOILER_VENV has no bin/boiler"
    command -v make >/dev/null 2>&1 || die 2 "no .venv and no make: run 'make install' first"
    step "make install (boiler into .venv)"
    make install || die 1 "make install failed"
fi
BOILER=$BOILER_VENV/bin/boiler
BOILER_PYTHON=$BOILER_VENV/bin/python

step "boiler check"
"$BOILER" check || die 1 "views.yaml has problems (above); fix them and run deploy.sh again"
step "boiler generate --check"
"$BOILER" generate --check ||
    die 1 "the generated files are stale: run 'boiler generate', review and commit, then deploy"

# ---- 3. functions/venv --------------------------------------------------------------------------
FUNCTIONS=$ROOT/$SOURCE
VENV=$FUNCTIONS/venv
REQUIREMENTS=$FUNCTIONS/requirements.txt
[[ -f $REQUIREMENTS ]] || die 1 "no $SOURCE/requirements.txt: run 'boiler generate'"
step "$SOURCE/venv with $PY (Python $PY_VERSION) from $SOURCE/requirements.txt"
digest=$("$PY" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$REQUIREMENTS")
wanted="python $PY_VERSION requirements $digest"
stamp=$VENV/.boiler-requirements
if [[ -x $VENV/bin/python && -f $stamp && "$(<"$stamp")" == "$wanted" ]]; then
    echo "up to date (same Python, same requirements)"
else
    rm -rf -- "$VENV"
    "$PY" -m venv "$VENV" || die 1 "'$PY -m venv $SOURCE/venv' failed"
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check -r "$REQUIREMENTS" ||
        die 1 "pip could not install $SOURCE/requirements.txt into $SOURCE/venv (output above)"
    printf '%s\n' "$wanted" >"$stamp"
    echo "built"
fi

# ---- 4. bundle: vendor boiler_core, read the functions as firebase deploy does ------------------
unbundle() {
    if ((!KEEP_BUNDLE)); then
        "$BOILER_PYTHON" -m boiler_core.deploy unbundle --root "$ROOT" || true
    fi
}
trap unbundle EXIT
step "bundle: boiler_core vendored into $SOURCE/, functions read as firebase deploy reads them"
PLAN=$("$BOILER_PYTHON" -m boiler_core.deploy bundle --root "$ROOT" --python "$VENV/bin/python" \
    --project "$PROJECT") || die 1 "the bundle is not fit to deploy (problems above)"

if ((DRY_RUN)); then
    step "dry run: nothing uploaded, nothing backfilled; the deploy would run"
    printf '%s\n' "$PLAN"
    if ((BACKFILL)); then
        echo "then: boiler backfill --changed --project ${PROJECT:-PROJECT}"
    fi
    if [[ -n $FIREBASE_VERSION ]]; then
        echo "Firebase CLI: $FIREBASE $FIREBASE_VERSION"
    else
        echo "Firebase CLI: '$FIREBASE' not found (a deploy needs it: npm install -g firebase-tools)"
    fi
    ((KEEP_BUNDLE)) && echo "bundle kept: $SOURCE/boiler_core and $SOURCE/venv (--keep-bundle)"
    exit 0
fi

# ---- 5. firebase deploy -------------------------------------------------------------------------
printf '%s\n' "$PLAN"
step "firebase deploy to $PROJECT (Firebase CLI $FIREBASE_VERSION)"
env -u FIRESTORE_EMULATOR_HOST -u FIREBASE_AUTH_EMULATOR_HOST \
    GOOGLE_APPLICATION_CREDENTIALS="$CREDENTIALS" \
    "$FIREBASE" deploy --only "$TARGETS" --project "$PROJECT" --non-interactive --force ||
    die 1 "firebase deploy failed (its output above); nothing was backfilled"

# ---- 6. backfill --------------------------------------------------------------------------------
if ((!BACKFILL)); then
    note "backfill skipped (--no-backfill): run 'boiler backfill --changed --project $PROJECT' before relying on new or changed views"
elif ! "$BOILER" backfill --help >/dev/null 2>&1; then
    note "this boiler has no 'backfill' command: new or changed views are NOT rebuilt; upgrade boiler and run 'boiler backfill --changed --project $PROJECT'"
else
    step "boiler backfill --changed (production Firestore of $PROJECT)"
    env -u FIRESTORE_EMULATOR_HOST GOOGLE_APPLICATION_CREDENTIALS="$CREDENTIALS" \
        "$BOILER" backfill --changed --project "$PROJECT" ||
        die 1 "deployed, but the backfill failed (above); continue it with 'boiler backfill --resume --project $PROJECT', or check with 'boiler verify --project $PROJECT'"
fi
step "deployed to $PROJECT"
