import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { withOwnFrames } from "../lib/errors";
import { policyChildName } from "../lib/childNames";
import {
  buildTrustPolicy,
  policyLength,
  subjectsThatFit,
  trustPolicyTooLongMessage,
} from "../lib/trustPolicy";

export interface FederatedRoleArgs {
  /** IAM role name. */
  readonly roleName: pulumi.Input<string>;
  /** The IAM OIDC provider the role trusts. */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** Token issuer; the condition keys are derived from it. */
  readonly issuerUrl: pulumi.Input<string>;
  /** The one audience the role accepts. */
  readonly audience: pulumi.Input<string>;
  /** Service principal object ids (token `sub`) allowed to assume the role. */
  readonly subjects: pulumi.Input<pulumi.Input<string>[]>;
  /** IAM quota for the trust policy (2048 by default, 4096 after a quota increase). */
  readonly trustPolicyMaxLength: number;
  /** Managed policies to attach, keyed by a name unique within the role (used in child names). */
  readonly managedPolicyArns?: ReadonlyMap<string, pulumi.Input<string>>;
  /** Inline policies by name: a Map, as any IAM policy name, `__proto__` too, must reach IAM. */
  readonly inlinePolicies?: ReadonlyMap<string, pulumi.Input<iam.PolicyDocument>>;
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  readonly maxSessionDurationSeconds?: pulumi.Input<number>;
  readonly path?: pulumi.Input<string>;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Policy child names that other roles of this stack use under today's naming: a renamed child
   * never takes one of them as its alias, or the engine would hand it that role's resource.
   */
  readonly childNamesInUse?: ReadonlySet<string>;
}

/** An IAM role that exactly the listed Entra identities can assume with their tokens. */
export class FederatedRole extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;
  public readonly name: pulumi.Output<string>;
  public readonly subjects: pulumi.Output<string[]>;

  constructor(name: string, args: FederatedRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-aws-federation:aws:FederatedRole", name, {}, opts);

    const trustPolicy = pulumi
      .all([args.oidcProviderArn, args.issuerUrl, args.audience, args.subjects])
      .apply(([providerArn, issuerUrl, audience, subjects]) => {
        const base = { providerArn, issuerUrl, audience };
        const document = buildTrustPolicy({ ...base, subjects });
        // Configuration was checked with placeholder values; this is the real document.
        const length = policyLength(document);
        if (length > args.trustPolicyMaxLength) {
          const fit = subjectsThatFit(base, args.trustPolicyMaxLength);
          throw withOwnFrames(
            new pulumi.ResourceError(
              `trust policy of role ${name}: ${trustPolicyTooLongMessage(length, args.trustPolicyMaxLength, fit)}`,
              this,
            ),
          );
        }
        return document;
      });

    const role = new iam.Role(
      `${name}-role`,
      {
        name: args.roleName,
        assumeRolePolicy: trustPolicy,
        maxSessionDuration: args.maxSessionDurationSeconds,
        path: args.path,
        permissionsBoundary: args.permissionsBoundaryArn,
        tags: args.tags,
      },
      { parent: this },
    );

    const childOptions = (kind: "managed" | "inline", policyName: string) => {
      const { name: childName, previousName } = policyChildName(name, kind, policyName);
      const aliases =
        previousName === undefined || args.childNamesInUse?.has(previousName)
          ? undefined
          : [{ name: previousName }];
      return { childName, options: { parent: this, aliases } };
    };
    const managed = [...(args.managedPolicyArns ?? [])];
    const attachments = managed.map(([policyName, policyArn]) => {
      const { childName, options } = childOptions("managed", policyName);
      return new iam.RolePolicyAttachment(childName, { role: role.name, policyArn }, options);
    });
    const inline = [...(args.inlinePolicies ?? [])];
    const policies = inline.map(([policyName, policy]) => {
      const { childName, options } = childOptions("inline", policyName);
      return new iam.RolePolicy(childName, { role: role.name, name: policyName, policy }, options);
    });
    // Exclusive management detaches policies added outside this program, which a drift check
    // would otherwise never see.
    const managedExclusive = new iam.RolePolicyAttachmentsExclusive(
      `${name}-managed-exclusive`,
      { roleName: role.name, policyArns: managed.map(([, policyArn]) => policyArn) },
      { parent: this, dependsOn: attachments },
    );
    const inlineExclusive = new iam.RolePoliciesExclusive(
      `${name}-inline-exclusive`,
      { roleName: role.name, policyNames: inline.map(([policyName]) => policyName) },
      { parent: this, dependsOn: policies },
    );

    // The ARN resolves only once the role has its policies, so a consumer of the ARN never
    // assumes a role that cannot yet do its job (pulumi-eks nodejs/eks/servicerole.ts does this).
    const done = [...attachments, ...policies, managedExclusive, inlineExclusive];
    this.arn = pulumi.all([role.arn, done.map((r) => r.id)]).apply(([arn]) => arn);
    this.name = role.name;
    this.subjects = pulumi.output(args.subjects);
    this.registerOutputs({ arn: this.arn, name: this.name, subjects: this.subjects });
  }
}
