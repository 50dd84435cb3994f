/** RS256 test keys and tokens shaped like Entra v1 access tokens. */
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

export function generateTestKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, jwk };
}

export function signJwt(key: TestKey, claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ typ: "JWT", alg: "RS256", kid: key.kid })).toString(
    "base64url",
  );
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signer = createSign("RSA-SHA256");
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer.sign(key.privateKey).toString("base64url")}`;
}

export interface EntraClaimsInput {
  tenantId: string;
  audience: string;
  principalId: string;
  clientId: string;
  roles?: string[];
  version?: "1.0" | "2.0";
  issuedAt: number;
  lifetimeSeconds: number;
  /** The v1 issuer's host. Default sts.windows.net (Azure public). */
  issuerHost?: string;
}

/** Claims of an Entra app-only access token (v1 by default) as a managed identity gets it. */
export function entraClaims(i: EntraClaimsInput): Record<string, unknown> {
  const v2 = i.version === "2.0";
  return {
    aud: i.audience,
    iss: v2
      ? `https://login.microsoftonline.com/${i.tenantId}/v2.0`
      : `https://${i.issuerHost ?? "sts.windows.net"}/${i.tenantId}/`,
    iat: i.issuedAt,
    nbf: i.issuedAt,
    exp: i.issuedAt + i.lifetimeSeconds,
    ...(v2 ? { azp: i.clientId } : { appid: i.clientId }),
    idtyp: "app",
    oid: i.principalId,
    roles: i.roles ?? ["AssumeRoleWithWebIdentity"],
    sub: i.principalId,
    tid: i.tenantId,
    // Entra's unique token id: two tokens issued in the same second still differ.
    uti: randomUUID(),
    ver: i.version ?? "1.0",
  };
}
