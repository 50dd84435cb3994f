import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { withOwnFrames } from "../lib/errors";
import * as tls from "@pulumi/tls";
import { caThumbprints } from "../lib/thumbprints";
import { oidcProviderArn } from "../lib/trustPolicy";
import { SharedOidcProvider } from "./sharedOidcProvider";

/**
 * `none`: AWS verifies the JWKS host against its trusted CAs (the default since 2024);
 * `{ lookUp }`: the CA thumbprints of the certificate chains served at these URLs (the issuer's
 * and the JWKS host's, lib/thumbprints.ts `thumbprintUrls`), looked up on each run; or a pinned
 * list.
 */
export type Thumbprints = "none" | readonly string[] | { readonly lookUp: readonly string[] };

export interface AwsOidcProviderArgs {
  /** Token issuer: the Entra v1 issuer of the tenant's cloud (lib/entra.ts `v1IssuerUrl`). */
  readonly issuerUrl: pulumi.Input<string>;
  /**
   * Audiences (App ID URIs) to accept: a created provider's whole client ID list, including other
   * stacks' audiences when they share it; for an existing provider, the ones it must already list.
   */
  readonly audiences: pulumi.Input<pulumi.Input<string>[]>;
  /** Create a provider with these thumbprints, or use `existingArn`. */
  readonly thumbprints?: Thumbprints;
  /**
   * Use this account's existing provider for the issuer (one per URL per account) instead of
   * creating one. Its client ID list must already contain the audiences.
   */
  readonly existingArn?: pulumi.Input<string>;
  /**
   * Share the account's provider with other stacks instead (SharedOidcProvider): make sure it
   * exists and lists `audiences`, this stack's own audience alone, and on delete remove only that.
   * Thumbprints apply if this stack creates the provider; tags are not set on it.
   */
  readonly shared?: SharedSettings;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Protect and retain a created provider: other stacks' roles may trust it. A shared one is
   * protected only: its delete already leaves other stacks' audiences, and the provider while
   * they use it, in place.
   */
  readonly protect?: boolean;
}

/** How the shared provider's own IAM calls reach the account, as its aws.Provider does. */
export interface SharedSettings {
  /** The account the provider must be in; the caller identity's when not configured. */
  readonly accountId?: pulumi.Input<string>;
  readonly assumeRoleArn?: string;
}

/** The IAM OIDC identity provider that lets STS accept Entra tokens. */
export class AwsOidcProvider extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AwsOidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-aws-federation:aws:OidcProvider", name, {}, opts);

    if (args.existingArn !== undefined) {
      this.arn = this.checkExisting(args.existingArn, args.issuerUrl, args.audiences);
    } else if (args.shared !== undefined) {
      this.arn = this.shared(name, args, args.shared);
    } else {
      const provider = new iam.OpenIdConnectProvider(
        `${name}-provider`,
        {
          url: args.issuerUrl,
          clientIdLists: args.audiences,
          thumbprintLists: this.thumbprintList(args.thumbprints ?? "none"),
          tags: args.tags,
        },
        { parent: this, protect: args.protect, retainOnDelete: args.protect },
      );
      this.arn = provider.arn;
    }
    this.registerOutputs({ arn: this.arn });
  }

  /**
   * The dynamic resource calls IAM itself, with no aws Pulumi provider behind it: it gets the
   * region this component's aws provider resolves (invoked through it, so a region from the
   * environment counts too) and the same role to assume.
   */
  private shared(
    name: string,
    args: AwsOidcProviderArgs,
    settings: SharedSettings,
  ): pulumi.Output<string> {
    const invokeOpts = { parent: this };
    const provider = new SharedOidcProvider(
      `${name}-shared`,
      {
        issuerUrl: args.issuerUrl,
        audience: pulumi.output(args.audiences).apply(([own]) => own!),
        accountId: settings.accountId ?? getCallerIdentityOutput({}, invokeOpts).accountId,
        region: getRegionOutput({}, invokeOpts).region,
        assumeRoleArn: settings.assumeRoleArn,
        thumbprints: this.thumbprintList(args.thumbprints ?? "none") ?? [],
      },
      { parent: this, protect: args.protect },
    );
    return provider.arn;
  }

  private thumbprintList(thumbprints: Thumbprints): pulumi.Input<string[]> | undefined {
    if (thumbprints === "none") return undefined;
    if (!("lookUp" in thumbprints)) return [...thumbprints];
    const chains = thumbprints.lookUp.map(
      (url) => tls.getCertificateOutput({ url }, { parent: this }).certificates,
    );
    return pulumi.all(chains).apply((all) => {
      try {
        return caThumbprints(all.flat(), thumbprints.lookUp);
      } catch (err) {
        throw withOwnFrames(new pulumi.ResourceError((err as Error).message, this));
      }
    });
  }

  /**
   * Fails the deployment early, with the fix, when the existing provider is not the one for this
   * account and issuer or does not list the audience: otherwise STS fails later at run time with
   * InvalidIdentityToken.
   */
  private checkExisting(
    existingArn: pulumi.Input<string>,
    issuerUrl: pulumi.Input<string>,
    audiences: pulumi.Input<pulumi.Input<string>[]>,
  ): pulumi.Output<string> {
    const invokeOpts = { parent: this };
    const caller = getCallerIdentityOutput({}, invokeOpts);
    const partition = getPartitionOutput({}, invokeOpts);
    const expectedArn = pulumi
      .all([partition.partition, caller.accountId, issuerUrl])
      .apply(([p, account, url]) => oidcProviderArn(p, account, url));
    const matchingArn = pulumi.all([existingArn, expectedArn]).apply(([arn, expected]) => {
      if (arn !== expected) {
        throw withOwnFrames(
          new pulumi.ResourceError(
            `oidcProvider.existingArn ${arn} is not this account's provider for the Entra issuer: expected ${expected}`,
            this,
          ),
        );
      }
      return arn;
    });
    const existing = iam.getOpenIdConnectProviderOutput({ arn: matchingArn }, invokeOpts);
    return pulumi
      .all([matchingArn, existing.clientIdLists, audiences])
      .apply(([arn, clientIds, wanted]) => {
        const missing = wanted.filter((audience) => !clientIds.includes(audience));
        if (missing.length > 0) {
          throw withOwnFrames(
            new pulumi.ResourceError(
              `the OIDC provider ${arn} does not list the audience ${missing.join(", ")} in its client IDs; ` +
                `have the stack that owns the provider add it to oidcProvider.additionalAudiences (or, for a provider ` +
                `no stack manages: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${arn} --client-id ${missing[0]}) ` +
                `and deploy again`,
              this,
            ),
          );
        }
        return arn;
      });
  }
}
