import * as pulumi from "@pulumi/pulumi";
import { EntraAwsFederation } from "./components/federation";
import { ConfigError, parseConfig } from "./lib/config";

function loadConfig() {
  try {
    return parseConfig(pulumi.runtime.allConfig(), {
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
    });
  } catch (err) {
    // RunError ends the program with just this message: no stack trace, nothing registered.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const federation = new EntraAwsFederation("federation", loadConfig());

export const tenantId = federation.tenantId;
export const issuerUrl = federation.issuerUrl;
export const audience = federation.audience;
export const tokenScope = federation.tokenScope;
export const applicationClientId = federation.applicationClientId;
export const servicePrincipalObjectId = federation.servicePrincipalObjectId;
export const appRoleId = federation.appRoleId;
export const appRoleValue = federation.appRoleValue;
export const oidcProviderArn = federation.oidcProviderArn;
export const identities = federation.identities;
export const callerApps = federation.callerApps;
export const roles = federation.roles;
