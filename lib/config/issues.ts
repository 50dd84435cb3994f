import { CONFIG_NAMESPACE } from "./schema";

/** A configuration problem: where, what was given, and what is allowed. */
export interface ConfigIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Shown as `(got …)`: the bad value, or a description of it. */
  readonly got?: string;
}

/** Thrown for invalid configuration; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(["Invalid configuration:", ...issues.map((i) => `  ${formatIssue(i)}`)].join("\n"));
    this.name = "ConfigError";
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const got = issue.got === undefined ? "" : ` (got ${issue.got})`;
  return `${configKey(issue.path)}: ${issue.message}${got}`;
}

/** `entra-aws-federation:roles[0].identities[1]` */
export function configKey(path: readonly (string | number)[]): string {
  const [head, ...rest] = path;
  const tail = rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
  return `${CONFIG_NAMESPACE}:${String(head)}${tail}`;
}

/** A value as `(got …)` shows it: JSON, cut to 120 characters. */
export function render(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
