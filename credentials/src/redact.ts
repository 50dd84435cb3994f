/**
 * Secrets must never reach stderr or logs. Anything shaped like a JWT, an AWS secret key or a
 * session token is replaced before a message leaves the helper.
 */

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
// STS session tokens are long base64 blobs; AWS secret keys are 40 base64 characters.
const LONG_BASE64 = /[A-Za-z0-9+/=]{40,}/g;

export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 8) out = out.split(secret).join("[redacted]");
  }
  return out.replace(JWT, "[redacted-jwt]").replace(LONG_BASE64, "[redacted]");
}
