import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { v5 as uuidv5 } from "uuid";

/** Deterministic fake GUIDs, so tests can compute the ids the fake clouds hand out. */
export function fakeGuid(seed: string): string {
  return uuidv5(seed, "6ba7b811-9dad-11d1-80b4-00c04fd430c8");
}

export const TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const ACCOUNT_ID = "123456789012";
export const SUBSCRIPTION_ID = "00000000-1111-2222-3333-444444444444";
export const NOW = "2026-11-22T00:00:00Z";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** Name of the parent resource, `undefined` for the stack's direct children. */
  readonly parent: string | undefined;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly ignoreChanges: string[];
  /** URNs of its aliases: the engine takes over old state found under any of them. */
  readonly aliases: string[];
  /** Name of the explicit provider it is registered with, `undefined` for the default one. */
  readonly provider: string | undefined;
  /** As the mock monitor computes it: two resources with one URN would collide in the engine. */
  urn: string;
  inputs: Record<string, unknown>;
}

export interface FakeCloudsOptions {
  readonly preview?: boolean;
  readonly project?: string;
  readonly stack?: string;
  readonly tenantId?: string;
  readonly partition?: string;
  /** Existing service principals by object id (for `getServicePrincipal`). */
  readonly servicePrincipals?: Readonly<Record<string, { clientId: string }>>;
  /** Client ID list of an existing OIDC provider (for `getOpenIdConnectProvider`). */
  readonly existingProviderClientIds?: readonly string[];
  /**
   * The account an explicit aws.Provider's credentials reach, by the provider's resource name.
   * Otherwise: the account of the role it assumes, or the default credentials' ACCOUNT_ID.
   */
  readonly reachedAccounts?: Readonly<Record<string, string>>;
  /** The ambient aws provider's region (for `getRegion`). */
  readonly region?: string;
  /** The azure-native provider's subscription (for its `getClientConfig`). */
  readonly subscriptionId?: string;
  /** Called once the mocks are installed, before the program runs (to inspect a failed run). */
  readonly onInstall?: (clouds: FakeClouds) => void;
  /** Certificate chain `tls.getCertificate` returns, by the URL it is asked for. */
  readonly certificates?: Readonly<
    Record<string, readonly { sha1Fingerprint: string; isCa: boolean }[]>
  >;
}

/**
 * Pulumi mocks standing in for Azure, Entra and AWS: every registration is recorded with its
 * inputs, parent and options; resource outputs look like the providers'; any invoke not modelled
 * here throws, so a new cloud call cannot pass a test unnoticed.
 */
