import type { SharedOidcProviderInputs, SharedOidcProviderOutputs } from "./inputs";
import { UNKNOWN } from "./inputs";

export interface InputChanges {
  /** Inputs that name another provider (another issuer or account): the resource is replaced. */
  readonly replaces: string[];
  /** Inputs updated in place: a new audience is added before the old one is removed. */
  readonly updates: string[];
}

const REPLACING = ["issuerUrl", "accountId"] as const;
const UPDATING = ["audience", "region", "assumeRoleArn", "thumbprints"] as const;

/**
 * What changed between the stored outputs and the new inputs. A replacing input whose new value is
 * not known yet (preview) counts as an update: the engine diffs again once it is known.
 */
export function diffInputs(
  olds: SharedOidcProviderOutputs,
  news: SharedOidcProviderInputs,
): InputChanges {
  const differs = (key: keyof SharedOidcProviderInputs): boolean =>
    JSON.stringify(olds[key]) !== JSON.stringify(news[key]);
  const replaces = REPLACING.filter((key) => differs(key) && news[key] !== UNKNOWN);
  const updates = [
    ...REPLACING.filter((key) => differs(key) && news[key] === UNKNOWN),
    ...UPDATING.filter(differs),
  ];
  return { replaces: [...replaces], updates };
}
