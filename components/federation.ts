import type * as aws from "@pulumi/aws";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import type {
  CallerAppOutput,
  FederationOutputs,
  IdentityOutput,
  RoleOutput,
} from "../lib/stackOutputs";
import { policyChildName } from "../lib/childNames";
import { DEFAULT_ACCOUNT_NAME, policyNameOf, type ResolvedConfig } from "../lib/config";
import { entraCloud, stableAppRoleId, tokenScope, v1IssuerUrl } from "../lib/entra";
import { thumbprintUrls } from "../lib/thumbprints";
import { CallerApp } from "./callerApp";
import { EntraAudience } from "./entraAudience";
import { FederatedRole } from "./federatedRole";
import { AwsOidcProvider } from "./oidcProvider";
import { WorkloadIdentity } from "./workloadIdentity";

/**
 * The validated stack configuration, bound to the signed-in tenant (see `lib/config/`), and the
 * aws.Provider of each named account (components/accountProviders.ts), checked to reach it.
 */
export interface EntraAwsFederationArgs extends ResolvedConfig {
  readonly accountProviders: ReadonlyMap<string, aws.Provider>;
}

/** An account's OIDC provider, as the roles and the oidcProviders output see it. */
interface AccountOidcProvider {
  readonly arn: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;
  readonly shared: boolean;
}

/** The account in an ARN: arn:<partition>:<service>:<region>:<account>:… */
function accountOfArn(arn: string): string {
  return arn.split(":")[4]!;
}

/** The stack outputs, as the contract the credentials helper reads (lib/stackOutputs.ts). */
export type FederationOutputRecord = {
  readonly [K in keyof FederationOutputs]: pulumi.Output<FederationOutputs[K]>;
};

/**
 * Both sides of the federation, wired together: the Entra audience, the workload identities and
 * caller apps assigned its app role, the AWS OIDC provider for the tenant's v1 issuer, and roles
 * that trust exactly the identities they list.
 */
export class EntraAwsFederation extends pulumi.ComponentResource {
  /** Every stack output, built and registered once; the program exports exactly this. */
  public readonly outputs: FederationOutputRecord;

