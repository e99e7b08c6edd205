#!/usr/bin/env bash
# Runs ansible/deploy.yml for real against hosts simulated on this machine: one sshd per host
# on 127.0.0.1 (its own port, host key and install root), the service-manager stand-in
# (wallance_service_manager=script) since there is no systemd PID 1 here.
#
#   fleet-test.sh JAR RESULTS_FILE
#
# Steps, each reported as a line "step=ok|failed detail" in RESULTS_FILE:
#   lint       ansible-lint (production profile) and --syntax-check of every playbook
#   deploy     deploy.yml on 3 nodes + dashboard; nodes ready; dashboard sees 3 online
#   units      systemd-analyze verify of the rendered unit files
#   purchase   a purchase through the dashboard API (curl, operator password) becomes final
#   idempotent a second deploy.yml run reports changed=0
#   status     status.yml shows 3 nodes up and one checkpoint digest; stop.yml/start.yml
#   keys       no node's (or the operator's) private key, and no host's TLS key, anywhere on the controller
#   tls        every link uses the project CA the controller keeps: each host's certificate is
#              signed by it for its names, the node/dashboard servers refuse plain HTTP and a
#              client that does not trust the CA (no -k anywhere here)
#   grow       a 4th host in the inventory, deploy.yml again: it syncs and a purchase completes
# Always stops every process it started and removes its directories.
set -uo pipefail

JAR=$(realpath "$1")
RESULTS=$2
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
: >"$RESULTS"

BASE=$(mktemp -d /tmp/wallance-ansible.XXXXXX)
chmod 755 "$BASE"
CTL=$BASE/controller          # everything the controller writes: inventory, temp, logs
HOSTS=$BASE/hosts             # the simulated hosts' own directories
mkdir -p "$CTL/tmp" "$CTL/home" "$CTL/inv/group_vars" "$CTL/inv/host_vars" "$HOSTS"
SSHD_PIDS=()

log() { echo "[fleet-test $(date +%T)] $*"; }
result() { echo "$1=$2 ${3:-}" >>"$RESULTS"; log "$1: $2 ${3:-}"; }

