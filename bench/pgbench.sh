#!/usr/bin/env bash
# Measures what Parapet costs a PostgreSQL client. Runs pgbench against the local PostgreSQL
# three ways -- directly, through Parapet, and through PgBouncer in session mode (the usual
# reference point for a connection-level proxy) -- interleaved, and prints a markdown table with
# TPS, average latency, each target's ratio to direct and each proxy's CPU time per transaction.
#
# Usage: bench/pgbench.sh            (from anywhere; needs root or sudo only to install PgBouncer)
#
# Settings (environment):
#   BENCH_DURATION   seconds per pgbench run                      (default 20)
#   BENCH_CLIENTS    pgbench clients (-c)                         (default 8)
#   BENCH_THREADS    pgbench threads (-j)                         (default 2)
#   BENCH_ROUNDS     rounds of every scenario x target; the table shows medians (default 1)
#   BENCH_SCALE      pgbench scale factor (-s)                    (default 10)
#   BENCH_WARMUP     seconds of select-only load per target before measuring, 0 for none (default 5)
#   BENCH_SCENARIOS  which scenarios, space-separated: select-simple select-prepared tpcb masked-read
#                    (default all). masked-read selects 10,000 rows of names, e-mails and phone
#                    numbers per transaction.
#   BENCH_TARGETS    which targets, space-separated: direct parapet parapet-policy parapet-masked
#                    pgbouncer (default all). parapet-policy is the same gateway through a second
#                    target in environment prod, where the demo's production policy applies to every
#                    statement, for a user the policy's mask rule leaves clear (guardrails only);
#                    parapet-masked is that target for a user whose results are masked.
#                    parapet-audit is a second gateway, the same as the first but with its audit
#                    trail on: every connect, statement and disconnect to a hash-chained file with
#                    signed checkpoints, with a spool (compare it with parapet).
#   BENCH_AUDIT_SINK file (default) or stdout: the sink of parapet-audit (stdout goes to its log)
#   BENCH_PG_HOST / BENCH_PG_PORT / BENCH_PG_USER   the PostgreSQL to measure (default 127.0.0.1 / 5432 /
#                    postgres; that user must get in without a password, as with trust auth)
#   BENCH_KEEP_DB=1  keep the parapet_bench database afterwards (default: drop it)
#   BENCH_EVENT_LOOPS  the gateway's event-loops setting (default 0: one per CPU)
#   PARAPET_JAVA_OPTS  passed to the gateway's JVM by bin/parapet, e.g. a JFR recording
#
# Exit status: 0 when every run succeeded, 1 when a run failed or something could not start.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

duration="${BENCH_DURATION:-20}"
clients="${BENCH_CLIENTS:-8}"
threads="${BENCH_THREADS:-2}"
rounds="${BENCH_ROUNDS:-1}"
scale="${BENCH_SCALE:-10}"
warmup="${BENCH_WARMUP:-5}"
scenarios="${BENCH_SCENARIOS:-select-simple select-prepared tpcb masked-read}"
targets="${BENCH_TARGETS:-direct parapet parapet-policy parapet-masked parapet-audit pgbouncer}"
pg_host="${BENCH_PG_HOST:-127.0.0.1}"
pg_port="${BENCH_PG_PORT:-5432}"
pg_user="${BENCH_PG_USER:-postgres}"
db=parapet_bench

for setting in duration clients threads rounds scale warmup pg_port; do
  [[ "${!setting}" =~ ^[0-9]+$ ]] || { echo "bench: $setting must be a whole number, not '${!setting}'" >&2; exit 1; }
done
(( duration > 0 && clients > 0 && threads > 0 && rounds > 0 )) || { echo "bench: duration, clients, threads and rounds must be positive" >&2; exit 1; }
# pgbench refuses more threads than clients.
(( threads > clients )) && threads="$clients"

# The password for Parapet reaches pgbench only in the parapet runs. TLS is off on every path
# (Parapet and PgBouncer are configured without it, and their upstream legs are plain), so the
# direct baseline must not negotiate TLS either: Debian's PostgreSQL has ssl=on by default and
# libpq would otherwise prefer it, making "direct" look slower than the proxies.
unset PGPASSWORD PGSERVICE PGOPTIONS
export PGSSLMODE=disable
export PGCONNECT_TIMEOUT=10