export class FakeClouds implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  /** Every invoke, with the name of the explicit provider it went through, if any. */
  readonly invokes: {
    token: string;
    inputs: Record<string, unknown>;
    provider: string | undefined;
  }[] = [];

  constructor(readonly options: FakeCloudsOptions = {}) {}

  get tenantId(): string {
    return this.options.tenantId ?? TENANT_ID;
  }

  /** Recorded custom resources (not components). */
  custom(type?: string): RecordedResource[] {
    return this.resources.filter((r) => r.custom && (type === undefined || r.type === type));
  }

  byName(name: string): RecordedResource {
    const found = this.resources.filter((r) => r.name === name);
    if (found.length !== 1)
      throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0]!;
  }

  /**
   * Where an explicit aws.Provider (by its reference, `<urn>::<id>`) deploys: the account its
   * credentials reach, its partition (that of the role it assumes) and region. The ambient one's
   * without a reference.
   */
  private reach(reference: string | undefined): {
    accountId: string;
    partition: string;
    region: string;
  } {
    const ambient = {
      accountId: ACCOUNT_ID,
      partition: this.partition,
      region: this.options.region ?? "eu-west-1",
    };
    if (!reference) return ambient;
    const urn = reference.slice(0, reference.lastIndexOf("::"));
    const provider = this.resources.find((r) => r.urn === urn);
    if (!provider) throw new Error(`unknown provider reference ${reference}`);
    // Provider inputs arrive as the engine gets them: every non-string value JSON-encoded.
    const inputs = provider.inputs as { region?: string; assumeRoles?: string };
    const assumeRoles = JSON.parse(inputs.assumeRoles ?? "[]") as { roleArn: string }[];
    const roleArn: string | undefined = assumeRoles[0]?.roleArn;
    return {
      accountId:
        this.options.reachedAccounts?.[provider.name] ?? roleArn?.split(":")[4] ?? ACCOUNT_ID,
      partition: roleArn?.split(":")[1] ?? this.partition,
      region: inputs.region ?? ambient.region,
    };
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const record = this.resources.find((r) => r.type === args.type && r.name === args.name);
    if (!record) throw new Error(`resource ${args.type} ${args.name} was not seen by the monitor`);
    record.inputs = args.inputs as Record<string, unknown>;
    if (!args.custom) return { id: undefined, state: {} };
    if (this.options.preview)
      return { id: undefined, state: args.inputs as Record<string, unknown> };
    const { id = `${args.name}-id`, ...outputs } = this.outputs(args);
    return { id: String(id), state: { ...args.inputs, ...outputs } };
  }

  private outputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const inputs = args.inputs as Record<string, string>;
    const { accountId, partition } = this.reach(args.provider);
    switch (args.type) {
      case "azuread:index/application:Application": {
        const objectId = fakeGuid(`app-object:${args.name}`);
        return {
          clientId: fakeGuid(`app-client:${args.name}`),
          objectId,
          id: `/applications/${objectId}`,
        };
      }
      case "azuread:index/servicePrincipal:ServicePrincipal":
        return { objectId: fakeGuid(`sp:${inputs.clientId}`) };
      case "azuread:index/applicationPassword:ApplicationPassword":
        return { value: `secret-of-${args.name}`, keyId: fakeGuid(`key:${args.name}`) };
      case "time:index/rotating:Rotating": {
        const days = Number(inputs.rotationDays);
        const rotation = new Date(Date.parse(NOW) + days * 86_400_000).toISOString();
        return { rfc3339: NOW, rotationRfc3339: rotation.replace(".000Z", "Z") };
      }
      case "azure-native:resources:ResourceGroup":
        return { name: inputs.resourceGroupName };
      case "azure-native:managedidentity:UserAssignedIdentity": {
        const name = inputs.resourceName;
        return {
          name,
          clientId: fakeGuid(`mi-client:${name}`),
          principalId: fakeGuid(`mi-principal:${name}`),
          tenantId: this.tenantId,
          id: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${inputs.resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
        };
      }
      case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        return {
          arn: `arn:${partition}:iam::${accountId}:oidc-provider/${inputs.url!.replace("https://", "")}`,
        };
      case "aws:iam/role:Role":
        return {
          arn: `arn:${partition}:iam::${accountId}:role${inputs.path ?? "/"}${inputs.name}`,
        };
      case "pulumi-nodejs:dynamic/entra-aws-federation/aws:SharedOidcProvider": {
        // Its own IAM calls go to the account it is given, in the partition of its region.
        const sharedPartition = inputs.region!.startsWith("cn-") ? "aws-cn" : this.partition;
        const arn = `arn:${sharedPartition}:iam::${inputs.accountId}:oidc-provider/${inputs.issuerUrl!.replace("https://", "")}`;
        return {
          id: arn,
          arn,
          url: inputs.issuerUrl,
          createdByThisStack: true,
          audienceRegistered: true,
        };
      }
      default:
        return {};
    }
  }

  private get partition(): string {
    return this.options.partition ?? "aws";
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    const inputs = args.inputs as Record<string, string>;
    const provider = args.provider ? this.resourceNameOf(args.provider) : undefined;
    this.invokes.push({ token: args.token, inputs, provider });
    const reached = this.reach(args.provider);
    switch (args.token) {
      case "azuread:index/getClientConfig:getClientConfig":
        return {
          tenantId: this.tenantId,
          clientId: fakeGuid("deployer"),
          objectId: fakeGuid("deployer-sp"),
        };
      case "azuread:index/getServicePrincipal:getServicePrincipal": {
        const found = this.options.servicePrincipals?.[inputs.objectId!];
        if (!found)
          throw providerError(
            `service principal with object ID "${inputs.objectId}" was not found`,
          );
        return { objectId: inputs.objectId, clientId: found.clientId };
      }
      case "azure-native:resources:getResourceGroup":
        return { name: inputs.resourceGroupName, location: "northeurope" };
      case "tls:index/getCertificate:getCertificate":
        return { certificates: this.options.certificates?.[inputs.url!] ?? [] };
      case "azure-native:authorization:getClientConfig":
        return {
          tenantId: this.tenantId,
          subscriptionId: this.options.subscriptionId ?? SUBSCRIPTION_ID,
          clientId: fakeGuid("deployer"),
          objectId: fakeGuid("deployer-sp"),
        };
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId: reached.accountId,
          arn: `arn:${reached.partition}:iam::${reached.accountId}:user/deployer`,
          userId: "AIDAEXAMPLE",
        };
      case "aws:index/getPartition:getPartition":
        return { partition: reached.partition, dnsSuffix: "amazonaws.com" };
      case "aws:index/getRegion:getRegion":
        return { region: reached.region, name: reached.region };
      case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider":
        return {
          arn: inputs.arn,
          url: `sts.windows.net/${this.tenantId}/`,
          clientIdLists: this.options.existingProviderClientIds ?? [],
        };
      default:
        throw new Error(`unmocked invoke ${args.token}`);
    }
  }

  /** The resource name in a provider reference, `<urn>::<id>`. */
  private resourceNameOf(reference: string): string {
    const urn = reference.slice(0, reference.lastIndexOf("::"));
    return urn.slice(urn.lastIndexOf("::") + 2);
  }

  /** Installs these mocks as the Pulumi runtime's engine and resource monitor. */
  async install(): Promise<this> {
    const { project = "entra-aws-federation", stack = "test", preview = false } = this.options;
    await pulumi.runtime.setMocks(this, project, stack, preview);
    pulumi.runtime.setMockOptions(new RecordingMonitor(this), project, stack, preview);
    return this;
  }
}

