import * as pulumi from "@pulumi/pulumi";
import { sharedOidcProviderProvider } from "../lib/sharedOidcProvider/provider";

export interface SharedOidcProviderArgs {
  /** The Entra v1 token issuer (credentials/src/entraCloud.ts). */
  readonly issuerUrl: pulumi.Input<string>;
  /** This stack's audience: the only client ID this resource adds to the provider and removes. */
  readonly audience: pulumi.Input<string>;
  /** The account the provider must be in: the deployment stops if the credentials reach another. */
  readonly accountId: pulumi.Input<string>;
  /** The account's aws.Provider region (used for STS; IAM is global). */
  readonly region: pulumi.Input<string>;
  /** The role the account's aws.Provider assumes, if any. */
  readonly assumeRoleArn?: pulumi.Input<string>;
  /** Thumbprints if this stack creates the provider; omitted or empty: none. */
  readonly thumbprints?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * `pulumi-nodejs:dynamic/<module>:<type>` is the only shape a dynamic resource's type can take
 * (@pulumi/pulumi dynamic/index.js); module and type mirror entra-aws-federation:aws:OidcProvider.
 * Changing them would replace every deployed instance.
 */
export const SHARED_OIDC_PROVIDER_MODULE = "entra-aws-federation/aws";
export const SHARED_OIDC_PROVIDER_TYPE = "SharedOidcProvider";

/**
 * The account's IAM OIDC provider for the issuer, shared with other stacks: ensures it exists and
 * lists this stack's audience; on delete removes only that audience, and deletes the provider only
 * if this stack created it and no audience is left. A dynamic resource: it calls IAM itself with
 * the account's region and assume-role settings and the default credential chain.
 */
export class SharedOidcProvider extends pulumi.dynamic.Resource {
  declare public readonly arn: pulumi.Output<string>;
  declare public readonly url: pulumi.Output<string>;
  declare public readonly audience: pulumi.Output<string>;
  declare public readonly accountId: pulumi.Output<string>;
  declare public readonly createdByThisStack: pulumi.Output<boolean>;
  declare public readonly audienceRegistered: pulumi.Output<boolean>;

  constructor(name: string, args: SharedOidcProviderArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      sharedOidcProviderProvider,
      name,
      {
        issuerUrl: args.issuerUrl,
        audience: args.audience,
        accountId: args.accountId,
        region: args.region,
        assumeRoleArn: args.assumeRoleArn,
        thumbprints: args.thumbprints ?? [],
        // Outputs, declared so the engine fills them in.
        arn: undefined,
        url: undefined,
        createdByThisStack: undefined,
        audienceRegistered: undefined,
      },
      opts,
      SHARED_OIDC_PROVIDER_MODULE,
      SHARED_OIDC_PROVIDER_TYPE,
    );
  }
}
