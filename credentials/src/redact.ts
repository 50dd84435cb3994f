/**
 * Secrets must never reach stderr or logs. Each message is cleared of the secret values the
 * helper knows where it is built (the Entra token, the AWS secret key and session token,
 * AZURE_CLIENT_SECRET, IDENTITY_HEADER) and of anything shaped like a JWT (a token echoed back).
 * Nothing else is guessed at: a "long base64 run" pattern also matched role ARNs and paths, the
 * very values a user needs to fix the problem.
 *
 * Messages also carry text from remote servers (STS, Entra, the managed identity endpoint) to a
 * terminal, so terminal control sequences are removed: a server could otherwise recolour, move
 * the cursor, overwrite the line with \r, retitle the window or reorder text (bidi overrides).
 */

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/**
 * CSI (`ESC [ … final`) and OSC (`ESC ] … BEL|ESC \`) sequences whole; then every other C0/C1
 * control character (a lone ESC too) except tab and newline, and the Unicode bidirectional
 * overrides and isolates.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Removes terminal control sequences; keeps tab and newline. */
export function stripControl(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(CONTROL, "");
}

/** The one redaction every command applies to what it prints about a failure. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  // Longest first, so a secret that contains another one is replaced whole. Values shorter than
  // 8 characters are no real secret and would blank out ordinary words.
  const values = secrets
    .filter((s): s is string => s !== undefined && s.length >= 8)
    .sort((a, b) => b.length - a.length);
  // Stripped first: control characters inside an echoed secret must not defeat its redaction.
  let out = stripControl(text);
  for (const secret of values) out = out.split(secret).join("[redacted]");
  return out.replace(JWT, "[redacted-jwt]");
}
