import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import type { AppRoleRef } from "./entraAudience";

/** Create a user-assigned managed identity. */
export interface NewManagedIdentity {
  /** Azure name of the identity. */
  readonly identityName: pulumi.Input<string>;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Bring an identity that exists already (managed identity or any service principal). */
export interface ExistingPrincipal {
  /** Object id of its service principal (a managed identity's `principalId`), never the client id. */
  readonly principalId: pulumi.Input<string>;
}

export interface WorkloadIdentityArgs {
  /** Either a managed identity to create or an existing service principal. */
  readonly identity: NewManagedIdentity | ExistingPrincipal;
  /** The federation app role this identity is assigned. */
  readonly appRole: AppRoleRef;
  /** Protect and retain a created managed identity: recreating it changes its ids. */
  readonly protect?: boolean;
}

/**
 * An Azure workload's identity, assigned the federation app role so Entra issues it tokens for the
 * federation audience. Its `principalId` is the `sub` of those tokens.
 */
export class WorkloadIdentity extends pulumi.ComponentResource {
  /** Service principal object id: the token's `sub` and `oid`. */
  public readonly principalId: pulumi.Output<string>;
  /** Client id (`AZURE_CLIENT_ID` for `ManagedIdentityCredential`). */
  public readonly clientId: pulumi.Output<string>;
  /** ARM resource id, for attaching a created identity to a Function App, VM or container. */
  public readonly resourceId: pulumi.Output<string | undefined>;

  constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-aws-federation:azure:WorkloadIdentity", name, {}, opts);

    if ("principalId" in args.identity) {
      // Looking the principal up proves the id is a service principal object id, the most common
      // manual mistake being an application object id or a client id.
      const existing = azuread.getServicePrincipalOutput(
        { objectId: args.identity.principalId },
        { parent: this },
      );
      this.principalId = existing.objectId;
      this.clientId = existing.clientId;
      this.resourceId = pulumi.output(undefined);
    } else {
      const created = new managedidentity.UserAssignedIdentity(
        `${name}-mi`,
        {
          resourceName: args.identity.identityName,
          resourceGroupName: args.identity.resourceGroupName,
          location: args.identity.location,
          tags: args.identity.tags,
        },
        { parent: this, protect: args.protect, retainOnDelete: args.protect },
      );
      this.principalId = created.principalId;
      this.clientId = created.clientId;
      this.resourceId = created.id;
    }

    new azuread.AppRoleAssignment(
      `${name}-app-role`,
      {
        appRoleId: args.appRole.appRoleId,
        principalObjectId: this.principalId,
        resourceObjectId: args.appRole.resourceObjectId,
      },
      { parent: this },
    );

    this.registerOutputs({
      principalId: this.principalId,
      clientId: this.clientId,
      resourceId: this.resourceId,
    });
  }
}
