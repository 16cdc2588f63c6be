#!/usr/bin/env bash
# Install the built wheel as a council would and prove it runs: a fresh virtual environment
# outside the checkout, `pbapp db upgrade` on a fresh PostgreSQL database, gunicorn on a local
# port, and pages fetched in English and Welsh. Nothing here reads the checkout at run time.
#
#   bash .ci/wheel_smoke.sh   (or make wheel-smoke)   # PostgreSQL at 127.0.0.1:5432, user postgres
#   PG_URL=postgresql://user@host:5432 bash .ci/wheel_smoke.sh
# The second half (.ci/council_walk.py) needs the development extras (requests, aiosmtpd) in $PYTHON
# and Redis (WALK_REDIS_URL, default database 6 of the local one).
set -euo pipefail
checkout="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
case "$PYTHON" in */*) PYTHON="$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")" ;; esac  # it runs after cd
PG_URL="${PG_URL:-postgresql://postgres@127.0.0.1:5432}"
db="pbapp_wheel_smoke_$$"
work="$(mktemp -d)"
port="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
server=""

cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "-- build the wheel"
"$PYTHON" -m pip wheel -q --no-deps -w "$work/dist" "$checkout"
wheel="$(ls "$work"/dist/pbapp-*.whl)"
"$PYTHON" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
needed = ["pbapp/templates/base.html", "pbapp/static/app.css", "pbapp/alembic/env.py",
          "pbapp/translations/cy/LC_MESSAGES/messages.mo", "pbapp/seed_data/neighbourhoods.csv"]
missing = [n for n in needed if n not in names]
if missing or not any(n.startswith("pbapp/alembic/versions/") for n in names):
    sys.exit(f"the wheel lacks {missing or 'pbapp/alembic/versions/'}")
if not any(n.endswith("/licenses/LICENSE") for n in names):
    sys.exit("the wheel carries no LICENSE")
print(f"{sys.argv[1].rsplit('/', 1)[-1]}: {len(names)} files")
PY

echo "-- install it into a fresh virtual environment outside the checkout"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/pip" install -q -c "$checkout/requirements.lock" "$wheel"

cd "$work"   # run from a directory that is not the checkout
# Development mode keeps this check independent of production-only settings (base URL, Redis);
# the secret key is still given, so nothing is written beside the package.
export PBAPP_ENV=development SECRET_KEY="wheel-smoke-$$" DATABASE_URL="$PG_URL/$db" RATELIMIT_ENABLED=0
export PBAPP_INSTANCE_PATH="$work/instance"
unset REDIS_URL PYTHONPATH
psql "$PG_URL/postgres" -qc "CREATE DATABASE $db" >/dev/null

echo "-- migrate a fresh PostgreSQL database"
"$work/venv/bin/pbapp" db upgrade
"$work/venv/bin/pbapp" db check >/dev/null
"$work/venv/bin/pbapp" council create --name "Wheel Test Council" --slug wheel-test --name-cy "Cyngor Prawf Olwyn"

echo "-- serve it with gunicorn and fetch pages in English and Welsh"
"$work/venv/bin/gunicorn" --workers 1 --bind "127.0.0.1:$port" "pbapp:create_app()" >"$work/gunicorn.log" 2>&1 &
server=$!
"$work/venv/bin/python" - "$port" "$work/gunicorn.log" <<'PY'
import sys, time, urllib.request, http.cookiejar

base = f"http://127.0.0.1:{sys.argv[1]}"
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

def get(path, language=None):
    request = urllib.request.Request(base + path, headers={"Accept-Language": language} if language else {})
    with opener.open(request, timeout=10) as response:
        return response.status, response.read().decode("utf-8")

deadline = time.monotonic() + 60
while True:
    try:
        status, body = get("/")
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("gunicorn did not answer:\n" + open(sys.argv[2]).read()[-3000:])
        time.sleep(0.5)

def expect(path, *phrases, language=None):
    status, body = get(path, language)
    missing = [p for p in phrases if p not in body]
    if status != 200 or missing:
        sys.exit(f"GET {path}: {status}, missing {missing}")
    print(f"GET {path}: {status}, found {', '.join(phrases)}")

expect("/", "Wheel Test Council", 'lang="en"')
expect("/", "Cyngor Prawf Olwyn", 'lang="cy"', language="cy")
expect("/static/app.css")
expect("/language/cy?next=/councils/wheel-test/", "Cyngor Prawf Olwyn", 'lang="cy"')
expect("/councils/wheel-test/areas", 'lang="cy"', "Wardiau")
PY
echo "-- the installed wheel runs"

echo "-- follow the README's 'Setting up a council' with the installed wheel (two instances, two workers, SMTP)"
kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""
"$PYTHON" "$checkout/.ci/council_walk.py" "$work/venv" "$work" "$PG_URL" "${WALK_REDIS_URL:-redis://127.0.0.1:6379/6}"
echo "-- a council that is not the demo is set up and running from the README"