work=""            # temp dir with everything generated for this run
parapet_pid="" parapet_audit_pid=""
pgbouncer_pid=""
pgbench_pid=""     # the pgbench run in progress, if any
parapet_port="" admin_port="" pgbouncer_port="" audit_port="" audit_admin_port=""
parapet_user=bench
parapet_password=""
failures=0
clock_ticks="$(getconf CLK_TCK)"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---- cleanup -----------------------------------------------------------------------------------

# Stops a process we started: TERM, a grace period, then KILL.
stop_process() {
  local pid="$1" name="$2"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$name (pid $pid) did not stop within 10 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  set +e
  stop_process "$pgbench_pid" pgbench
  stop_process "$parapet_pid" parapet
  stop_process "$parapet_audit_pid" parapet-audit
  stop_process "$pgbouncer_pid" pgbouncer
  if [ "${BENCH_KEEP_DB:-0}" != 1 ] && [ -n "$work" ]; then
    psql_admin postgres -qc "drop database if exists $db" >/dev/null 2>&1
  fi
  [ -n "$work" ] && rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT   # run the EXIT trap on Ctrl-C and TERM too
trap 'exit 143' TERM

# ---- prerequisites -----------------------------------------------------------------------------

as_root() { # runs a command as root, through sudo when we are not root
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_pgbouncer() {
  command -v pgbouncer >/dev/null 2>&1 && return 0
  [ -x /usr/sbin/pgbouncer ] && { PATH="$PATH:/usr/sbin"; return 0; }
  log "installing PgBouncer from Debian"
  # The package's own service would listen on 6432; in containers policy-rc.d keeps it from
  # starting, elsewhere it may start -- we use our own instance on our own port regardless.
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq pgbouncer >/dev/null
  PATH="$PATH:/usr/sbin"
  command -v pgbouncer >/dev/null 2>&1 || die "pgbouncer is still not on PATH after installing it"
}

ensure_jar() {
  [ -f "$repo/proxy-server/target/parapet.jar" ] && return 0
  log "building the gateway jar (./mvnw -q -B package -DskipTests)"
  (cd "$repo" && ./mvnw -q -B package -DskipTests)
}

require_tools() {
  local tool
  for tool in pgbench psql curl ss; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is needed (PostgreSQL client tools, curl, iproute2)"
  done
}

# ---- ports and the database --------------------------------------------------------------------

port_in_use() { ss -Htln "sport = :$1" | grep -q .; }

# Prints the first port from $1 upwards that nothing listens on and that is not in $2...
# (ports chosen earlier in this run but not bound yet).
free_port() {
  local port="$1"; shift
  while port_in_use "$port" || [[ " $* " == *" $port "* ]]; do port=$((port + 1)); done
  echo "$port"
}

psql_admin() { # psql as the benchmark's PostgreSQL superuser, directly; $1 is the database
  local database="$1"; shift
  psql -X -v ON_ERROR_STOP=1 -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$database" "$@"
}

prepare_database() {
  psql_admin postgres -Atc 'select 1' >/dev/null \
    || die "PostgreSQL at $pg_host:$pg_port does not let user $pg_user in without a password"
  if [ -z "$(psql_admin postgres -Atc "select 1 from pg_database where datname = '$db'")" ]; then
    psql_admin postgres -qc "create database $db"
  fi
  log "initialising $db with pgbench -i -s $scale (directly)"
  pgbench -i -q -s "$scale" -h "$pg_host" -p "$pg_port" -U "$pg_user" "$db" >"$work/pgbench-init.log" 2>&1 \
    || { tail -20 "$work/pgbench-init.log" >&2; die "pgbench -i failed"; }
  # For the masked-read scenario: 10,000 customers with columns masking recognises.
  psql_admin "$db" -q >/dev/null <<'SQL'
drop table if exists bench_customers;
create table bench_customers as
  select g as id, 'Customer ' || g as full_name, 'customer' || g || '@example.com' as email,
         '+1 650 555 ' || lpad((g % 10000)::text, 4, '0') as phone, 'order notes ' || g as notes
  from generate_series(1, 10000) g;
SQL
  printf 'select id, full_name, email, phone, notes from bench_customers;\n' >"$work/masked-read.sql"
}

# ---- the two proxies ---------------------------------------------------------------------------

# Polls "$@" every 0.2 s for up to 30 s; fails early when process $pid has died.
wait_until() {
  local pid="$1" what="$2"; shift 2
  local attempt
  for attempt in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { log "$what exited during start-up"; return 1; }
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  log "$what was not ready after $((attempt / 5)) s"
  return 1
}

# Starts a gateway: $1 its folder name under the work dir, $2 its port, $3 its admin port, $4 extra
# YAML appended to its configuration; sets started_pid.
start_gateway() {
  local name="$1" port="$2" admin="$3" extra="$4" dir="$work/$1"
  mkdir -p "$dir/policies"
  # The password stays out of the file: the config names an environment variable that only the
  # gateway process gets.
  cat >"$dir/parapet.yaml" <<EOF
# Generated by bench/pgbench.sh for one benchmark run.
instance: $name-bench
event-loops: ${BENCH_EVENT_LOOPS:-0}
listeners:
  postgres: {host: 127.0.0.1, port: $port}
  admin: {host: 127.0.0.1, port: $admin}
client-auth: {allow-cleartext-on-loopback: true}
dev-users:
  enabled: true
  users:
    - {name: $parapet_user, password: "\${PARAPET_BENCH_PASSWORD}", groups: [bench, pii-readers]}
    - {name: ${parapet_user}-masked, password: "\${PARAPET_BENCH_PASSWORD}", groups: [bench]}
targets:
  - name: bench
    environment: bench
    upstream: {host: $pg_host, port: $pg_port, database: $db, user: $pg_user}
  - name: bench-policy
    environment: prod
    upstream: {host: $pg_host, port: $pg_port, database: $db, user: $pg_user}
policies: $dir/policies
shutdown:
  grace: 2s
$extra
EOF
  cp "$repo/proxy-server/src/main/resources/dev/parapet/server/demo/policies/prod.yaml" "$dir/policies/"
  log "starting $name on 127.0.0.1:$port (admin $admin)"
  PARAPET_BENCH_PASSWORD="$parapet_password" \
    "$repo/bin/parapet" serve --config "$dir/parapet.yaml" >"$dir/parapet.log" 2>&1 &
  started_pid=$!   # bin/parapet execs java, so this is the gateway's own pid
  if ! wait_until "$started_pid" "$name" curl -fsS "http://127.0.0.1:$admin/readyz" \
      || ! PGPASSWORD="$parapet_password" psql -X -h 127.0.0.1 -p "$port" -U "$parapet_user" -d bench \
             -Atc 'select 1' >/dev/null; then
    tail -30 "$dir/parapet.log" >&2
    die "$name did not start; its log is above"
  fi
}

start_parapet() {
  start_gateway parapet "$parapet_port" "$admin_port" ""
  parapet_pid="$started_pid"
}

# The same gateway with the audit trail on: a hash-chained file with signed checkpoints, a spool.
start_parapet_audit() {
  mkdir -p "$work/parapet-audit"
  "$repo/bin/parapet" audit keygen --private "$work/parapet-audit/signing.pem" \
    --public "$work/parapet-audit/signing.pub.pem" >/dev/null
  local sink="    - type: file
      path: $work/parapet-audit/audit.jsonl
      signing-key-file: $work/parapet-audit/signing.pem"
  [ "${BENCH_AUDIT_SINK:-file}" = stdout ] && sink="    - type: stdout"
  start_gateway parapet-audit "$audit_port" "$audit_admin_port" "audit:
  spool-directory: $work/parapet-audit/spool
  sinks:
$sink"
  parapet_audit_pid="$started_pid"
}

start_pgbouncer() {
  local dir="$work/pgbouncer" run_as=()
  mkdir -p "$dir"
  # trust still needs the user listed in auth_file; the upstream leg then uses PostgreSQL's own
  # (trust) authentication for that user.
  echo "\"$pg_user\" \"\"" >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<EOF
; Generated by bench/pgbench.sh for one benchmark run.
[databases]
$db = host=$pg_host port=$pg_port dbname=$db

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgbouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = session
; Session mode gives each client its own server connection, as Parapet does; the pool must be
; large enough that no client ever waits for one.
default_pool_size = $((clients + 4))
max_client_conn = $((clients + 20))
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  # PgBouncer refuses to run as root; -u makes it drop to another user right after start, and
  # that user must be able to read its files and write its log and pidfile.
  if [ "$(id -u)" -eq 0 ]; then
    local user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown -R "$user" "$dir"
    chmod 711 "$work"
    run_as=(-u "$user")
  fi
  log "starting PgBouncer (session mode) on 127.0.0.1:$pgbouncer_port"
  pgbouncer "${run_as[@]}" "$dir/pgbouncer.ini" >"$dir/stdout.log" 2>&1 &
  pgbouncer_pid=$!
  if ! wait_until "$pgbouncer_pid" PgBouncer \
      psql -X -h 127.0.0.1 -p "$pgbouncer_port" -U "$pg_user" -d "$db" -Atc 'select 1'; then
    tail -30 "$dir/pgbouncer.log" "$dir/stdout.log" >&2 2>/dev/null || true
    die "PgBouncer did not start; its log is above"
  fi
}

# ---- running pgbench ---------------------------------------------------------------------------

scenario_title() {
  case "$1" in
    select-simple) echo "select-only, simple protocol (-S -M simple)" ;;
    select-prepared) echo "select-only, prepared (-S -M prepared)" ;;
    tpcb) echo "TPC-B-like (default script)" ;;
    masked-read) echo "10,000-row read of personal data (masked on parapet-masked)" ;;
    *) die "unknown scenario '$1' (expected select-simple, select-prepared, tpcb or masked-read)" ;;
  esac
}