cleanup() {
  set +e
  log "cleanup"
  for root in "$HOSTS"/*/root; do
    for ctl in "$root"/bin/*-ctl; do
      [[ -x $ctl ]] && "$ctl" stop >/dev/null 2>&1
    done
  done
  for pidfile in "$BASE"/sshd-*.pid; do
    [[ -f $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null
  done
  sleep 0.5
  if [[ -n ${KEEP_FLEET_TEST_DIR:-} ]]; then
    log "kept $BASE"
  else
    rm -rf "$BASE"
  fi
}
trap cleanup EXIT

free_ports() { # N free TCP ports on 127.0.0.1
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# ---- the simulated hosts: one sshd each ------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -C wallance-fleet-test -f "$CTL/id_ed25519"
cp "$CTL/id_ed25519.pub" "$BASE/authorized_keys"
mkdir -p /run/sshd
NET="t$(date +%s)$$"
read -r -a PORTS <<<"$(free_ports 20)"
HOST_NAMES=(pi-1 pi-2 pi-3 pc pi-4)
declare -A SSH_PORT HZ_PORT APP_PORT
i=0
for h in "${HOST_NAMES[@]}"; do
  SSH_PORT[$h]=${PORTS[$i]}; HZ_PORT[$h]=${PORTS[$((i + 5))]}; APP_PORT[$h]=${PORTS[$((i + 10))]}
  i=$((i + 1))
done

start_host() { # name: own host key, own root, own sshd
  local h=$1
  mkdir -p "$HOSTS/$h/root/systemd" "$HOSTS/$h/tmp"
  ssh-keygen -q -t ed25519 -N '' -f "$HOSTS/$h/ssh_host_ed25519_key"
  /usr/sbin/sshd -f /dev/null -p "${SSH_PORT[$h]}" -o ListenAddress=127.0.0.1 \
    -o HostKey="$HOSTS/$h/ssh_host_ed25519_key" -o PidFile="$BASE/sshd-$h.pid" \
    -o AuthorizedKeysFile="$BASE/authorized_keys" -o StrictModes=no -o PermitRootLogin=prohibit-password \
    -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o UsePAM=no \
    -o "Subsystem=sftp internal-sftp" -o MaxStartups=50 || return 1
}

write_inventory() { # node names...
  {
    echo "all:"
    echo "  children:"
    echo "    nodes:"
    echo "      hosts:"
    for h in "$@"; do echo "        $h: {}"; done
    echo "    dashboard:"
    echo "      hosts:"
    echo "        pc: {}"
  } >"$CTL/inv/hosts.yml"
}

PASSWORD="fleet-test-$RANDOM-$RANDOM"
cat >"$CTL/inv/group_vars/all.yml" <<EOF
ansible_host: 127.0.0.1
ansible_user: root
ansible_become: false
ansible_python_interpreter: /usr/bin/python3
ansible_ssh_private_key_file: $CTL/id_ed25519
ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
ansible_remote_tmp: "$HOSTS/{{ inventory_hostname }}/tmp"
wallance_root: "$HOSTS/{{ inventory_hostname }}/root"
wallance_service_manager: script
wallance_unit_dir: "$HOSTS/{{ inventory_hostname }}/root/systemd"
wallance_jar_src: $JAR
wallance_net: $NET
wallance_jvm_profile: test
wallance_dashboard_jvm_profile: test
wallance_failure_detection_seconds: 5
wallance_ready_retries: 90
wallance_ready_delay: 2
EOF
cat >"$CTL/inv/group_vars/nodes.yml" <<EOF
wallance_sensor_kind: virtual
wallance_sensor_random_period: false
wallance_sensor_period_ms: 300
EOF
cat >"$CTL/inv/group_vars/dashboard.yml" <<EOF
wallance_http_host: 127.0.0.1
wallance_operator_password: $PASSWORD
EOF
for h in "${HOST_NAMES[@]}"; do
  cat >"$CTL/inv/host_vars/$h.yml" <<EOF
ansible_port: ${SSH_PORT[$h]}
wallance_hazelcast_port: ${HZ_PORT[$h]}
wallance_health_port: ${APP_PORT[$h]}
wallance_http_port: ${APP_PORT[$h]}
EOF
done

export ANSIBLE_CONFIG=$REPO/ansible/ansible.cfg ANSIBLE_LOCAL_TEMP=$CTL/tmp ANSIBLE_HOME=$CTL/home \
  ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
playbook() { # log-name playbook args...
  local name=$1; shift
  local start=$SECONDS rc=0
  (cd "$REPO/ansible" && ansible-playbook -i "$CTL/inv/hosts.yml" "$@") >"$CTL/$name.log" 2>&1 || rc=$?
  log "ansible-playbook $* -> rc=$rc in $((SECONDS - start)) s (log $name.log)"
  sed -n '/PLAY RECAP/,$p' "$CTL/$name.log"
  if [[ $rc -ne 0 ]]; then grep -E 'fatal:|FAILED!|ERROR' "$CTL/$name.log" | head -20; fi
  return $rc
}
CA=$CTL/inv/wallance-ca/ca.crt # the project CA the controller keeps (wallance_ca_dir)
api() { curl -sS --max-time 10 --cacert "$CA" -u "operator:$PASSWORD" "$@"; } # every API call but /health needs the operator
DASH=https://127.0.0.1:${APP_PORT[pc]}

# ---- lint ----------------------------------------------------------------------------------
lint_ok=1
(cd "$REPO/ansible" && ansible-lint --offline --profile production deploy.yml start.yml stop.yml status.yml \
  remove_node.yml shutdown.yml roles inventories) >"$CTL/lint.log" 2>&1 || lint_ok=0
for p in deploy start stop status remove_node shutdown; do
  (cd "$REPO/ansible" && ansible-playbook --syntax-check "$p.yml") >>"$CTL/lint.log" 2>&1 || lint_ok=0
done
if [[ $lint_ok -eq 1 ]]; then result lint ok; else tail -30 "$CTL/lint.log"; result lint failed; fi

# ---- deploy 3 nodes + dashboard ---------------------------------------------------------------
for h in pi-1 pi-2 pi-3 pc; do start_host "$h" || { result deploy failed "sshd $h did not start"; exit 1; }; done
write_inventory pi-1 pi-2 pi-3
T0=$SECONDS
if ! playbook deploy1 deploy.yml; then
  for h in pi-1 pi-2 pi-3 pc; do tail -5 "$HOSTS/$h/root/log/"*.log 2>/dev/null; done
  result deploy failed "deploy.yml failed"; exit 1
fi
online() { api "$DASH/api/state" | python3 -c 'import json,sys; print(sum(1 for n in json.load(sys.stdin)["nodes"] if n["online"]))' 2>/dev/null || echo 0; }
for _ in $(seq 1 30); do [[ $(online) -ge 3 ]] && break; sleep 1; done
if [[ $(online) -ge 3 ]]; then result deploy ok "3 nodes online in $((SECONDS - T0)) s"; else result deploy failed "online=$(online)"; exit 1; fi

# ---- units ---------------------------------------------------------------------------------
units_ok=1
for u in "$HOSTS"/pi-1/root/systemd/wallance-node.service "$HOSTS"/pc/root/systemd/wallance-dashboard.service; do
  systemd-analyze verify --man=no "$u" >"$CTL/verify.log" 2>&1 || { units_ok=0; cat "$CTL/verify.log"; }
done
# The node profile's environment (conf/jvm/test.env) is in the unit's command and in the running JVM.
grep -q '^ExecStart=/usr/bin/env MALLOC_ARENA_MAX=2 ' "$HOSTS/pi-1/root/systemd/wallance-node.service" \
  || { units_ok=0; log "node unit: ExecStart lacks the profile's environment (conf/jvm/test.env)"; }
node_pid=$(cat "$HOSTS/pi-1/root/run/wallance-node.pid" 2>/dev/null)
tr '\0' '\n' <"/proc/${node_pid:-0}/environ" 2>/dev/null | grep -qx 'MALLOC_ARENA_MAX=2' \
  || { units_ok=0; log "node pi-1 (pid ${node_pid:-none}) runs without MALLOC_ARENA_MAX=2"; }
if [[ $units_ok -eq 1 ]]; then result units ok; else result units failed; fi

# ---- purchase ---------------------------------------------------------------------------
buy() { # node-name contract -> prints final|<state>
  local id pid state
  id=$(api "$DASH/api/state" | python3 -c "import json,sys; print([n['id'] for n in json.load(sys.stdin)['nodes'] if n['name']=='$1'][0])")
  pid=$(api -u "operator:$PASSWORD" -X POST -H 'Content-Type: application/json' -d "{\"contract\":\"$2\"}" \
    "$DASH/api/nodes/$id/purchases" | python3 -c 'import json,sys; print(json.load(sys.stdin)["purchase"])') || return 1
  for _ in $(seq 1 90); do
    state=$(api "$DASH/api/nodes/$id/purchases/$pid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [[ $state == final || $state == failed || $state == cancelled ]] && break
    sleep 1
  done
  echo "$state"
}
T0=$SECONDS
state=$(buy pi-1 Receipt)
if [[ $state == final ]]; then result purchase ok "pi-1 bought Receipt in $((SECONDS - T0)) s"; else result purchase failed "state=$state"; fi

# ---- idempotent ------------------------------------------------------------------------
# The second run also dumps every fact and registered result the controller holds, for the
# key check below.
cat >"$CTL/dump.yml" <<EOF
- name: Deploy again
  ansible.builtin.import_playbook: $REPO/ansible/deploy.yml
- name: Dump every fact and registered result the controller holds
  hosts: all
  gather_facts: false
  tasks:
    - name: Dump hostvars
      ansible.builtin.copy:
        content: "{{ hostvars[inventory_hostname] | to_nice_json }}"
        dest: "$CTL/hostvars-{{ inventory_hostname }}.json"
        mode: "0600"
      delegate_to: localhost
      changed_when: false
EOF
if playbook deploy2 "$CTL/dump.yml" -v; then
  changed=$(sed -n '/PLAY RECAP/,$p' "$CTL/deploy2.log" | grep -o 'changed=[0-9]*' | grep -vc 'changed=0$')
  if [[ $changed -eq 0 ]]; then
    result idempotent ok "second deploy: changed=0 on every host"
  else
    grep -A3 '^TASK\|^changed:' "$CTL/deploy2.log" | grep -B2 '^changed:' | head -40
    result idempotent failed "changed tasks on the second run"
  fi
else
  result idempotent failed "second deploy failed"
fi

# ---- status, stop, start ---------------------------------------------------------------
status_ok=1
playbook status status.yml || status_ok=0
grep -q '1 distinct checkpoint digest(s) among 3 node(s) up' "$CTL/status.log" || log "status: the nodes' checkpoint digests differ right now"
[[ $(grep -c ': UP epoch=' "$CTL/status.log") -eq 3 ]] || status_ok=0
playbook stop stop.yml || status_ok=0
[[ $(online) -eq 0 ]] || status_ok=0
playbook start start.yml || status_ok=0
for _ in $(seq 1 30); do [[ $(online) -ge 3 ]] && break; sleep 1; done
[[ $(online) -ge 3 ]] || status_ok=0
if [[ $status_ok -eq 1 ]]; then result status ok "status shows 3 up; stop.yml and start.yml work"; else result status failed; fi

# ---- keys: no private key on the controller -----------------------------------------------
leaks=0
secrets=()
for h in pi-1 pi-2 pi-3 pc; do
  for k in "$HOSTS/$h/root/keys/"*.key; do secrets+=("$(tr -d '\n' <"$k")"); done
done
for s in "${secrets[@]}"; do
  [[ ${#s} -eq 64 ]] || { leaks=$((leaks + 1)); log "unexpected key file content"; continue; }
  # The controller's side: its temp dirs, ANSIBLE_HOME, inventory, logs and fact dumps, the
  # user's ~/.ansible, and the repository's ansible/ directory.
  if grep -rqF "$s" "$CTL" "$REPO/ansible" ~/.ansible 2>/dev/null; then leaks=$((leaks + 1)); fi
done
# The TLS keys (PEM, made on each host by `cert request`): no line of their base64 body may
# appear on the controller either (only requests went there, and certificates came back).
tls_keys=0
for h in pi-1 pi-2 pi-3 pc; do
  k=$HOSTS/$h/root/tls/$h.key
  [[ -f $k ]] || { leaks=$((leaks + 1)); log "no TLS key on $h"; continue; }
  tls_keys=$((tls_keys + 1))
  while read -r line; do
    [[ $line == -----* || ${#line} -lt 40 ]] && continue
    if grep -rqF "$line" "$CTL" "$REPO/ansible" ~/.ansible 2>/dev/null; then leaks=$((leaks + 1)); log "TLS key of $h on the controller"; fi
  done <"$k"
done
if [[ ${#secrets[@]} -ge 4 && $tls_keys -eq 4 && $leaks -eq 0 ]]; then
  result keys ok "${#secrets[@]} private keys and $tls_keys TLS keys, none in the controller's files, facts or logs"
else
  result keys failed "leaks=$leaks keys=${#secrets[@]} tls_keys=$tls_keys"
fi

# ---- tls: certificates of the controller's CA; plain or untrusting clients get nothing ------
tls_ok=1
[[ -f $CTL/inv/wallance-ca/ca.key ]] || { tls_ok=0; log "no CA key on the controller"; }
for h in pi-1 pi-2 pi-3 pc; do
  crt=$HOSTS/$h/root/tls/$h.crt
  openssl verify -CAfile "$CA" "$crt" >/dev/null 2>&1 || { tls_ok=0; log "$h: certificate not issued by the CA"; }
  cmp -s "$CA" "$HOSTS/$h/root/tls/ca.crt" || { tls_ok=0; log "$h: another CA certificate"; }
  openssl x509 -in "$crt" -noout -ext subjectAltName 2>/dev/null | grep -q 'IP Address:127.0.0.1' \
    || { tls_ok=0; log "$h: 127.0.0.1 not in its certificate"; }
  # the key on the host belongs to the certificate the controller signed
  [[ $(openssl x509 -in "$crt" -noout -pubkey | sha256sum) == $(openssl pkey -in "$HOSTS/$h/root/tls/$h.key" -pubout | sha256sum) ]] \
    || { tls_ok=0; log "$h: key and certificate differ"; }
  grep -q '"tls"' "$HOSTS/$h/root/etc/"*.json || { tls_ok=0; log "$h: no tls block in its config"; }
done
for h in pi-1 pc; do
  path=/readiness; [[ $h == pc ]] && path=/health
  code=$(curl -sS --max-time 5 --cacert "$CA" -o /dev/null -w '%{http_code}' "https://127.0.0.1:${APP_PORT[$h]}$path" 2>/dev/null)
  [[ $code == 200 ]] || { tls_ok=0; log "$h: https with the CA answered $code"; }
  if curl -sS --max-time 5 -o /dev/null "https://127.0.0.1:${APP_PORT[$h]}$path" 2>/dev/null; then
    tls_ok=0; log "$h: a client without the CA was answered"
  fi
  code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:${APP_PORT[$h]}$path" 2>/dev/null)
  [[ $code == 200 ]] && { tls_ok=0; log "$h: plain http answered 200"; }
done
grep -q 'event bus mutual TLS' "$HOSTS"/pi-1/root/log/*.log 2>/dev/null || { tls_ok=0; log "pi-1 did not log mutual TLS"; }
if [[ $tls_ok -eq 1 ]]; then
  result tls ok "4 certificates signed on the controller for keys made on the hosts; https only, with the CA"
else
  result tls failed
fi

# ---- grow: a 4th host ---------------------------------------------------------------------
# deploy.yml again with pi-4 in the inventory: pi-4 gets its key, the dashboard host signs
# epoch 2 (4 members), every node and the dashboard list it in registryUpdates and restart one
# at a time; pi-4 starts, syncs and votes. Checks: every node's /readiness reports epoch 2, the
# dashboard sees 4 members online, a purchase by pi-4 (3 of 4 votes) becomes final.
start_host pi-4 || { result grow failed "sshd pi-4"; exit 1; }
write_inventory pi-1 pi-2 pi-3 pi-4
T0=$SECONDS
epoch_of() { # node -> the registry epoch its /readiness reports
  curl -sS --max-time 5 --cacert "$CA" "https://127.0.0.1:${APP_PORT[$1]}/readiness" | python3 -c \
    'import json,sys; print([c for c in json.load(sys.stdin)["checks"] if c["id"]=="node"][0]["data"]["epoch"])' 2>/dev/null || echo -
}
if playbook deploy4 deploy.yml; then
  for _ in $(seq 1 30); do [[ $(online) -ge 4 ]] && break; sleep 1; done
  epochs=""
  for h in pi-1 pi-2 pi-3 pi-4; do epochs+="$h:$(epoch_of "$h") "; done
  members=$(api "$DASH/api/state" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["nodes"]))' 2>/dev/null || echo 0)
  state=$(buy pi-4 Receipt)
  if [[ $(online) -eq 4 && $members -eq 4 && $epochs == "pi-1:2 pi-2:2 pi-3:2 pi-4:2 " && $state == final ]]; then
    result grow ok "pi-4 joined (epochs $epochs; dashboard: 4 members online) and its purchase became final, $((SECONDS - T0)) s"
  else
    result grow failed "online=$(online) members=$members epochs=$epochs pi-4 purchase state=$state"
  fi
else
  tail -20 "$HOSTS/pi-4/root/log/"*.log 2>/dev/null
  result grow failed "deploy with pi-4 failed"
fi
log "done"
