import { hostname } from "node:os";

/** IAM's RoleSessionName: 2 to 64 characters from [\w+=,.@-]. */
export const SESSION_NAME_MAX = 64;
const INVALID = /[^\w+=,.@-]+/g;

/**
 * Makes any string a valid RoleSessionName: runs of characters outside IAM's alphabet become one
 * "-", leading/trailing "-" are dropped, the result is cut to 64 characters and padded to 2.
 */
export function sanitizeSessionName(raw: string): string {
  let name = raw
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(INVALID, "-")
    .replace(/^-+|-+$/g, "");
  if (name.length > SESSION_NAME_MAX) name = name.slice(0, SESSION_NAME_MAX).replace(/-+$/, "");
  if (name.length === 0) return "entra-aws";
  if (name.length < 2) return `${name}-entra`;
  return name;
}

/**
 * The default session name is attributable in CloudTrail: which identity (its client id, or
 * "system" for a system-assigned identity) on which host, e.g. `entra-<clientId>@web-01`.
 */
export function defaultSessionName(
  clientId: string | undefined,
  host: string = hostname(),
): string {
  return sanitizeSessionName(`entra-${clientId || "system"}@${host}`);
}

/**
 * The RoleSessionName actually sent for these settings: the given name, else the default for the
 * identity on `host`; sanitized. SDK-free, so the credential_process cache key can use it.
 */
export function sessionNameFor(
  settings: { sessionName: string | undefined; clientId: string | undefined },
  host: string = hostname(),
): string {
  return sanitizeSessionName(settings.sessionName ?? defaultSessionName(settings.clientId, host));
}
