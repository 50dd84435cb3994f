#!/usr/bin/env bash
# Runs the pipeline driver inside AzureCLI@2 (workload identity federation service connection,
# addSpnToEnvironment: true). Inputs (environment):
#   DEPLOY_ARGS     driver command and options, e.g. "preview --diff", "up", "drift"
#   RESULT_FILE     where the driver's JSON summary goes
#   EXPORT_OUTPUTS  "true" to also write outputs.json (secrets masked) after a successful run
#   AWS_ROLE_ARN, AWS_REGION, PULUMI_STACK, PULUMI_BACKEND_URL (+ PULUMI_CONFIG_PASSPHRASE)
set -euo pipefail

: "${idToken:?the service connection must use workload identity federation, with addSpnToEnvironment: true}"

# Azure: the Pulumi Azure providers (azuread, azure-native) take the federated token directly.
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

# `npm run --silent` keeps npm's own banner out of stdout, so the file holds only the JSON.
status=0
# shellcheck disable=SC2086 # DEPLOY_ARGS is a word list on purpose
npm run --silent deploy -- $DEPLOY_ARGS --stack "$PULUMI_STACK" --json > "$RESULT_FILE" || status=$?
if [ "$status" -eq 0 ] && [ "${EXPORT_OUTPUTS:-}" = "true" ]; then
  npm run --silent deploy -- outputs --stack "$PULUMI_STACK" --json > outputs.json || status=$?
fi
echo "driver exit code: $status (0 ok, 2 config, 5 policy, 6 no stack, 7 drift, 8 cancelled)"
exit "$status"
