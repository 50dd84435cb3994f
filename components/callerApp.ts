import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import * as time from "@pulumiverse/time";
import { addDays, secretRotation } from "../lib/entra";
import type { AppRoleRef } from "./entraAudience";

export interface CallerAppArgs {
  /** Display name of the caller's app registration. */
  readonly displayName: pulumi.Input<string>;
  /**
   * Lifetime of each client secret. A new one is made on the first (refreshing) deployment in its
   * last 30 days (last third when shorter than 90 days); the previous one works until it expires.
   */
  readonly secretExpiresInDays: number;
  /** The federation app role this caller is assigned. */
  readonly appRole: AppRoleRef;
  /** Protect and retain the app registration and service principal: recreating them changes the ids. */
  readonly protect?: boolean;
}

/**
 * An app registration with a client secret for services that cannot use a managed identity (such as
 * Synapse). It requests tokens with `ClientSecretCredential` and scope `<audience>/.default`.
 */
export class CallerApp extends pulumi.ComponentResource {
  public readonly clientId: pulumi.Output<string>;
  /** Object id of its service principal: the `sub` of its tokens. */
  public readonly servicePrincipalObjectId: pulumi.Output<string>;
  /** The client secret, always a Pulumi secret. */
  public readonly clientSecret: pulumi.Output<string>;
  /** When the client secret stops working (RFC 3339). */
  public readonly clientSecretExpiresAt: pulumi.Output<string>;

  constructor(name: string, args: CallerAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-aws-federation:entra:CallerApp", name, {}, opts);
    const durable = { parent: this, protect: args.protect, retainOnDelete: args.protect };

    const application = new azuread.Application(
      `${name}-app`,
      { displayName: args.displayName, signInAudience: "AzureADMyOrg" },
      durable,
    );
    const servicePrincipal = new azuread.ServicePrincipal(
      `${name}-sp`,
      { clientId: application.clientId },
      durable,
    );

    // The rotation time lives in state, so the secret is stable between runs; once the time has
    // passed, a refresh replaces the rotation and with it the secret.
    const { rotationDays } = secretRotation(args.secretExpiresInDays);
    const rotation = new time.Rotating(
      `${name}-secret-rotation`,
      { rotationDays },
      { parent: this },
    );
    const password = new azuread.ApplicationPassword(
      `${name}-secret`,
      {
        applicationId: application.id,
        displayName: "entra-aws-federation",
        endDate: rotation.rfc3339.apply((created) => addDays(created, args.secretExpiresInDays)),
      },
      // A replaced secret is left to expire on its own, giving consumers time to switch.
      { parent: this, retainOnDelete: true },
    );

    new azuread.AppRoleAssignment(
      `${name}-app-role`,
      {
        appRoleId: args.appRole.appRoleId,
        principalObjectId: servicePrincipal.objectId,
        resourceObjectId: args.appRole.resourceObjectId,
      },
      { parent: this },
    );

    this.clientId = application.clientId;
    this.servicePrincipalObjectId = servicePrincipal.objectId;
    this.clientSecret = pulumi.secret(password.value);
    this.clientSecretExpiresAt = password.endDate;
    this.registerOutputs({
      clientId: this.clientId,
      servicePrincipalObjectId: this.servicePrincipalObjectId,
      clientSecret: this.clientSecret,
      clientSecretExpiresAt: this.clientSecretExpiresAt,
    });
  }
}
