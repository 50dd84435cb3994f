import { v5 as uuidv5 } from "uuid";

/**
 * The Entra ID side of the federation as the program sees it. Every Entra host and issuer, per
 * cloud, lives in credentials/src/entraCloud.ts, shared with the credentials helper so the two
 * cannot drift; this module re-exports it and adds the program's own Entra rules.
 */
export {
  DEFAULT_ENTRA_CLOUD,
  defaultIdentifierUri,
  ENTRA_CLOUD_NAMES,
  entraCloud,
  isEntraCloudName,
  tokenScope,
  unsupportedCloudReason,
  v1IssuerPattern,
  v1IssuerUrl,
  type EntraCloud,
  type EntraCloudName,
} from "../credentials/src/entraCloud";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fixed namespace for this program's name-based (v5) UUIDs; changing it changes every app role id. */
const APP_ROLE_ID_NAMESPACE = "5b0e4f2c-7a7e-4c5e-9a55-3f1f8f0d8c61";

/**
 * A GUID for the federation app role that is the same on every run of the same stack. Entra lets the
 * caller choose the role id; deriving it (instead of generating a random one) means no extra state
 * and no chance of a new id breaking existing role assignments.
 */
export function stableAppRoleId(project: string, stack: string, componentName: string): string {
  return uuidv5(`${project}/${stack}/${componentName}/app-role`, APP_ROLE_ID_NAMESPACE);
}

/** The tenant id an `api://<tenantId>/<name>` identifier URI names, lower-case, if it names one. */
export function identifierUriTenant(uri: string): string | undefined {
  return /^api:\/\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//i
    .exec(uri)?.[1]
    ?.toLowerCase();
}

/**
 * Allowed App ID URI forms under Entra's identifier URI policy that can be configured before the app
 * exists (forms containing the app id are generated, not configured): `api://<tenantId>/<name>`,
 * `api://<verified domain>/<name>`, `https://<verified domain>/<path>` and
 * `https://<host>.<verified domain>[/<path>]`. Whether a domain is verified only Entra can tell.
 */
export function isAllowedIdentifierUriForm(uri: string): boolean {
  const match = /^(api|https):\/\/([^/?#\s]+)(\/[^?#\s]*)?$/.exec(uri);
  if (!match || uri.length > 255) return false;
  const [, scheme, host = "", path = ""] = match;
  const isDomain = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(
    host,
  );
  const hasName = path.length > 1;
  // Without a path, only a host below a verified domain is allowed: at least three labels.
  if (scheme === "https") return isDomain && (hasName || host.split(".").length >= 3);
  return (GUID.test(host) || isDomain) && hasName;
}

/**
 * When a caller app's secret is replaced: `overlapDays` before it expires (a third of its lifetime,
 * at most 30 days), so the previous secret, left in place until its own expiry, still works while
 * consumers pick up the new one.
 */
export function secretRotation(expiresInDays: number): {
  rotationDays: number;
  overlapDays: number;
} {
  const overlapDays = Math.min(30, Math.floor(expiresInDays / 3));
  return { rotationDays: expiresInDays - overlapDays, overlapDays };
}

/** `createdAt` (RFC 3339) plus whole days, as RFC 3339 without fractional seconds. */
export function addDays(createdAt: string, days: number): string {
  const time = Date.parse(createdAt);
  if (Number.isNaN(time)) throw new Error(`not an RFC 3339 time: ${JSON.stringify(createdAt)}`);
  return new Date(time + days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
