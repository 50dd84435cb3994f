/** IAM accepts at most five thumbprints per OIDC provider. */
export const MAX_THUMBPRINTS = 5;

export interface CertificateFingerprint {
  readonly sha1Fingerprint: string;
  readonly isCa: boolean;
}

/**
 * The servers whose CA chains `thumbprints: auto` pins: the issuer's host and the host serving its
 * signing keys (JWKS), once each. When AWS falls back to thumbprint verification and the two hosts
 * differ, it needs thumbprints for both (IAM User Guide, "Obtain the thumbprint for an OpenID
 * Connect identity provider", id_roles_providers_create_oidc_verify-thumbprint).
 */
export function thumbprintUrls(issuerUrl: string, jwksUrl: string): string[] {
  const hosts = new Set([new URL(issuerUrl).host, new URL(jwksUrl).host]);
  return [...hosts].map((host) => `https://${host}`);
}

/**
 * Thumbprints of the CA certificates in the chains, lower-case, de-duplicated and sorted, so an
 * unchanged chain never shows as a diff (the served order is not stable). More than IAM's five is
 * an error, not a cut: which one AWS needs cannot be told from the chains.
 */
export function caThumbprints(
  certificates: readonly CertificateFingerprint[],
  urls: readonly string[],
): string[] {
  const unique = new Set(
    certificates.filter((c) => c.isCa).map((c) => c.sha1Fingerprint.toLowerCase()),
  );
  const thumbprints = [...unique].sort();
  if (thumbprints.length > MAX_THUMBPRINTS)
    throw new Error(
      `oidcProvider.thumbprints: "auto" found ${thumbprints.length} CA thumbprints in the certificate chains of ${urls.join(" and ")} ` +
        `(${thumbprints.join(", ")}), more than IAM's ${MAX_THUMBPRINTS} per provider: pin at most ${MAX_THUMBPRINTS} of them ` +
        `as oidcProvider.thumbprints, or use "none" (AWS then verifies the JWKS host against its trusted CAs)`,
    );
  return thumbprints;
}
