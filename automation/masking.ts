import type { OutputMap } from "./stackBackend";

/** What `pulumi stack output --json` prints in place of a secret output. */
export const SECRET_MASK = "[secret]";

/**
 * The output map as `pulumi stack output --json` prints it: `{ name: value }`, with every secret
 * (top-level or nested) replaced by "[secret]" exactly where the CLI masks it, unless `showSecrets`.
 */
export function maskOutputs(outputs: OutputMap, showSecrets = false): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(outputs)) {
    shown[name] = showSecrets ? output.value : output.masked;
  }
  return shown;
}

/** Every string (and number) leaf of a value, for the redactor. */
function leaves(value: unknown, out: string[]): void {
  if (typeof value === "string") out.push(value);
  else if (typeof value === "number" || typeof value === "bigint") out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) leaves(v, out);
  else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) leaves(v, out);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Values shorter than this are not redacted (they would mangle ordinary words and numbers). */
const MIN_SECRET_LENGTH = 6;

/**
 * Last line of defence for logs: replaces known secret values (secret outputs, the passphrase,
 * access tokens) with "[secret]" in any text written to stderr or stdout. The Pulumi CLI already
 * masks secrets in its own output; this covers error messages and anything the driver prints.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(value: unknown): void {
    const found: string[] = [];
    leaves(value, found);
    for (const s of found) {
      if (s.length >= MIN_SECRET_LENGTH) this.secrets.add(s);
    }
  }

  /** Every part of the outputs that the CLI masks (wherever masked and clear values differ). */
  addSecretOutputs(outputs: OutputMap): void {
    for (const output of Object.values(outputs)) this.addSecretParts(output.value, output.masked);
  }

  private addSecretParts(value: unknown, masked: unknown): void {
    if (masked === SECRET_MASK && value !== SECRET_MASK) {
      this.add(value);
    } else if (Array.isArray(value) && Array.isArray(masked)) {
      value.forEach((v, i) => this.addSecretParts(v, masked[i]));
    } else if (isRecord(value) && isRecord(masked)) {
      for (const [k, v] of Object.entries(value)) {
        this.addSecretParts(v, k in masked ? masked[k] : SECRET_MASK);
      }
    } else if (value !== masked) {
      // Shapes differ where they should not: treat the whole value as secret.
      this.add(value);
    }
  }

  redact(text: string): string {
    let result = text;
    // Longest first, so a secret containing another secret is replaced whole.
    const sorted = [...this.secrets].sort((a, b) => b.length - a.length);
    for (const secret of sorted) {
      if (result.includes(secret)) result = result.split(secret).join(SECRET_MASK);
    }
    return result;
  }
}
