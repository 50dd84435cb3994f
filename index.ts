import * as pulumi from "@pulumi/pulumi";
import { accountProviders } from "./components/accountProviders";
import { deploymentTarget } from "./components/deploymentTarget";
import { EntraAwsFederation } from "./components/federation";
import { ConfigError, parseConfig, resolveTarget } from "./lib/config";
import { withOwnFrames } from "./lib/errors";
import { leaveSdkPromiseStacksUnmapped } from "./lib/promiseStacks";

/** RunError ends the program with just the message: no stack trace, nothing registered. */
function asRunError<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ConfigError) throw withOwnFrames(new pulumi.RunError(err.message));
    throw err;
  }
}

export = async () => {
  leaveSdkPromiseStacksUnmapped();
  const config = asRunError(() =>
    parseConfig(pulumi.runtime.allConfig(), {
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
    }),
  );
  // The apps and identities are created in the azuread provider's tenant, the provider ARN in
  // each trust policy names its account's partition, and configured accounts and subscription
  // pin where the credentials may deploy: check all of it before anything is created. Invokes
  // through an account's provider need it registered first; a provider creates nothing itself.
  const providers = accountProviders("federation", config.accounts);
  const target = await deploymentTarget(config, providers);
  const federation = new EntraAwsFederation("federation", {
    ...asRunError(() => resolveTarget(config, target)),
    accountProviders: providers,
  });

  return federation.outputs;
};
