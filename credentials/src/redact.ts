/**
 * Secrets must never reach stderr or logs. Each message is cleared of the secret values the
 * helper knows where it is built (the Entra token, the AWS secret key and session token,
 * AZURE_CLIENT_SECRET, IDENTITY_HEADER) and of anything shaped like a JWT (a token echoed back).
 * Nothing else is guessed at: a "long base64 run" pattern also matched role ARNs and paths, the
 * very values a user needs to fix the problem.
 */

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  // Longest first, so a secret that contains another one is replaced whole. Values shorter than
  // 8 characters are no real secret and would blank out ordinary words.
  const values = secrets
    .filter((s): s is string => s !== undefined && s.length >= 8)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of values) out = out.split(secret).join("[redacted]");
  return out.replace(JWT, "[redacted-jwt]");
}
