import * as aws from "@pulumi/aws";
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { EntraAwsFederation } from "./components/federation";
import { ConfigError, parseConfig, resolveTarget } from "./lib/config";

/** RunError ends the program with just the message: no stack trace, nothing registered. */
function asRunError<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

export = async () => {
  const config = asRunError(() =>
    parseConfig(pulumi.runtime.allConfig(), {
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
    }),
  );
  // The apps and identities are created in the azuread provider's tenant, and the provider ARN in
  // each trust policy names the aws provider's partition: check both before anything is created.
  const [{ tenantId }, { partition }] = await Promise.all([
    azuread.getClientConfig(),
    aws.getPartition(),
  ]);
  const federation = new EntraAwsFederation(
    "federation",
    asRunError(() => resolveTarget(config, { tenantId, partition })),
  );

  return federation.outputs;
};
