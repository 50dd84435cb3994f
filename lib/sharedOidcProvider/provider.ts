/**
 * The dynamic provider behind SharedOidcProvider: one stack's audience on the account's IAM OIDC
 * provider for the issuer, which several stacks share (IAM allows one provider per URL per
 * account).
 *
 * Pulumi serializes this object's code into the resource's `__provider` input and runs it in the
 * engine's dynamic-provider host, with no aws Pulumi provider behind it
 * (@pulumi/pulumi dynamic/index.js: serializeFunction(() => provider, { allowSecrets: true }),
 * marked secret if anything captured is; cmd/dynamic-provider/index.js: requireFromString). The
 * closure serializer captures local modules by value and node_modules packages as require()
 * calls (runtime/closure/createClosure.js, captureModuleAsync), so this module and its local
 * imports hold no state: clients are made per call from the inputs, nothing secret is captured,
 * and @pulumi/pulumi (a deployment-only module) is imported for types only. Messages go to
 * console.warn, which is what pulumi.log.warn does without an engine connection, the case in the
 * dynamic-provider host (pulumi/pulumi#6065); the engine passes that output through
 * (pulumi/pulumi#18253).
 */
import type * as pulumi from "@pulumi/pulumi";
import { diffInputs } from "./diff";
import { awsClients } from "./iamClient";
import type { SharedOidcProviderInputs, SharedOidcProviderOutputs } from "./inputs";
import { checkInputs } from "./inputs";
import {
  clientIds,
  deleteProvider,
  ensureAudience,
  providerArnInAccount,
  removeAudience,
} from "./operations";

/** Only the inputs, whatever else a stored state carries (outputs, the engine's __provider). */
function inputsOf(props: SharedOidcProviderInputs): SharedOidcProviderInputs {
  return {
    issuerUrl: props.issuerUrl,
    audience: props.audience,
    accountId: props.accountId,
    region: props.region,
    ...(props.assumeRoleArn === undefined ? {} : { assumeRoleArn: props.assumeRoleArn }),
    thumbprints: props.thumbprints,
  };
}

function outputs(
  inputs: SharedOidcProviderInputs,
  arn: string,
  createdByThisStack: boolean,
): SharedOidcProviderOutputs {
  return {
    ...inputsOf(inputs),
    arn,
    url: inputs.issuerUrl,
    createdByThisStack,
    audienceRegistered: true,
  };
}

export const sharedOidcProviderProvider = {
  check(_olds: SharedOidcProviderInputs, news: SharedOidcProviderInputs) {
    return Promise.resolve({ inputs: news, failures: checkInputs(news) });
  },

  async create(inputs: SharedOidcProviderInputs) {
    const clients = awsClients(inputs);
    const arn = await providerArnInAccount(clients, inputs);
    const created = await ensureAudience(clients, arn, inputs);
    return { id: arn, outs: outputs(inputs, arn, created) };
  },

  /**
   * Reports the audience as absent (audienceRegistered: false) when someone removed it out of
   * band, so the next diff updates and the update adds it again. A provider that is gone reads as
   * gone (empty id): the next deployment creates it, and so becomes its creator.
   */
  async read(id: string, props?: SharedOidcProviderOutputs) {
    if (props === undefined) {
      throw new Error(
        `cannot read shared OIDC provider ${id} without its stored inputs (region, accountId, audience): import is not supported`,
      );
    }
    const clients = awsClients(props);
    await providerArnInAccount(clients, props);
    const listed = await clientIds(clients, props.arn);
    if (listed === undefined) return { id: "" };
    return { id, props: { ...props, audienceRegistered: listed.includes(props.audience) } };
  },

  /**
   * Input changes first; without any, asks IAM whether the audience is still listed, so a plain
   * `pulumi up` (no refresh) puts back an audience someone removed.
   */
  async diff(_id: string, olds: SharedOidcProviderOutputs, news: SharedOidcProviderInputs) {
    const changes = diffInputs(olds, news);
    if (changes.replaces.length > 0) {
      return { changes: true, replaces: changes.replaces, deleteBeforeReplace: false };
    }
    if (changes.updates.length > 0 || !olds.audienceRegistered) return { changes: true };
    const clients = awsClients(news);
    await providerArnInAccount(clients, news);
    const listed = await clientIds(clients, olds.arn);
    return { changes: listed === undefined || !listed.includes(olds.audience) };
  },

  /**
   * Adds the new audience before removing an old one, so the stack's roles never lose theirs in
   * between; re-creates the provider if it is gone. Creator stays creator.
   */
  async update(_id: string, olds: SharedOidcProviderOutputs, news: SharedOidcProviderInputs) {
    const clients = awsClients(news);
    const arn = await providerArnInAccount(clients, news);
    const created = await ensureAudience(clients, arn, news);
    if (olds.audience !== news.audience) await removeAudience(clients, arn, olds.audience);
    return { outs: outputs(news, arn, olds.createdByThisStack || created) };
  },

  /**
   * Removes only this stack's audience. The provider goes only if this stack created it and no
   * other audience is left; otherwise it stays for the stacks still using it, and the message
   * says so.
   */
  async delete(_id: string, props: SharedOidcProviderOutputs) {
    const clients = awsClients(props);
    await providerArnInAccount(clients, props);
    if (!(await removeAudience(clients, props.arn, props.audience))) return;
    if (!props.createdByThisStack) return;
    const listed = await clientIds(clients, props.arn);
    if (listed === undefined) return;
    // IAM is eventually consistent: a read right after the removal may still list it.
    const left = listed.filter((audience) => audience !== props.audience);
    if (left.length > 0) {
      console.warn(
        `warning: the IAM OIDC provider ${props.arn} was created by this stack but is left in place: ` +
          `${left.length} other audience${left.length === 1 ? "" : "s"} still use${left.length === 1 ? "s" : ""} it (${left.join(", ")}). ` +
          `Audience ${props.audience} was removed; the provider is not deleted by any stack now, delete it by hand once unused.`,
      );
      return;
    }
    await deleteProvider(clients, props.arn);
  },
} satisfies pulumi.dynamic.ResourceProvider<SharedOidcProviderInputs, SharedOidcProviderOutputs>;
