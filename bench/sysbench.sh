#!/usr/bin/env bash
# Measures what Parapet costs a MySQL client: the MySQL counterpart of bench/pgbench.sh. Runs
# sysbench against the local MariaDB (or MySQL) directly and through Parapet's MySQL listener,
# interleaved, and prints a markdown table with TPS, 95th-percentile latency, each target's ratio
# to direct, the gateway's CPU time per transaction, and how many server-side prepared statements
# the database executed per transaction (to show which protocol a scenario really used).
#
# Usage: bench/sysbench.sh           (from anywhere; needs root or sudo only to install sysbench)
#
# Settings (environment):
#   BENCH_DURATION   seconds per sysbench run                     (default 10)
#   BENCH_THREADS    sysbench threads, one connection each        (default 4)
#   BENCH_ROUNDS     rounds of every scenario x target; the table shows medians (default 1)
#   BENCH_TABLES     sysbench tables (--tables)                   (default 2)
#   BENCH_TABLE_SIZE rows per table (--table-size)                (default 10000)
#   BENCH_WARMUP     seconds of point selects per target before measuring, 0 for none (default 5)
#   BENCH_SCENARIOS  which scenarios, space-separated: point-select-prepared point-select-text
#                    read-write-prepared read-write-text (default all). "prepared" is sysbench's
#                    --db-ps-mode=auto (server-side prepared statements, COM_STMT_EXECUTE with
#                    binary rows), "text" is --db-ps-mode=disable (COM_QUERY, text rows).
#   BENCH_TARGETS    which targets, space-separated: direct parapet parapet-policy parapet-masked
#                    (default all). parapet-policy is the same gateway through a second target in
#                    environment prod, where the demo's production policy applies to every
#                    statement, for a user the policy's mask rule leaves clear (guardrails only);
#                    parapet-masked is that target for a user whose results are masked.
#   BENCH_MY_HOST / BENCH_MY_PORT / BENCH_MY_USER   the database to measure (default 127.0.0.1 /
#                    3306 / root; that user must get in without a password and create databases)
#   BENCH_KEEP_DB=1  keep the parapet_bench database afterwards (default: drop it)
#   BENCH_EVENT_LOOPS  the gateway's event-loops setting (default 0: one per CPU)
#   PARAPET_JAR      the gateway jar bin/parapet runs (default proxy-server/target/parapet.jar)
#   PARAPET_JAVA_OPTS  passed to the gateway's JVM by bin/parapet, e.g. a JFR recording
#
# Exit status: 0 when every run succeeded, 1 when a run failed or something could not start.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

duration="${BENCH_DURATION:-10}"
threads="${BENCH_THREADS:-4}"
rounds="${BENCH_ROUNDS:-1}"
tables="${BENCH_TABLES:-2}"
table_size="${BENCH_TABLE_SIZE:-10000}"
warmup="${BENCH_WARMUP:-5}"
scenarios="${BENCH_SCENARIOS:-point-select-prepared point-select-text read-write-prepared read-write-text}"
targets="${BENCH_TARGETS:-direct parapet parapet-policy parapet-masked}"
my_host="${BENCH_MY_HOST:-127.0.0.1}"
my_port="${BENCH_MY_PORT:-3306}"
my_user="${BENCH_MY_USER:-root}"
jar="${PARAPET_JAR:-$repo/proxy-server/target/parapet.jar}"
db=parapet_bench

for setting in duration threads rounds tables table_size warmup my_port; do
  [[ "${!setting}" =~ ^[0-9]+$ ]] || { echo "bench: $setting must be a whole number, not '${!setting}'" >&2; exit 1; }
done
(( duration > 0 && threads > 0 && rounds > 0 && tables > 0 && table_size > 0 )) \
  || { echo "bench: duration, threads, rounds, tables and table size must be positive" >&2; exit 1; }

