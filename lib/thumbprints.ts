/** Host serving the signing keys (JWKS) of the v1 issuer `https://sts.windows.net/<tenantId>/`. */
export const ENTRA_JWKS_URL = "https://login.microsoftonline.com/common/discovery/keys";

/** IAM accepts at most five thumbprints per OIDC provider. */
export const MAX_THUMBPRINTS = 5;

export interface CertificateFingerprint {
  readonly sha1Fingerprint: string;
  readonly isCa: boolean;
}

/**
 * Thumbprints of the CA certificates in the JWKS host's chain, lower-case, de-duplicated and
 * sorted, so an unchanged chain never shows as a diff (the served order is not stable).
 */
export function caThumbprints(certificates: readonly CertificateFingerprint[]): string[] {
  const unique = new Set(
    certificates.filter((c) => c.isCa).map((c) => c.sha1Fingerprint.toLowerCase()),
  );
  return [...unique].sort().slice(0, MAX_THUMBPRINTS);
}
