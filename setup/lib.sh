# shellcheck shell=bash
# Shell functions shared by setup/demo and tests/run. Source it, don't run it.
#
# Environment overrides:
#   PRM_PYTHON            Python that imports odoo (default: python3)
#   PRM_ODOO_BIN          the odoo command (default: odoo, looked up on PATH)
#   PRM_FORCE_NO_ODOO=1   behave as if Odoo were not installed (to test that path)
#   PRM_DB_HOST, PRM_DB_PORT, PRM_DB_USER, PRM_DB_PASSWORD
#                         PostgreSQL settings; default to the Odoo config file
#                         (~/.odoorc or $ODOO_RC), then 127.0.0.1/5432/odoo/odoo

PRM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRM_PYTHON="${PRM_PYTHON:-python3}"

prm_say() { printf '%s\n' "$*"; }
prm_err() { printf '%s\n' "$*" >&2; }
prm_die() {
    prm_err "ERROR: $*"
    exit 1
}

# Succeeds when the odoo command exists and Python can import odoo; sets ODOO_BIN.
prm_find_odoo() {
    [[ -z "${PRM_FORCE_NO_ODOO:-}" ]] || return 1
    local bin
    bin="$(command -v "${PRM_ODOO_BIN:-odoo}" 2>/dev/null)" || return 1
    [[ -n "$bin" && -x "$bin" ]] || return 1
    (cd / && "$PRM_PYTHON" -c 'import odoo' >/dev/null 2>&1) || return 1
    ODOO_BIN="$bin"
    export ODOO_BIN
}

# Prints `key=value` lines of the effective Odoo configuration (config file plus
# Odoo's defaults). Runs from / so that no local folder shadows a module.
_prm_odoo_config() {
    (cd / && "$PRM_PYTHON" - <<'PY'
from odoo.tools import config

config._parse_config([])
for key in ("addons_path", "db_host", "db_port", "db_user", "db_password",
            "without_demo"):
    value = config[key]
    print(f"{key}={'' if value in (None, False) else value}")
PY
    )
}

# Prints one value of the effective Odoo configuration ('' when unset).
prm_odoo_config() {
    local key="$1" line
    while IFS= read -r line; do
        if [[ "${line%%=*}" == "$key" ]]; then
            printf '%s\n' "${line#*=}"
            return 0
        fi
    done < <(_prm_odoo_config)
    return 0
}

# Prints the addons path: this repository first, then Odoo's configured one.
prm_addons_path() {
    local configured path result="$PRM_ROOT"
    configured="$(prm_odoo_config addons_path)"
    local -a paths
    IFS=',' read -r -a paths <<<"$configured"
    for path in "${paths[@]}"; do
        path="${path#"${path%%[![:space:]]*}"}"
        path="${path%"${path##*[![:space:]]}"}"
        [[ -n "$path" ]] || continue
        [[ "$(cd "$path" 2>/dev/null && pwd)" == "$PRM_ROOT" ]] && continue
        result+=",$path"
    done
    printf '%s\n' "$result"
}

# Prints the repository's installable addons (prm_* folders), comma-separated.
prm_addons() {
    (cd / && "$PRM_PYTHON" - "$PRM_ROOT" <<'PY'
import ast
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
names = []
for manifest in sorted(root.glob("prm_*/__manifest__.py")):
    try:
        data = ast.literal_eval(manifest.read_text(encoding="utf-8"))
    except (SyntaxError, ValueError) as exc:
        print(f"unreadable manifest {manifest}: {exc}", file=sys.stderr)
        continue
    if data.get("installable", True):
        names.append(manifest.parent.name)
print(",".join(names))
PY
    )
}

# Sets PRM_DB_HOST, PRM_DB_PORT, PRM_DB_USER, PRM_DB_PASSWORD (environment, then
# Odoo config file, then defaults) and exports PGHOST etc. for psql & co.
prm_db_settings() {
    local line key value conf_host="" conf_port="" conf_user="" conf_password=""
    if prm_find_odoo; then
        while IFS= read -r line; do
            key="${line%%=*}"
            value="${line#*=}"
            case "$key" in
                db_host) conf_host="$value" ;;
                db_port) conf_port="$value" ;;
                db_user) conf_user="$value" ;;
                db_password) conf_password="$value" ;;
            esac
        done < <(_prm_odoo_config)
    fi
    PRM_DB_HOST="${PRM_DB_HOST:-${conf_host:-127.0.0.1}}"
    PRM_DB_PORT="${PRM_DB_PORT:-${conf_port:-5432}}"
    PRM_DB_USER="${PRM_DB_USER:-${conf_user:-odoo}}"
    PRM_DB_PASSWORD="${PRM_DB_PASSWORD:-${conf_password:-odoo}}"
    export PGHOST="$PRM_DB_HOST" PGPORT="$PRM_DB_PORT" PGUSER="$PRM_DB_USER"
    export PGPASSWORD="$PRM_DB_PASSWORD"
}

# Prints the odoo command-line database arguments, one per line
# (read them with: mapfile -t args < <(prm_db_args)).
prm_db_args() {
    prm_db_settings
    printf '%s\n' "--db_host=$PRM_DB_HOST" "--db_port=$PRM_DB_PORT" \
        "--db_user=$PRM_DB_USER" "--db_password=$PRM_DB_PASSWORD"
}

