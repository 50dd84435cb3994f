/**
 * The resource name of a role component's managed policy attachment or inline policy.
 *
 * URNs do not contain the parent's name, only its type, so `<role>-managed-<policy>` of two roles
 * can meet: role `a` with policy `b-managed-c` and role `a-managed-b` with policy `c`. Today's name
 * is kept whenever it splits back into exactly this component and policy (the first `-managed-` is
 * the one after the component's name), so existing stacks keep their URNs. Any other pair is named
 * `<component>/managed/<policy>`: no IAM role or policy name contains `/`, so this form never equals
 * a kept name and splits back at its first `/`. Such a pair carries its old name as an alias, so a
 * stack that already deployed it under that name keeps the resource instead of replacing it.
 */
export function policyChildName(
  component: string,
  kind: "managed" | "inline",
  policyName: string,
): { readonly name: string; readonly previousName?: string } {
  const separator = `-${kind}-`;
  const legacy = `${component}${separator}${policyName}`;
  if (legacy.indexOf(separator) === component.length) return { name: legacy };
  return { name: `${component}/${kind}/${policyName}`, previousName: legacy };
}
