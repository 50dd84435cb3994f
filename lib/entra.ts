import { v5 as uuidv5 } from "uuid";

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

/** The default App ID URI, accepted by the tenant-wide identifier URI policy. */
export function defaultIdentifierUri(clientId: string): string {
  return `api://${clientId}`;
}

/**
 * Scope for `getToken`. `@azure/identity` strips `/.default` for managed identities, and client
 * credential flows need it (else AADSTS1002012), so one value works for both.
 */
export function tokenScope(audience: string): string {
  return `${audience}/.default`;
}

/** The tenant id an `api://<tenantId>/<name>` identifier URI names, lower-case, if it names one. */
export function identifierUriTenant(uri: string): string | undefined {
  return /^api:\/\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//i
    .exec(uri)?.[1]
    ?.toLowerCase();
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