# Through the gateway the password travels in clear over loopback (mysql_clear_password, which
# the gateway switches the client to), and the direct leg is plain too: no leg uses TLS, so the
# comparison is of the proxy alone. (sysbench 1.0's --mysql-ssl=on would not do here anyway: it
# wants client-key.pem, client-cert.pem and cacert.pem in its working directory.)
#
# MariaDB's client library loads mysql_clear_password from a shared object the first time an auth
# switch asks for it. When several sysbench threads connect at once, two of them can miss the
# plugin and both try to load it; the loser fails with "Plugin mysql_clear_password could not be
# loaded: it is already loaded" (3 runs in 20 with 4 threads here). Loading it when the library
# initialises, through the library's own LIBMYSQL_PLUGINS setting, takes the race away.
export LIBMYSQL_PLUGINS=mysql_clear_password
unset MYSQL_PWD MYSQL_HOST MYSQL_TCP_PORT

work=""            # temp dir with everything generated for this run
parapet_pid=""
sysbench_pid=""    # the sysbench run in progress, if any
parapet_port="" pg_listener_port="" admin_port=""
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
  stop_process "$sysbench_pid" sysbench
  stop_process "$parapet_pid" parapet
  if [ "${BENCH_KEEP_DB:-0}" != 1 ] && [ -n "$work" ]; then
    mysql_admin -e "drop database if exists $db" >/dev/null 2>&1
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

ensure_sysbench() {
  command -v sysbench >/dev/null 2>&1 && return 0
  log "installing sysbench from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq sysbench >/dev/null
  command -v sysbench >/dev/null 2>&1 || die "sysbench is still not on PATH after installing it"
}

ensure_jar() {
  [ -f "$jar" ] && return 0
  log "building the gateway jar (./mvnw -q -B package -DskipTests)"
  (cd "$repo" && ./mvnw -q -B package -DskipTests)
}

require_tools() {
  local tool
  for tool in mysql curl ss; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is needed (MariaDB or MySQL client, curl, iproute2)"
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

mysql_admin() { # the mysql client as the benchmark's database superuser, directly
  mysql --no-defaults -h "$my_host" -P "$my_port" -u "$my_user" --batch --skip-column-names "$@"
}

# sysbench's own options for the schema, shared by prepare and every run.
schema_args() { echo "--tables=$tables --table-size=$table_size"; }

prepare_database() {
  mysql_admin -e 'select 1' >/dev/null \
    || die "the database at $my_host:$my_port does not let user $my_user in without a password"
  # sysbench's prepare refuses tables that exist already; start from an empty database.
  mysql_admin -e "drop database if exists $db; create database $db"
  log "preparing $db with sysbench oltp_read_write prepare $(schema_args) (directly)"
  # shellcheck disable=SC2046  # schema_args is meant to split
  sysbench oltp_read_write $(schema_args) --mysql-host="$my_host" --mysql-port="$my_port" \
      --mysql-user="$my_user" --mysql-db="$db" prepare >"$work/sysbench-prepare.log" 2>&1 \
    || { tail -20 "$work/sysbench-prepare.log" >&2; die "sysbench prepare failed"; }
}

# ---- the gateway -------------------------------------------------------------------------------

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

# The mysql client through the gateway as user $1 on target $2, with the arguments that follow.
mysql_gateway() {
  local user="$1" target="$2"; shift 2
  MYSQL_PWD="$parapet_password" mysql --no-defaults -h 127.0.0.1 -P "$parapet_port" -u "$user" \
    --batch --skip-column-names "$target" "$@"
}

start_parapet() {
  local dir="$work/parapet"
  mkdir -p "$dir/policies"
  # The password stays out of the file: the config names an environment variable that only the
  # gateway process gets. The PostgreSQL listener is on by default; it gets a free port of its own.
  cat >"$dir/parapet.yaml" <<EOF
# Generated by bench/sysbench.sh for one benchmark run.
instance: parapet-sysbench
event-loops: ${BENCH_EVENT_LOOPS:-0}
listeners:
  postgres: {host: 127.0.0.1, port: $pg_listener_port}
  mysql: {host: 127.0.0.1, port: $parapet_port}
  admin: {host: 127.0.0.1, port: $admin_port}
client-auth: {allow-cleartext-on-loopback: true}
dev-users:
  enabled: true
  users:
    - {name: $parapet_user, password: "\${PARAPET_BENCH_PASSWORD}", groups: [bench, pii-readers]}
    - {name: ${parapet_user}-masked, password: "\${PARAPET_BENCH_PASSWORD}", groups: [bench]}
targets:
  - name: bench
    protocol: mysql
    environment: bench
    upstream: {host: $my_host, port: $my_port, database: $db, user: $my_user}
  - name: bench-policy
    protocol: mysql
    environment: prod
    upstream: {host: $my_host, port: $my_port, database: $db, user: $my_user}
policies: $dir/policies
shutdown:
  grace: 2s
EOF
  cp "$repo/proxy-server/src/main/resources/dev/parapet/server/demo/policies/prod.yaml" "$dir/policies/"
  log "starting parapet with its MySQL listener on 127.0.0.1:$parapet_port (admin $admin_port)"
  PARAPET_BENCH_PASSWORD="$parapet_password" PARAPET_JAR="$jar" \
    "$repo/bin/parapet" serve --config "$dir/parapet.yaml" >"$dir/parapet.log" 2>&1 &
  parapet_pid=$!   # bin/parapet execs java, so this is the gateway's own pid
  if ! wait_until "$parapet_pid" parapet curl -fsS "http://127.0.0.1:$admin_port/readyz" \
      || ! mysql_gateway "$parapet_user" bench -e 'select 1' >/dev/null; then
    tail -30 "$dir/parapet.log" >&2
    die "parapet did not start; its log is above"
  fi
}

# The gateway must relay rows as they are where nothing masks them: the first 200 rows of the
# first table, read through each target, against the same read made directly. parapet-masked is
# expected to differ only where masking changed a value; it is reported, not judged.
check_results() {
  local query="select id, k, c, pad from sbtest1 order by id limit 200" direct target sum
  direct="$(mysql_admin "$db" -e "$query" | md5sum)"
  for target in $targets; do
    case "$target" in
      parapet) sum="$(mysql_gateway "$parapet_user" bench -e "$query" | md5sum)" ;;
      parapet-policy) sum="$(mysql_gateway "$parapet_user" bench-policy -e "$query" | md5sum)" ;;
      parapet-masked)
        sum="$(mysql_gateway "${parapet_user}-masked" bench-policy -e "$query" | md5sum)"
        [ "$sum" = "$direct" ] && log "parapet-masked: the first 200 rows read as they are (nothing in them is masked)" \
          || log "parapet-masked: the first 200 rows differ from direct (masked)"
        continue ;;
      *) continue ;;
    esac
    [ "$sum" = "$direct" ] || die "$target returned other rows than the database for: $query"
  done
}