scenario_args() {
  case "$1" in
    select-simple) echo "-S -M simple" ;;
    select-prepared) echo "-S -M prepared" ;;
    tpcb) echo "-M simple" ;;
    masked-read) echo "-M simple -f $work/masked-read.sql" ;;
  esac
}

# Runs pgbench against target $1, writing its output to file $2, with the extra arguments that
# follow. pgbench runs as a background job that we wait for: bash runs a trap only once a
# foreground command has finished, so this lets a TERM stop the benchmark at once, and lets the
# cleanup stop pgbench too.
pgbench_on() {
  local target="$1" out="$2"; shift 2
  local common=(-n -c "$clients" -j "$threads" "$@") status=0
  case "$target" in
    direct) pgbench "${common[@]}" -h "$pg_host" -p "$pg_port" -U "$pg_user" "$db" >"$out" 2>&1 & ;;
    parapet) PGPASSWORD="$parapet_password" \
      pgbench "${common[@]}" -h 127.0.0.1 -p "$parapet_port" -U "$parapet_user" bench >"$out" 2>&1 & ;;
    parapet-policy) PGPASSWORD="$parapet_password" \
      pgbench "${common[@]}" -h 127.0.0.1 -p "$parapet_port" -U "$parapet_user" bench-policy >"$out" 2>&1 & ;;
    parapet-masked) PGPASSWORD="$parapet_password" \
      pgbench "${common[@]}" -h 127.0.0.1 -p "$parapet_port" -U "${parapet_user}-masked" bench-policy >"$out" 2>&1 & ;;
    parapet-audit) PGPASSWORD="$parapet_password" \
      pgbench "${common[@]}" -h 127.0.0.1 -p "$audit_port" -U "$parapet_user" bench >"$out" 2>&1 & ;;
    pgbouncer) pgbench "${common[@]}" -h 127.0.0.1 -p "$pgbouncer_port" -U "$pg_user" "$db" >"$out" 2>&1 & ;;
    *) die "unknown target '$target' (expected direct, parapet, parapet-policy, parapet-masked, parapet-audit or pgbouncer)" ;;
  esac
  pgbench_pid=$!
  wait "$pgbench_pid" || status=$?
  pgbench_pid=""
  return "$status"
}

