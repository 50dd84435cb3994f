import type { OutputMap } from "./stackBackend";

/** What `pulumi stack output --json` prints in place of a secret output. */
export const SECRET_MASK = "[secret]";

/**
 * The output map as `pulumi stack output --json` prints it: `{ name: value }`, with every secret
 * output replaced by "[secret]" unless `showSecrets`.
 */
export function maskOutputs(outputs: OutputMap, showSecrets = false): Record<string, unknown> {
  const masked: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(outputs)) {
    masked[name] = output.secret && !showSecrets ? SECRET_MASK : output.value;
  }
  return masked;
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

  addSecretOutputs(outputs: OutputMap): void {
    for (const output of Object.values(outputs)) {
      if (output.secret) this.add(output.value);
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
