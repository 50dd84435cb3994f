import { DEFAULT_ENTRA_CLOUD, ENTRA_CLOUD_NAMES, unsupportedCloudReason } from "../entraCloud";
import { EntraAwsCredentialsError } from "../errors";

const clouds = ENTRA_CLOUD_NAMES.filter((name) => unsupportedCloudReason(name) === undefined);

export const USAGE = `Usage: entra-aws-credentials <command> [options]

Commands:
  process      Print AWS credential_process JSON (cached on disk until refresh is due).
  token-file   Write the Entra token to a file and keep it fresh (for AWS_WEB_IDENTITY_TOKEN_FILE).
  doctor       Check a token and the STS call step by step, with causes and fixes.
  env          Print the environment variables for one identity and role from stack outputs.

Common options (default: environment variable):
  --role-arn <arn>              AWS_ROLE_ARN
  --audience <App ID URI>       ENTRA_AWS_AUDIENCE (e.g. api://<appId>)
  --client-id <guid>            AZURE_CLIENT_ID (user-assigned identity or caller app)
  --tenant-id <guid>            AZURE_TENANT_ID
  --cloud <name>                ENTRA_AWS_CLOUD: ${clouds.join(" or ")} (default ${DEFAULT_ENTRA_CLOUD})
  --session-name <name>         AWS_ROLE_SESSION_NAME (default entra-<clientId>@<host>)
  --duration-seconds <n>        900..43200 (role maximum)
  --region <region>             AWS_REGION / AWS_DEFAULT_REGION (default us-east-1)
  --sts-endpoint <url>          AWS_ENDPOINT_URL_STS
  --refresh-before-expiry <s>   refresh this many seconds ahead of expiry, at most half the
                                session (default 300; process: 960, ahead of botocore's 900)

process:     --cache-dir <dir> (ENTRA_AWS_CACHE_DIR, default ~/.cache/entra-aws-credentials), --no-cache
token-file:  --file <path> (required), --once
doctor:      --token - (token on stdin) | --token-file <path>, --expected-subject <principalId>,
             --app-role <value>, --no-sts, --json
env:         --outputs <file|-> --identity <name> --role <name> [--format shell|dotenv|json]
             [--session-name <name>]

A caller app (client secret) is used when AZURE_CLIENT_SECRET, AZURE_CLIENT_ID and AZURE_TENANT_ID
are set; otherwise the managed identity (AZURE_CLIENT_ID selects a user-assigned one).
`;

export function usageError(message: string): EntraAwsCredentialsError {
  return new EntraAwsCredentialsError({ source: "config", message: `${message}\n\n${USAGE}` });
}
