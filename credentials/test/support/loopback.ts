/**
 * Endpoints that keep the helper on loopback whatever a test forgets to set.
 *
 * Off App Service, MSAL asks the Azure VM metadata endpoint (IMDS). Its only override is
 * AZURE_POD_IDENTITY_AUTHORITY_HOST: MSAL 7.2.1 `Imds.tryCreate` (node_modules/@azure/msal-node/
 * lib/msal-node.cjs) asks `${AZURE_POD_IDENTITY_AUTHORITY_HOST}/metadata/identity/oauth2/token`
 * instead of http://169.254.169.254, and @azure/identity 4.14.1 uses the same variable for its
 * probe (dist/commonjs/credentials/managedIdentityCredential/imdsMsi.js). Pointed at a closed
 * loopback port, "no managed identity here" is a refused connection on 127.0.0.1.
 * AWS_EC2_METADATA_DISABLED=true keeps the AWS SDK from asking EC2's metadata service.
 */
import * as net from "node:net";

let closed: Promise<string> | undefined;

/** http://127.0.0.1:<port> where nothing listens (a port the kernel gave out, then closed). */
export function closedLoopbackUrl(): Promise<string> {
  closed ??= new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
  return closed;
}

export async function safeEnv(): Promise<Record<string, string>> {
  return {
    AWS_EC2_METADATA_DISABLED: "true",
    AZURE_POD_IDENTITY_AUTHORITY_HOST: await closedLoopbackUrl(),
  };
}