  constructor(name: string, args: EntraAwsFederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-aws-federation:index:Federation", name, {}, opts);
    const protect = args.protect;
    const cloud = entraCloud(args.cloud);
    const issuerUrl = v1IssuerUrl(cloud, args.tenantId);

    const audience = new EntraAudience(
      `${name}-audience`,
      {
        displayName: args.application.displayName,
        identifierUri: args.application.identifierUri,
        appRoleId: stableAppRoleId(pulumi.getProject(), pulumi.getStack(), name),
        appRoleValue: args.application.appRoleValue,
        protect,
      },
      { parent: this },
    );

    const resourceGroup = this.resourceGroup(name, args);
    const principals = new Map<string, pulumi.Output<string>>();
    const identities: Record<string, pulumi.Output<IdentityOutput>> = {};
    for (const identity of args.identities) {
      const workload = new WorkloadIdentity(
        `${name}-identity-${identity.name}`,
        {
          identity:
            identity.principalId !== undefined
              ? { principalId: identity.principalId }
              : {
                  identityName: identity.name,
                  // Validation guarantees a resource group when an identity is created.
                  ...resourceGroup!,
                  tags: args.tags,
                },
          appRole: audience.appRole,
          protect,
        },
        { parent: this },
      );
      principals.set(identity.name, workload.principalId);
      identities[identity.name] = pulumi
        .all([workload.clientId, workload.principalId, workload.resourceId])
        .apply(([clientId, principalId, resourceId]) =>
          resourceId === undefined
            ? { clientId, principalId }
            : { clientId, principalId, resourceId },
        );
    }

    const callerApps: Record<string, pulumi.Output<CallerAppOutput>> = {};
    for (const app of args.callerApps) {
      const caller = new CallerApp(
        `${name}-caller-${app.name}`,
        {
          displayName: `${args.application.displayName}-${app.name}`,
          secretExpiresInDays: app.secretExpiresInDays,
          appRole: audience.appRole,
          protect,
        },
        { parent: this },
      );
      principals.set(app.name, caller.servicePrincipalObjectId);
      callerApps[app.name] = pulumi.output({
        clientId: caller.clientId,
        servicePrincipalObjectId: caller.servicePrincipalObjectId,
        clientSecret: caller.clientSecret,
        clientSecretExpiresAt: caller.clientSecretExpiresAt,
      });
    }

    // One provider per account: the default account's only when a role deploys there (always,
    // without accounts), every named account's.
    const accounts = [...args.accounts].map(([accountName, account]) => ({
      accountName,
      accountId: account.accountId,
      assumeRoleArn: account.assumeRoleArn,
      oidc: account.oidcProvider,
      provider: args.accountProviders.get(accountName)!,
    }));
    const usesDefault = args.roles.some((role) => role.account === undefined);
    const oidcProviders = new Map<string | undefined, AccountOidcProvider>();
    const targets = [
      ...(usesDefault
        ? [
            {
              accountName: undefined,
              accountId: args.accountId,
              assumeRoleArn: undefined,
              oidc: args.oidcProvider,
              provider: undefined,
            },
          ]
        : []),
      ...accounts,
    ];
    for (const target of targets) {
      const { oidc } = target;
      const component = new AwsOidcProvider(
        target.accountName === undefined ? `${name}-oidc` : `${name}-oidc-${target.accountName}`,
        {
          issuerUrl,
          tags: args.tags,
          protect,
          ...("existingArn" in oidc
            ? { audiences: [audience.audience], existingArn: oidc.existingArn }
            : {
                // Other stacks sharing a created provider are listed here, or the next
                // deployment would remove their audiences; a shared one gets only this stack's.
                audiences:
                  "shared" in oidc
                    ? [audience.audience]
                    : [audience.audience, ...oidc.additionalAudiences],
                ...("shared" in oidc && {
                  shared: { accountId: target.accountId, assumeRoleArn: target.assumeRoleArn },
                }),
                thumbprints:
                  oidc.thumbprints === "auto"
                    ? // Validation refuses auto for a cloud whose signing-key host is unconfirmed.
                      { lookUp: thumbprintUrls(issuerUrl, cloud.jwksUrl!) }
                    : oidc.thumbprints,
              }),
        },
        { parent: this, provider: target.provider },
      );
      oidcProviders.set(target.accountName, {
        arn: component.arn,
        // Without a configured accountId, the default account is the one the provider is in.
        accountId:
          target.accountId === undefined
            ? component.arn.apply(accountOfArn)
            : pulumi.output(target.accountId),
        shared: "shared" in oidc,
      });
    }

    const roleComponentName = (roleName: string) => `${name}-role-${roleName}`;
    const childNamesInUse = new Set(
      args.roles.flatMap((role) =>
        [
          ...role.managedPolicyArns.map((arn) => ["managed", policyNameOf(arn)] as const),
          ...[...role.inlinePolicies.keys()].map((policy) => ["inline", policy] as const),
        ]
          .map(([kind, policy]) => policyChildName(roleComponentName(role.name), kind, policy))
          .filter((child) => child.previousName === undefined)
          .map((child) => child.name),
      ),
    );
    const roles: Record<string, pulumi.Output<RoleOutput>> = {};
    for (const role of args.roles) {
      const oidc = oidcProviders.get(role.account)!;
      const federated = new FederatedRole(
        roleComponentName(role.name),
        {
          roleName: role.name,
          oidcProviderArn: oidc.arn,
          issuerUrl,
          audience: audience.audience,
          // Validation guarantees every listed name is an identity or caller app.
          subjects: role.identities.map((identityName) => principals.get(identityName)!),
          trustPolicyMaxLength: args.trustPolicyMaxLength,
          managedPolicyArns: new Map(role.managedPolicyArns.map((arn) => [policyNameOf(arn), arn])),
          inlinePolicies: role.inlinePolicies,
          permissionsBoundaryArn: role.permissionsBoundaryArn,
          maxSessionDurationSeconds: role.maxSessionDurationSeconds,
          path: role.path,
          tags: { ...args.tags, ...role.tags },
          childNamesInUse,
        },
        {
          parent: this,
          // Validation guarantees the account is configured, so it has a provider.
          provider:
            role.account === undefined ? undefined : args.accountProviders.get(role.account),
        },
      );
      roles[role.name] = pulumi.output({
        arn: federated.arn,
        name: federated.name,
        subjects: federated.subjects,
        accountId: oidc.accountId,
        ...(role.account !== undefined && { account: role.account }),
      });
    }

    const defaultProvider = oidcProviders.get(undefined);
    this.outputs = {
      cloud: pulumi.output(cloud.name),
      tenantId: pulumi.output(args.tenantId),
      issuerUrl: pulumi.output(issuerUrl),
      audience: audience.audience,
      tokenScope: audience.audience.apply(tokenScope),
      applicationClientId: audience.clientId,
      servicePrincipalObjectId: audience.servicePrincipalObjectId,
      appRoleId: audience.appRoleId,
      appRoleValue: audience.appRoleValue,
      // Only for a default account that has a provider: one that no role uses has none.
      ...(defaultProvider && { oidcProviderArn: defaultProvider.arn }),
      oidcProviders: pulumi.all(
        Object.fromEntries(
          [...oidcProviders].map(([accountName, provider]) => [
            accountName ?? DEFAULT_ACCOUNT_NAME,
            pulumi.output(provider),
          ]),
        ),
      ),
      identities: pulumi.all(identities),
      callerApps: pulumi.secret(pulumi.all(callerApps)),
      roles: pulumi.all(roles),
    };
    this.registerOutputs(this.outputs);
  }

  /** Where new managed identities go: a created group, or an existing one looked up when needed. */
  private resourceGroup(
    name: string,
    args: EntraAwsFederationArgs,
  ): { resourceGroupName: pulumi.Output<string>; location: pulumi.Output<string> } | undefined {
    const group = args.resourceGroup;
    if (group === undefined) return undefined;
    if (group.create) {
      const created = new resources.ResourceGroup(
        `${name}-rg`,
        { resourceGroupName: group.name, location: group.location, tags: args.tags },
        { parent: this },
      );
      return { resourceGroupName: created.name, location: created.location };
    }
    if (group.location !== undefined) {
      return {
        resourceGroupName: pulumi.output(group.name),
        location: pulumi.output(group.location),
      };
    }
    if (!args.identities.some((identity) => identity.principalId === undefined)) return undefined;
    // An existing group without a configured location: identities go where the group is.
    const existing = resources.getResourceGroupOutput(
      { resourceGroupName: group.name },
      { parent: this },
    );
    return { resourceGroupName: existing.name, location: existing.location };
  }
}
