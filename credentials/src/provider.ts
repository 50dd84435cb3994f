import {
  AssumeRoleWithWebIdentityCommand,
  STSClient,
  type STSClientConfig,
} from "@aws-sdk/client-sts";
import {
  ClientSecretCredential,
  ManagedIdentityCredential,
  type AccessToken,
  type ManagedIdentityCredentialClientIdOptions,
  type TokenCredential,
} from "@azure/identity";
import {
  ENV,
  envSecrets,
  refreshAheadMs,
  resolveSettings,
  type IdentitySettings,
  type ResolvedSettings,
} from "./config";
import { tokenScope, type EntraCloud, type EntraCloudName } from "./entraCloud";
import { entraError, noManagedIdentityError, type EntraErrorContext } from "./entraErrors";
import { classifyStsError, httpStatus, stsErrorCode } from "./sts/classify";
import { stsError } from "./sts/error";
import { EXPIRED_TOKEN_UNCHANGED, type StsEndpointContext } from "./sts/explanations";
import { imdsBaseUrl, probe } from "./imdsProbe";
import { RefreshingCache } from "./refreshingCache";
import { backoffDelayMs, DEFAULT_RETRY, realSleep, type RetryOptions } from "./retry";
import { sessionNameFor } from "./sessionName";

export { sessionNameFor };

/** AWS SDK v3 credentials (structurally `AwsCredentialIdentity` from @aws-sdk/types). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** An AWS SDK v3 credential provider (structurally `AwsCredentialIdentityProvider`). */
export type EntraCredentialProvider = () => Promise<AwsCredentials>;

export interface FromEntraIdentityOptions {
  /** IAM role to assume. Default: AWS_ROLE_ARN. */
  roleArn?: string;
  /** The federation app's App ID URI, e.g. api://<appId>. Default: ENTRA_AWS_AUDIENCE. */
  audience?: string;
  /** User-assigned managed identity (or caller app) client id. Default: AZURE_CLIENT_ID. */
  clientId?: string;
  /** Entra tenant id (used with AZURE_CLIENT_SECRET for caller apps). Default: AZURE_TENANT_ID. */
  tenantId?: string;
  /**
   * The Entra cloud: the login host a caller app asks (unless AZURE_AUTHORITY_HOST is set) and
   * the token issuer. Default: ENTRA_AWS_CLOUD, else AzurePublic.
   */
  cloud?: EntraCloudName;
  /**
   * Any `@azure/identity` TokenCredential. Default: ClientSecretCredential when
   * AZURE_CLIENT_SECRET, AZURE_CLIENT_ID and AZURE_TENANT_ID are set, else ManagedIdentityCredential
   * (user-assigned when a client id is known). The scope asked for is always `<audience>/.default`.
   */
  credential?: TokenCredential;
  /** RoleSessionName. Default: AWS_ROLE_SESSION_NAME, else `entra-<clientId>@<host>`; sanitized. */
  sessionName?: string;
  /** DurationSeconds for AssumeRoleWithWebIdentity (900 to the role's max). Default: STS (3600). */
  durationSeconds?: number;
  /**
   * Refresh this many seconds before the AWS credentials expire, at most half their lifetime.
   * Default 300. Must be finite and >= 0.
   */
  refreshBeforeExpirySeconds?: number;
  /** AWS region for STS. Default AWS_REGION, AWS_DEFAULT_REGION, then us-east-1. */
  region?: string;
  /** STS endpoint URL. Default AWS_ENDPOINT_URL_STS, else the SDK's regional endpoint. */
  stsEndpoint?: string;
  /** Timeout of one STS HTTP request in ms. Default 10,000. */
  stsRequestTimeoutMs?: number;
  /**
   * Extra STSClient configuration, merged first: region, endpoint and the retry policy
   * (`maxAttempts: 1`, no `retryStrategy`) stay the provider's, so its retry is the only one.
   */
  stsClientConfig?: STSClientConfig;
  /** Retry policy for transient STS errors. */
  retry?: RetryOptions;
  /** Clock in epoch ms (for tests). Default Date.now. */
  now?: () => number;
  /** Sleep used between retries (for tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Random source for jitter (for tests). */
  random?: () => number;
  /** Called when a background refresh fails (the still-valid credentials are served). No secrets. */
  onRefreshError?: (error: Error) => void;
  /** Environment to read settings from. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * A caller app's credential. AZURE_AUTHORITY_HOST, when set, still wins over the cloud's login
 * host: it is @azure/identity's own setting, and setups that use it keep working.
 */
class CallerAppCredential extends ClientSecretCredential {
  constructor(
    tenantId: string,
    clientId: string,
    secret: string,
    readonly cloud: EntraCloud,
    authorityHost: string,
  ) {
    super(tenantId, clientId, secret, { authorityHost });
  }
}

export function defaultTokenCredential(
  settings: Pick<IdentitySettings, "clientId" | "tenantId" | "cloud">,
  env: NodeJS.ProcessEnv = process.env,
): TokenCredential {
  const secret = env[ENV.clientSecret];
  if (secret && settings.clientId && settings.tenantId) {
    return new CallerAppCredential(
      settings.tenantId,
      settings.clientId,
      secret,
      settings.cloud,
      env[ENV.authorityHost] || settings.cloud.authorityHost,
    );
  }
  const options = settings.clientId ? { clientId: settings.clientId } : {};
  const imds = imdsBaseUrl();
  return imds ? new ImdsProbingCredential(imds, options) : new ManagedIdentityCredential(options);
}

/** Asks for a token only once one connection to IMDS succeeded (see imdsProbe.ts). */
class ImdsProbingCredential extends ManagedIdentityCredential {
  private reachable: Promise<string | undefined> | undefined;