# ---- running sysbench --------------------------------------------------------------------------

scenario_title() {
  case "$1" in
    point-select-prepared) echo "point select, prepared (oltp_point_select, --db-ps-mode=auto)" ;;
    point-select-text) echo "point select, text (oltp_point_select, --db-ps-mode=disable)" ;;
    read-write-prepared) echo "read-write, prepared (oltp_read_write, --db-ps-mode=auto)" ;;
    read-write-text) echo "read-write, text (oltp_read_write, --db-ps-mode=disable)" ;;
    *) die "unknown scenario '$1' (expected point-select-prepared, point-select-text, read-write-prepared or read-write-text)" ;;
  esac
}

scenario_args() {
  case "$1" in
    point-select-prepared) echo "oltp_point_select --db-ps-mode=auto" ;;
    point-select-text) echo "oltp_point_select --db-ps-mode=disable" ;;
    read-write-prepared) echo "oltp_read_write --db-ps-mode=auto" ;;
    read-write-text) echo "oltp_read_write --db-ps-mode=disable" ;;
  esac
}

# Runs sysbench against target $1, writing its output to file $2; the test name and its extra
# arguments follow. sysbench runs as a background job that we wait for: bash runs a trap only once
# a foreground command has finished, so this lets a TERM stop the benchmark at once, and lets the
# cleanup stop sysbench too.
sysbench_on() {
  local target="$1" out="$2" test="$3"; shift 3
  local common=("$test" $(schema_args) --threads="$threads" --report-interval=0 --percentile=95 "$@") status=0
  local through=(--mysql-host=127.0.0.1 --mysql-port="$parapet_port" --mysql-password="$parapet_password")
  case "$target" in
    direct) sysbench "${common[@]}" --mysql-host="$my_host" --mysql-port="$my_port" --mysql-user="$my_user" \
      --mysql-db="$db" run >"$out" 2>&1 & ;;
    parapet) sysbench "${common[@]}" "${through[@]}" --mysql-user="$parapet_user" --mysql-db=bench run >"$out" 2>&1 & ;;
    parapet-policy) sysbench "${common[@]}" "${through[@]}" --mysql-user="$parapet_user" \
      --mysql-db=bench-policy run >"$out" 2>&1 & ;;
    parapet-masked) sysbench "${common[@]}" "${through[@]}" --mysql-user="${parapet_user}-masked" \
      --mysql-db=bench-policy run >"$out" 2>&1 & ;;
    *) die "unknown target '$target' (expected direct, parapet, parapet-policy or parapet-masked)" ;;
  esac
  sysbench_pid=$!
  wait "$sysbench_pid" || status=$?
  sysbench_pid=""
  # sysbench reports some failures (a thread that could not connect) and still exits 0.
  grep -q '^FATAL' "$out" && status=1
  return "$status"
}