/** A provider's failure as the engine relays it: a gRPC error whose `details` carry the text. */
function providerError(message: string): Error {
  return Object.assign(new Error(message), { details: message });
}

type RegisterResourceRequest = {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getIgnorechangesList(): string[];
  getAliasurnsList(): string[];
  getProvider(): string;
};

/** The SDK's mock monitor, also recording what `MockResourceArgs` leaves out: parent and options. */
class RecordingMonitor extends MockMonitor {
  constructor(private readonly clouds: FakeClouds) {
    super(clouds);
  }

  override async registerResource(
    req: RegisterResourceRequest,
    callback: (err: unknown, res: unknown) => void,
  ) {
    const parentUrn = req.getParent();
    const providerUrn = req.getProvider().slice(0, req.getProvider().lastIndexOf("::"));
    const record: RecordedResource = {
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: parentUrn ? parentUrn.slice(parentUrn.lastIndexOf("::") + 2) : undefined,
      protect: req.getProtect() ?? false,
      retainOnDelete: req.getRetainondelete() ?? false,
      ignoreChanges: req.getIgnorechangesList(),
      // Installed this way, the SDK resolves aliases to URNs itself rather than sending alias specs.
      aliases: req.getAliasurnsList(),
      provider: providerUrn ? providerUrn.slice(providerUrn.lastIndexOf("::") + 2) : undefined,
      urn: "",
      inputs: {},
    };
    this.clouds.resources.push(record);
    return super.registerResource(req, (err, res) => {
      if (res) record.urn = (res as { getUrn(): string }).getUrn();
      callback(err, res);
    });
  }
}

/** Resolves an output's value (undefined when unknown, as in a preview). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(withUnknowns?: boolean): Promise<T> }).promise(true);
}

export function isKnown<T>(output: pulumi.Output<T>): Promise<boolean> {
  return (output as unknown as { isKnown: Promise<boolean> }).isKnown;
}

export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
  return (output as unknown as { isSecret: Promise<boolean> }).isSecret;
}

/** Sets the whole stack configuration, as the engine passes it: every value a string. */
export function setStackConfig(config: Readonly<Record<string, unknown>>): void {
  const entries = Object.entries(config).map(([key, value]) => [
    key,
    typeof value === "string" ? value : JSON.stringify(value),
  ]);
  pulumi.runtime.setAllConfig(Object.fromEntries(entries) as Record<string, string>);
}

export type Program = Record<string, pulumi.Output<unknown>>;

/** Runs index.ts, as the engine does, against fake clouds with the given stack configuration. */
export async function runProgram(
  config: Record<string, unknown>,
  options: FakeCloudsOptions = {},
): Promise<{ clouds: FakeClouds; program: Program }> {
  const clouds = await new FakeClouds({ stack: "dev", ...options }).install();
  options.onInstall?.(clouds);
  setStackConfig(config);
  const entry = require.resolve("../index");
  delete require.cache[entry];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const main = require(entry) as () => Promise<Program>;
  const program = await main();
  return { clouds, program };
}

/** Waits for every output and registration; returns the outputs' values. */
export async function settle(program: Program): Promise<Record<string, unknown>> {
  const values = await Promise.all(Object.values(program).map((o) => valueOf(o)));
  // Every registration has reached the monitor once the RPC queue drains.
  await pulumi.runtime.disconnect();
  return Object.fromEntries(Object.keys(program).map((key, i) => [key, values[i]]));
}