  constructor(
    private readonly imds: URL,
    options: ManagedIdentityCredentialClientIdOptions,
  ) {
    super(options);
  }

  override async getToken(...args: Parameters<TokenCredential["getToken"]>) {
    const failure = await (this.reachable ??= probe(this.imds));
    if (failure !== undefined) {
      this.reachable = undefined; // the next call tries again
      throw noManagedIdentityError(`IMDS at ${this.imds.origin}: ${failure}`);
    }
    return super.getToken(...args);
  }
}

function kindOf(credential: TokenCredential): Pick<EntraErrorContext, "kind" | "cloud"> {
  if (credential instanceof ManagedIdentityCredential) return { kind: "managed-identity" };
  if (credential instanceof CallerAppCredential) {
    return { kind: "caller-app", cloud: credential.cloud };
  }
  if (credential instanceof ClientSecretCredential) return { kind: "caller-app" };
  return { kind: "other" };
}

export interface AssumedCredentials extends AwsCredentials {
  assumedRoleArn: string | undefined;
}

/** Calls AssumeRoleWithWebIdentity; `where()` tells where the last request went. */
export interface StsAssumer {
  (webIdentityToken: string): Promise<AssumedCredentials>;
  where: () => StsEndpointContext;
}

/** One AssumeRoleWithWebIdentity call per invocation, no retries (the caller owns the policy). */
export function createStsAssumer(
  settings: ResolvedSettings,
  sessionName: string,
  options: Pick<FromEntraIdentityOptions, "stsRequestTimeoutMs" | "stsClientConfig"> = {},
  env: NodeJS.ProcessEnv = process.env,
): StsAssumer {
  let client: STSClient | undefined;
  let endpoint: string | undefined;
  const assume = async (webIdentityToken: string): Promise<AssumedCredentials> => {
    client ??= createClient();
    const out = await client.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: settings.roleArn,
        RoleSessionName: sessionName,
        WebIdentityToken: webIdentityToken,
        ...(settings.durationSeconds ? { DurationSeconds: settings.durationSeconds } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw Object.assign(new Error("the STS response has no complete Credentials"), {
        name: "MalformedResponse",
      });
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: new Date(c.Expiration),
      assumedRoleArn: out.AssumedRoleUser?.Arn,
    };
  };
  const createClient = (): STSClient => {
    const created = new STSClient({
      requestHandler: {
        requestTimeout: options.stsRequestTimeoutMs ?? 10_000,
        throwOnRequestTimeout: true,
      },
      // Merged first: it may add to the client (e.g. its own requestHandler) but never change the
      // settings below, nor add a retry policy on top of the provider's own.
      ...options.stsClientConfig,
      region: settings.region,
      ...(settings.stsEndpoint ? { endpoint: settings.stsEndpoint } : {}),
      maxAttempts: 1,
      retryStrategy: undefined,
    });
    // The endpoint the SDK resolved (regional default or override), to name it when STS never
    // answers; the request has its final URL at the finalizeRequest step.
    created.middlewareStack.add(
      (next) => (args) => {
        const r = args.request as { protocol?: string; hostname?: string; port?: number };
        endpoint = `${r.protocol ?? "https:"}//${r.hostname ?? ""}${r.port ? `:${r.port}` : ""}`;
        return next(args);
      },
      { step: "finalizeRequest", name: "entraAwsRecordEndpoint" },
    );
    return created;
  };
  return Object.assign(assume, {
    where: (): StsEndpointContext => ({
      endpoint: endpoint ?? settings.stsEndpoint,
      envEndpoint: env[ENV.stsEndpoint] || undefined,
      region: settings.region,
    }),
  });
}

/**
 * Gets an Entra token for `<audience>/.default`, wrapping failures in an explained error without
 * the given secret values (e.g. AZURE_CLIENT_SECRET).
 */
export async function getEntraToken(
  credential: TokenCredential,
  audience: string,
  secrets: readonly string[] = [],
): Promise<AccessToken> {
  const scope = tokenScope(audience);
  const context = { secrets, ...kindOf(credential) };
  let token: AccessToken | null;
  try {
    token = await credential.getToken(scope);
  } catch (error) {
    throw entraError(error, scope, context);
  }
  if (!token?.token) {
    throw entraError(new Error("the credential returned no token"), scope, context);
  }
  return token;
}

/**
 * An AWS SDK v3 credential provider backed by an Entra identity: Entra token →
 * AssumeRoleWithWebIdentity, cached in memory and refreshed ahead of expiry with a single
 * in-flight refresh shared by all callers.
 */
export function fromEntraIdentity(options: FromEntraIdentityOptions = {}): EntraCredentialProvider {
  return providerFor(resolveSettings(options, options.env ?? process.env), options);
}

/** What {@link fromEntraIdentity} does once the settings are resolved (the CLI resolves them). */
export function providerFor(
  settings: ResolvedSettings,
  options: Omit<FromEntraIdentityOptions, keyof ResolvedSettings> = {},
): EntraCredentialProvider {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const refreshAhead = refreshAheadMs(options.refreshBeforeExpirySeconds, 300);
  const sessionName = sessionNameFor(settings);
  let credential: TokenCredential | undefined = options.credential;
  const secrets = envSecrets(env);

  const getToken = (): Promise<AccessToken> => {
    credential ??= defaultTokenCredential(settings, env);
    return getEntraToken(credential, settings.audience, secrets);
  };

  const assumeRole = createStsAssumer(settings, sessionName, options, env);

  const fetchCredentials = async (): Promise<AwsCredentials> => {
    let token = await getToken();
    let renewedToken = false;
    let transientRetries = 0;
    for (;;) {
      try {
        const c = await assumeRole(token.token);
        return {
          accessKeyId: c.accessKeyId,
          secretAccessKey: c.secretAccessKey,
          sessionToken: c.sessionToken,
          expiration: c.expiration,
        };
      } catch (error) {
        const redactions = [token.token, ...secrets];
        const decision = classifyStsError(stsErrorCode(error), httpStatus(error));
        if (decision === "new-token" && !renewedToken) {
          renewedToken = true;
          const expired = token.token;
          token = await getToken();
          // No GetTokenOptions field bypasses @azure/identity's managed identity token cache
          // (4.14.1): it hands back the same token until it is near expiry by this machine's
          // clock. STS would refuse that token again, so say so now.
          if (token.token === expired) {
            throw stsError(error, settings.roleArn, {
              secrets: redactions,
              explanation: EXPIRED_TOKEN_UNCHANGED,
            });
          }
          continue;
        }
        if (decision === "retry" && transientRetries + 1 < retry.maxAttempts) {
          await sleep(backoffDelayMs(transientRetries, retry, random));
          transientRetries += 1;
          continue;
        }
        throw error instanceof Error && error.name === "EntraAwsCredentialsError"
          ? error
          : stsError(error, settings.roleArn, {
              secrets: redactions,
              where: assumeRole.where(),
              cloud: settings.cloud,
            });
      }
    }
  };

  const cache = new RefreshingCache(fetchCredentials, {
    refreshAheadMs: refreshAhead,
    now,
    failedRefreshBackoffMs: (failures) =>
      Math.max(1_000, backoffDelayMs(failures, { baseDelayMs: 5_000, maxDelayMs: 60_000 }, random)),
    onRefreshError: (error) => options.onRefreshError?.(error as Error),
  });

  return () => cache.get();
}