# pgbench's own pre-run VACUUM (which -n turns off) would travel through the proxy under test;
# doing it here, directly, gives every run the same starting tables whatever the target.
vacuum_tables() {
  psql_admin "$db" -qc 'vacuum pgbench_branches' -c 'vacuum pgbench_tellers' -c 'truncate pgbench_history' >/dev/null
}

declare -A tps_samples=() latency_samples=() cpu_samples=() tps_in_round=()

# The process that does a target's proxying, whose CPU time we measure; none for direct.
proxy_pid() {
  case "$1" in
    parapet | parapet-policy | parapet-masked) echo "$parapet_pid" ;;
    parapet-audit) echo "$parapet_audit_pid" ;;
    pgbouncer) echo "$pgbouncer_pid" ;;
  esac
}

cpu_ticks() { # user + system CPU time of process $1 so far, in clock ticks (/proc/PID/stat fields 14, 15)
  [ -n "$1" ] && awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

# One measured run; records TPS, latency and the proxy's CPU time per transaction, or counts a
# failure. CPU per transaction says what the proxy costs when the machine is too busy for TPS to
# be trusted: it depends much less than TPS on what else runs.
measure() {
  local scenario="$1" target="$2" round="$3"
  local out="$work/run-$round-$scenario-$target.log" tps latency failed transactions
  local pid ticks_before ticks_after
  pid="$(proxy_pid "$target")"
  vacuum_tables
  ticks_before="$(cpu_ticks "$pid")"
  # shellcheck disable=SC2046  # the scenario's arguments are meant to split
  if pgbench_on "$target" "$out" $(scenario_args "$scenario") -T "$duration"; then
    tps="$(awk '/^tps = / {print $3; exit}' "$out")"
    latency="$(awk '/^latency average = / {print $4; exit}' "$out")"
    failed="$(awk '/^number of failed transactions: / {print $5; exit}' "$out")"
    transactions="$(awk '/^number of transactions actually processed: / {print $6; exit}' "$out")"
  fi
  ticks_after="$(cpu_ticks "$pid")"
  if [ -z "${tps:-}" ] || [ -z "${latency:-}" ] || [ "${failed:-0}" != 0 ]; then
    log "FAILED: $scenario on $target (round $round); pgbench said:"
    tail -15 "$out" >&2
    failures=$((failures + 1))
    return 0
  fi
  log "$scenario on $target (round $round): $tps tps, $latency ms"
  tps_samples[$scenario,$target]+="$tps "
  tps_in_round[$scenario,$target,$round]="$tps"
  latency_samples[$scenario,$target]+="$latency "
  if [ -n "$pid" ] && [ "${transactions:-0}" -gt 0 ]; then
    cpu_samples[$scenario,$target]+="$(awk -v t=$((ticks_after - ticks_before)) -v hz="$clock_ticks" -v n="$transactions" \
      'BEGIN {print t / hz * 1e6 / n}') "
  fi
}

# The JIT compiles the gateway's hot paths in its first seconds; a short unmeasured run per
# target keeps that out of the first measurement (and warms PostgreSQL's cache for all alike).
warm_up() {
  (( warmup > 0 )) || return 0
  local target
  for target in $targets; do
    log "warming up $target for ${warmup}s"
    pgbench_on "$target" "$work/warmup-$target.log" -S -M simple -T "$warmup" \
      || { tail -15 "$work/warmup-$target.log" >&2; die "the warm-up run on $target failed"; }
  done
}

# Interleaved: within a round, each scenario runs on every target back to back, so a burst of
# background load on the machine lands on all targets of that scenario rather than on one.
run_all() {
  local round scenario target
  for round in $(seq 1 "$rounds"); do
    for scenario in $scenarios; do
      for target in $targets; do
        measure "$scenario" "$target" "$round"
      done
    done
  done
}

# ---- the report --------------------------------------------------------------------------------

median() { # of the numbers in $1; prints nothing when there are none
  tr ' ' '\n' <<<"$1" | sort -g | awk 'NF {v[++n] = $1} END {
    if (n == 0) exit; if (n % 2) print v[(n + 1) / 2]; else print (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

versions_line() {
  local pg pgb="not installed" java_version="not run" mem medians=""
  pg="$(psql_admin postgres -Atc 'show server_version' 2>/dev/null | awk '{print $1}')" || pg="?"
  if command -v pgbouncer >/dev/null 2>&1; then
    pgb="$(pgbouncer --version 2>/dev/null | awk 'NR == 1 {print $NF}')"
  fi
  # bin/parapet picks the newest Java 21+ on the machine; ask the running gateway which one.
  if [ -n "$parapet_pid" ] && [ -e "/proc/$parapet_pid/exe" ]; then
    java_version="$("$(readlink -f "/proc/$parapet_pid/exe")" -XshowSettings:properties -version 2>&1 \
      | awk -F'= ' '/java.runtime.version/ {print $2; exit}')"
  fi
  mem="$(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  if (( rounds > 1 )); then
    medians=", medians over rounds (ratio: median of the per-round ratios)"
  fi
  printf '%s; %s CPUs (nproc), %s RAM, %s; PostgreSQL %s, PgBouncer %s, Java %s; pgbench -c %s -j %s -T %s, scale %s, %s round(s)%s\n' \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$mem" "$(uname -sr)" "$pg" "$pgb" \
    "$java_version" "$clients" "$threads" "$duration" "$scale" "$rounds" "$medians"
}

# The median over rounds of target $2's TPS divided by direct's TPS in the same round. Runs of one
# round are back to back, so this cancels slow drifts in background load that a ratio of the
# overall medians would not.
ratio_to_direct() {
  local scenario="$1" target="$2" round ratios=""
  for round in $(seq 1 "$rounds"); do
    local base="${tps_in_round[$scenario,direct,$round]:-}" tps="${tps_in_round[$scenario,$target,$round]:-}"
    [ -n "$base" ] && [ -n "$tps" ] && ratios+="$(awk -v t="$tps" -v b="$base" 'BEGIN {print t / b}') "
  done
  median "$ratios"
}

print_report() {
  local scenario target tps latency ratio cpu
  echo
  echo "| scenario | target | TPS | avg latency (ms) | ratio to direct | proxy CPU per txn (µs) |"
  echo "|---|---|---:|---:|---:|---:|"
  for scenario in $scenarios; do
    for target in $targets; do
      tps="$(median "${tps_samples[$scenario,$target]:-}")"
      latency="$(median "${latency_samples[$scenario,$target]:-}")"
      if [ -z "$tps" ]; then
        echo "| $(scenario_title "$scenario") | $target | FAILED | | | |"
        continue
      fi
      ratio="$(ratio_to_direct "$scenario" "$target")"
      ratio="$([ -n "$ratio" ] && printf '%.2f' "$ratio" || echo "–")"
      cpu="$(median "${cpu_samples[$scenario,$target]:-}")"
      cpu="$([ -n "$cpu" ] && printf '%.1f' "$cpu" || echo "–")"
      printf '| %s | %s | %.0f | %.3f | %s | %s |\n' "$(scenario_title "$scenario")" "$target" "$tps" "$latency" "$ratio" "$cpu"
    done
  done
  echo
  versions_line
}

# The audit trail parapet-audit wrote during the run: every event recorded, the chain intact.
verify_audit() {
  stop_process "$parapet_audit_pid" parapet-audit   # drains and writes a last checkpoint
  parapet_audit_pid=""
  echo
  echo "Audit trail of parapet-audit: $(grep -c '"event":' "$work/parapet-audit/"audit*.jsonl | awk -F: '{n += $NF} END {print n}') lines of events;" \
    "$("$repo/bin/parapet" audit verify "$work/parapet-audit/"audit*.jsonl --public-key "$work/parapet-audit/signing.pub.pem" 2>&1 | tail -1)"
}

# ---- main --------------------------------------------------------------------------------------

main() {
  local scenario target
  for scenario in $scenarios; do scenario_title "$scenario" >/dev/null; done
  for target in $targets; do
    case "$target" in direct | parapet | parapet-policy | parapet-masked | parapet-audit | pgbouncer) ;; *) die "unknown target '$target'" ;; esac
  done
  require_tools
  [[ " $targets " == *" pgbouncer "* ]] && ensure_pgbouncer
  [[ " $targets " == *" parapet"* ]] && ensure_jar
  work="$(mktemp -d -t parapet-bench.XXXXXX)"
  prepare_database
  parapet_port="$(free_port 6442)"
  pgbouncer_port="$(free_port 6443 "$parapet_port")"
  admin_port="$(free_port 9442 "$parapet_port" "$pgbouncer_port")"
  audit_port="$(free_port 6444 "$parapet_port" "$pgbouncer_port" "$admin_port")"
  audit_admin_port="$(free_port 9443 "$parapet_port" "$pgbouncer_port" "$admin_port" "$audit_port")"
  parapet_password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  [[ " $targets " =~ " parapet"(-policy|-masked)?" " ]] && start_parapet
  [[ " $targets " == *" parapet-audit "* ]] && start_parapet_audit
  [[ " $targets " == *" pgbouncer "* ]] && start_pgbouncer
  warm_up
  run_all
  print_report
  [[ " $targets " == *" parapet-audit "* ]] && [ "${BENCH_AUDIT_SINK:-file}" = file ] && verify_audit
  if (( failures > 0 )); then
    log "$failures run(s) failed"
    exit 1
  fi
}

main "$@"