declare -A tps_samples=() p95_samples=() cpu_samples=() executes_samples=() tps_in_round=()

# The process that does a target's proxying, whose CPU time we measure; none for direct.
proxy_pid() {
  case "$1" in
    parapet | parapet-policy | parapet-masked) echo "$parapet_pid" ;;
  esac
}

cpu_ticks() { # user + system CPU time of process $1 so far, in clock ticks (/proc/PID/stat fields 14, 15)
  [ -n "$1" ] && awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Server-side prepared statements executed so far on the database (all its clients: the count
# for one run is exact only when nothing else uses prepared statements there meanwhile).
stmt_executes() {
  mysql_admin -e "show global status like 'Com_stmt_execute'" | awk '{print $2}'
}

# One measured run; records TPS, p95 latency, the proxy's CPU time and the database's prepared
# executes per transaction, or counts a failure. CPU per transaction says what the proxy costs
# when the machine is too busy for TPS to be trusted: it depends much less than TPS on what else
# runs.
measure() {
  local scenario="$1" target="$2" round="$3"
  local out="$work/run-$round-$scenario-$target.log" tps="" p95="" ignored="" transactions=""
  local pid ticks_before ticks_after executes_before executes_after
  pid="$(proxy_pid "$target")"
  executes_before="$(stmt_executes)"
  ticks_before="$(cpu_ticks "$pid")"
  # shellcheck disable=SC2046  # the scenario's arguments are meant to split
  if sysbench_on "$target" "$out" $(scenario_args "$scenario") --time="$duration"; then
    transactions="$(awk '/^ *transactions:/ {print $2; exit}' "$out")"
    tps="$(awk '/^ *transactions:/ {sub(/^\(/, "", $3); print $3; exit}' "$out")"
    p95="$(awk '/^ *95th percentile:/ {print $3; exit}' "$out")"
    ignored="$(awk '/^ *ignored errors:/ {print $3; exit}' "$out")"
  fi
  ticks_after="$(cpu_ticks "$pid")"
  executes_after="$(stmt_executes)"
  if [ -z "$tps" ] || [ -z "$p95" ] || [ "${transactions:-0}" -eq 0 ]; then
    log "FAILED: $scenario on $target (round $round); sysbench said:"
    grep -v '^$' "$out" | tail -15 >&2
    [ -n "$pid" ] && { log "the gateway's log ends with:"; tail -10 "$work/parapet/parapet.log" >&2; }
    failures=$((failures + 1))
    return 0
  fi
  # Deadlocks and lock wait timeouts are retried by sysbench and counted as ignored errors.
  [ "${ignored:-0}" != 0 ] && log "$scenario on $target (round $round): $ignored error(s) ignored by sysbench"
  log "$scenario on $target (round $round): $tps tps, p95 $p95 ms"
  tps_samples[$scenario,$target]+="$tps "
  tps_in_round[$scenario,$target,$round]="$tps"
  p95_samples[$scenario,$target]+="$p95 "
  executes_samples[$scenario,$target]+="$(awk -v e=$((executes_after - executes_before)) -v n="$transactions" \
    'BEGIN {print e / n}') "
  if [ -n "$pid" ]; then
    cpu_samples[$scenario,$target]+="$(awk -v t=$((ticks_after - ticks_before)) -v hz="$clock_ticks" -v n="$transactions" \
      'BEGIN {print t / hz * 1e6 / n}') "
  fi
}

# The JIT compiles the gateway's hot paths in its first seconds; a short unmeasured run per
# target keeps that out of the first measurement (and warms the database's buffer pool for all).
warm_up() {
  (( warmup > 0 )) || return 0
  local target
  for target in $targets; do
    log "warming up $target for ${warmup}s"
    sysbench_on "$target" "$work/warmup-$target.log" oltp_point_select --db-ps-mode=auto --time="$warmup" \
      || { grep -v '^$' "$work/warmup-$target.log" | tail -15 >&2; die "the warm-up run on $target failed"; }
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
  local server sb java_version="not run" mem medians=""
  server="$(mysql_admin -e 'select version()' 2>/dev/null)" || server="?"
  sb="$(sysbench --version 2>/dev/null | awk '{print $2}')"
  # bin/parapet picks the newest Java 21+ on the machine; ask the running gateway which one.
  if [ -n "$parapet_pid" ] && [ -e "/proc/$parapet_pid/exe" ]; then
    java_version="$("$(readlink -f "/proc/$parapet_pid/exe")" -XshowSettings:properties -version 2>&1 \
      | awk -F'= ' '/java.runtime.version/ {print $2; exit}')"
  fi
  mem="$(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  if (( rounds > 1 )); then
    medians=", medians over rounds (ratio: median of the per-round ratios)"
  fi
  printf '%s; %s CPUs (nproc), %s RAM, %s; %s, sysbench %s, Java %s; %s threads, %s s per run, %s table(s) of %s rows, %s round(s)%s\n' \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$mem" "$(uname -sr)" "$server" "$sb" \
    "$java_version" "$threads" "$duration" "$tables" "$table_size" "$rounds" "$medians"
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
  local scenario target tps p95 ratio cpu executes
  echo
  echo "| scenario | target | TPS | p95 latency (ms) | ratio to direct | proxy CPU per txn (µs) | prepared executes per txn |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  for scenario in $scenarios; do
    for target in $targets; do
      tps="$(median "${tps_samples[$scenario,$target]:-}")"
      p95="$(median "${p95_samples[$scenario,$target]:-}")"
      if [ -z "$tps" ]; then
        echo "| $(scenario_title "$scenario") | $target | FAILED | | | | |"
        continue
      fi
      ratio="$(ratio_to_direct "$scenario" "$target")"
      ratio="$([ -n "$ratio" ] && printf '%.2f' "$ratio" || echo "–")"
      cpu="$(median "${cpu_samples[$scenario,$target]:-}")"
      cpu="$([ -n "$cpu" ] && printf '%.1f' "$cpu" || echo "–")"
      executes="$(median "${executes_samples[$scenario,$target]:-}")"
      printf '| %s | %s | %.0f | %.2f | %s | %s | %.1f |\n' "$(scenario_title "$scenario")" "$target" "$tps" "$p95" \
        "$ratio" "$cpu" "$executes"
    done
  done
  echo
  versions_line
}

# ---- main --------------------------------------------------------------------------------------

main() {
  local scenario target
  for scenario in $scenarios; do scenario_title "$scenario" >/dev/null; done
  for target in $targets; do
    case "$target" in direct | parapet | parapet-policy | parapet-masked) ;; *) die "unknown target '$target'" ;; esac
  done
  require_tools
  ensure_sysbench
  [[ " $targets " == *" parapet"* ]] && ensure_jar
  work="$(mktemp -d -t parapet-sysbench.XXXXXX)"
  prepare_database
  parapet_port="$(free_port 6034)"
  pg_listener_port="$(free_port 6445 "$parapet_port")"
  admin_port="$(free_port 9444 "$parapet_port" "$pg_listener_port")"
  parapet_password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  if [[ " $targets " == *" parapet"* ]]; then
    start_parapet
    check_results
  fi
  warm_up
  run_all
  print_report
  if (( failures > 0 )); then
    log "$failures run(s) failed"
    exit 1
  fi
}

main "$@"
