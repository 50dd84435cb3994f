/**
 * Decoding a JWT without verifying it. The helper never trusts a token's contents: it only reads
 * the claims to explain what AWS STS will see (doctor) and when the token expires (token file).
 */

export interface JwtClaims {
  [claim: string]: unknown;
  iss?: string;
  aud?: string | string[];
  sub?: string;
  oid?: string;
  appid?: string;
  azp?: string;
  tid?: string;
  ver?: string;
  roles?: string[];
  exp?: number;
  nbf?: number;
  iat?: number;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: JwtClaims;
}

export class JwtDecodeError extends Error {
  override name = "JwtDecodeError";
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) {
    throw new JwtDecodeError(`the token's ${what} is not base64url`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    throw new JwtDecodeError(`the token's ${what} is not JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new JwtDecodeError(`the token's ${what} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Decodes a compact JWS (header.payload.signature) without checking its signature. */
export function decodeJwtUnverified(token: string): DecodedJwt {
  const parts = token.trim().split(".");
  if (parts.length !== 3) {
    throw new JwtDecodeError(
      `the token is not a JWT (expected 3 dot-separated parts, got ${parts.length})`,
    );
  }
  const [header, payload] = parts as [string, string, string];
  return {
    header: decodeSegment(header, "header"),
    claims: decodeSegment(payload, "payload"),
  };
}

/** Expiry of a JWT in epoch milliseconds, or undefined when it has no numeric `exp`. */
export function jwtExpiryMs(token: string): number | undefined {
  try {
    const { exp } = decodeJwtUnverified(token).claims;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
