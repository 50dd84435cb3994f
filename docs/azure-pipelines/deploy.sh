#!/usr/bin/env bash
# Runs the pipeline driver inside AzureCLI@2 (workload identity federation service connection,
# addSpnToEnvironment: true). Inputs (environment):
#   DEPLOY_ARGS     driver command and options, e.g. "preview --diff", "up", "drift"
#   RESULT_FILE     where the driver's JSON summary goes
#   EXPORT_OUTPUTS  "true" to also write outputs.json (secrets masked) after a successful run
#   AWS_ROLE_ARN, AWS_REGION, PULUMI_STACK, PULUMI_BACKEND_URL
#   PIPELINE_PULUMI_CONFIG_PASSPHRASE  $(PULUMI_CONFIG_PASSPHRASE); Azure DevOps passes the macro
#                   text itself when the variable is not defined, which is ignored here
set -euo pipefail

: "${idToken:?the service connection must use workload identity federation, with addSpnToEnvironment: true}"

# Only a real passphrase becomes PULUMI_CONFIG_PASSPHRASE (never the literal "$(...)").
passphrase="${PIPELINE_PULUMI_CONFIG_PASSPHRASE:-}"
unset PIPELINE_PULUMI_CONFIG_PASSPHRASE
# shellcheck disable=SC2016 # the literal macro text, on purpose
if [ -n "$passphrase" ] && [ "$passphrase" != '$(PULUMI_CONFIG_PASSPHRASE)' ]; then
  export PULUMI_CONFIG_PASSPHRASE="$passphrase"
fi
unset passphrase

# Azure: the Pulumi Azure providers (azuread, azure-native) take the federated token directly.
# It is not renewed during the step: see "Token lifetime in Azure DevOps" in docs/pipelines.md.
export ARM_USE_OIDC=true
export ARM_CLIENT_ID="$servicePrincipalId"
export ARM_TENANT_ID="$tenantId"
export ARM_OIDC_TOKEN="$idToken"
ARM_SUBSCRIPTION_ID="$(az account show --query id -o tsv)"
export ARM_SUBSCRIPTION_ID

# AWS: exchange the same token for short-lived credentials (an unsigned STS call: no AWS keys).
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN < <(
  aws sts assume-role-with-web-identity \
    --role-arn "$AWS_ROLE_ARN" \
    --role-session-name "ado-${BUILD_BUILDID:-run}" \
    --web-identity-token "$idToken" \
    --duration-seconds 3600 \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' \
    --output text
)
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
echo "##vso[task.setsecret]$AWS_SECRET_ACCESS_KEY"
echo "##vso[task.setsecret]$AWS_SESSION_TOKEN"

# Cancellation: the agent signals this script, not its children. Forward SIGINT/SIGTERM to the
# driver (npm forwards them to node), which cancels the update through the Pulumi CLI and exits 8;
# a second signal more than 2 s later stops the CLI at once.
driver_pid=""
forward() {
  if [ -n "$driver_pid" ]; then kill -s "$1" "$driver_pid" 2>/dev/null || true; fi
}
trap 'forward INT' INT
trap 'forward TERM' TERM

# Runs the driver in the background so the traps fire while it runs; returns its exit code.
run_driver() {
  local out="$1"
  shift
  # `npm run --silent` keeps npm's own banner out of stdout, so the file holds only the JSON.
  npm run --silent deploy -- "$@" --stack "$PULUMI_STACK" --json > "$out" &
  driver_pid=$!
  local code=0
  # `wait` returns early (> 128) when a trapped signal arrives: wait again until npm has exited.
  while :; do
    code=0
    wait "$driver_pid" || code=$?
    kill -0 "$driver_pid" 2>/dev/null || break
  done
  driver_pid=""
  return "$code"
}

status=0
# shellcheck disable=SC2086 # DEPLOY_ARGS is a word list on purpose
run_driver "$RESULT_FILE" $DEPLOY_ARGS || status=$?
if [ "$status" -eq 0 ] && [ "${EXPORT_OUTPUTS:-}" = "true" ]; then
  run_driver outputs.json outputs || status=$?
fi
echo "driver exit code: $status (0 ok, 2 config, 5 policy, 6 no stack, 7 drift, 8 cancelled)"
exit "$status"