# Runs SQL on the maintenance database `postgres` as the Odoo role.
prm_psql() {
    psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"
}

# Succeeds when database $1 exists.
prm_db_exists() {
    [[ "$(prm_psql -Atc "SELECT 1 FROM pg_database WHERE datname = :'db'" \
        -v db="$1" 2>/dev/null)" == "1" ]]
}

# Drops database $1 if it exists, closing its connections. Tries again a
# few times: an autovacuum worker busy on a freshly filled database cannot be
# closed by a non-superuser, and ends by itself.
prm_drop_db() {
    local attempt
    for attempt in 1 2 3 4 5; do
        if PGOPTIONS="-c client_min_messages=warning" prm_psql -v db="$1" \
            >/dev/null 2>&1 <<'SQL'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \gexec
SQL
        then
            return 0
        fi
        sleep "$attempt"
    done
    printf 'could not drop database %s\n' "$1" >&2
    return 1
}

# Runs psql as the postgres superuser over the local socket (needs root).
_prm_psql_superuser() {
    local -a cmd=(env -u PGHOST -u PGUSER -u PGPASSWORD -u PGDATABASE
        psql -X -q -v ON_ERROR_STOP=1 -p "$PRM_DB_PORT" -d postgres "$@")
    if command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u postgres -- "${cmd[@]}")
    else
        local quoted
        quoted="$(printf '%q ' "${cmd[@]}")"
        (cd / && su postgres -s /bin/sh -c "$quoted")
    fi
}

_prm_is_local_host() {
    case "$1" in
        127.0.0.1 | localhost | ::1 | /*) return 0 ;;
        *) return 1 ;;
    esac
}

_prm_can_install() {
    [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1
}

_prm_apt_install() {
    prm_say "Installing $* with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "$@" >/dev/null
}

# Starts the local PostgreSQL clusters (Debian's pg_ctlcluster, else the service).
_prm_start_postgres() {
    local version name status started=""
    if command -v pg_lsclusters >/dev/null 2>&1; then
        while read -r version name _ status _; do
            [[ "$status" == down* ]] || continue
            pg_ctlcluster "$version" "$name" start && started=1
        done < <(pg_lsclusters -h 2>/dev/null)
    fi
    if [[ -z "$started" ]]; then
        if command -v service >/dev/null 2>&1; then
            service postgresql start >/dev/null 2>&1 || true
        fi
    fi
}

# Makes sure PostgreSQL answers on PRM_DB_HOST:PRM_DB_PORT and the Odoo role can
# log in with CREATEDB; installs and starts PostgreSQL when it can (root on
# Debian). Quiet when everything already runs.
prm_ensure_postgres() {
    prm_db_settings
    local host="$PRM_DB_HOST" port="$PRM_DB_PORT" user="$PRM_DB_USER" i
    if ! command -v pg_isready >/dev/null 2>&1 \
        || ! pg_isready -q -h "$host" -p "$port" >/dev/null 2>&1; then
        _prm_is_local_host "$host" \
            || prm_die "PostgreSQL at $host:$port does not answer."
        if ! dpkg -s postgresql >/dev/null 2>&1 && _prm_can_install; then
            _prm_apt_install postgresql postgresql-contrib
        fi
        command -v pg_isready >/dev/null 2>&1 \
            || prm_die "PostgreSQL is not installed (Debian: apt-get install postgresql postgresql-contrib)."
        if [[ "$(id -u)" == "0" ]]; then
            prm_say "Starting PostgreSQL ..."
            _prm_start_postgres
        fi
        for ((i = 0; i < 60; i++)); do
            pg_isready -q -h "$host" -p "$port" >/dev/null 2>&1 && break
            sleep 0.5
        done
        pg_isready -q -h "$host" -p "$port" >/dev/null 2>&1 \
            || prm_die "PostgreSQL does not answer on $host:$port (start it, or set PRM_DB_HOST/PRM_DB_PORT)."
    fi
    if ! prm_psql -Atc 'SELECT 1' >/dev/null 2>&1; then
        if [[ "$(id -u)" != "0" ]] || ! _prm_is_local_host "$host"; then
            prm_die "role $user cannot log in to PostgreSQL at $host:$port; create it: CREATE ROLE $user LOGIN CREATEDB PASSWORD '...'"
        fi
        prm_say "Creating PostgreSQL role $user ..."
        _prm_psql_superuser -v user="$user" -v pw="$PRM_DB_PASSWORD" >/dev/null <<'SQL' \
            || prm_die "could not create the PostgreSQL role $user"
SELECT format('CREATE ROLE %I', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'pw') \gexec
SQL
        prm_psql -Atc 'SELECT 1' >/dev/null \
            || prm_die "role $user still cannot log in to PostgreSQL at $host:$port (check pg_hba.conf)."
    fi
    # pg_trgm (used by prm_deal_registration) ships with postgresql-contrib.
    if [[ "$(prm_psql -Atc "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")" != "1" ]]; then
        if _prm_can_install && _prm_is_local_host "$host"; then
            _prm_apt_install postgresql-contrib
        else
            prm_err "WARNING: the PostgreSQL extension pg_trgm is not available (install postgresql-contrib)."
        fi
    fi
}
