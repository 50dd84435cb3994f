import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { defaultIdentifierUri } from "../lib/entra";

/** The app role a workload must hold, on the federation app's service principal. */
export interface AppRoleRef {
  /** Object id of the service principal that defines the role (the resource). */
  readonly resourceObjectId: pulumi.Input<string>;
  /** The app role's id. */
  readonly appRoleId: pulumi.Input<string>;
}

export interface EntraAudienceArgs {
  /** Display name of the app registration. */
  readonly displayName: pulumi.Input<string>;
  /** App ID URI, the tokens' audience. Defaults to `api://<appId>`, which every tenant policy allows. */
  readonly identifierUri?: pulumi.Input<string>;
  /** Stable GUID of the app role; changing it breaks every existing role assignment. */
  readonly appRoleId: pulumi.Input<string>;
  /** Value of the app role, carried in the token's `roles` claim. */
  readonly appRoleValue: pulumi.Input<string>;
  /** Protect and retain the app registration and its service principal: recreating them changes the ids consumers use. */
  readonly protect?: boolean;
}

/**
 * The Entra application that Azure workloads request tokens for: single-tenant, v1 access tokens
 * (whose issuer AWS can match), one app role for workloads, and a service principal that only issues
 * tokens to principals assigned that role.
 */
export class EntraAudience extends pulumi.ComponentResource {
  /** Application (client) id. */
  public readonly clientId: pulumi.Output<string>;
  /** Object id of the federation app's service principal (the app role assignments' resource). */
  public readonly servicePrincipalObjectId: pulumi.Output<string>;
  /** The App ID URI: the `aud` claim and the OIDC provider's client id. */
  public readonly audience: pulumi.Output<string>;
  public readonly appRoleId: pulumi.Output<string>;
  public readonly appRoleValue: pulumi.Output<string>;
  /** What a workload identity is assigned to be allowed a token. */
  public readonly appRole: AppRoleRef;

  constructor(name: string, args: EntraAudienceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-aws-federation:entra:Audience", name, {}, opts);
    const durable = { parent: this, protect: args.protect, retainOnDelete: args.protect };

    const application = new azuread.Application(
      `${name}-app`,
      {
        displayName: args.displayName,
        signInAudience: "AzureADMyOrg",
        // v1 tokens carry the cloud's v1 issuer (lib/entra.ts) and check aud; v2 tokens match no
        // provider and make STS compare azp instead ("Incorrect token audience").
        api: { requestedAccessTokenVersion: 1 },
        appRoles: [
          {
            id: args.appRoleId,
            // Managed identities and caller apps are service principals, not users or groups.
            allowedMemberTypes: ["Application"],
            displayName: "Assume AWS roles with web identity",
            description:
              "Allows an Azure workload to exchange its Entra token for AWS credentials.",
            enabled: true,
            value: args.appRoleValue,
          },
        ],
      },
      // The identifier URI is managed by its own resource, which needs the app id first.
      { ...durable, ignoreChanges: ["identifierUris"] },
    );

    const identifierUri = new azuread.ApplicationIdentifierUri(
      `${name}-identifier-uri`,
      {
        applicationId: application.id,
        identifierUri: args.identifierUri ?? application.clientId.apply(defaultIdentifierUri),
      },
      // The audience every consumer and trust policy uses: kept with the app it belongs to.
      durable,
    );

    const servicePrincipal = new azuread.ServicePrincipal(
      `${name}-sp`,
      {
        clientId: application.clientId,
        // Without this, Entra issues tokens for this audience to any service principal in the tenant.
        appRoleAssignmentRequired: true,
      },
      durable,
    );

    this.clientId = application.clientId;
    this.servicePrincipalObjectId = servicePrincipal.objectId;
    this.audience = identifierUri.identifierUri;
    this.appRoleId = pulumi.output(args.appRoleId);
    this.appRoleValue = pulumi.output(args.appRoleValue);
    this.appRole = { resourceObjectId: servicePrincipal.objectId, appRoleId: args.appRoleId };
    this.registerOutputs({
      clientId: this.clientId,
      servicePrincipalObjectId: this.servicePrincipalObjectId,
      audience: this.audience,
      appRoleId: this.appRoleId,
      appRoleValue: this.appRoleValue,
    });
  }
}
