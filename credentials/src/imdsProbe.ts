/**
 * Off Azure, a managed identity token request goes to the VM metadata endpoint (IMDS), where
 * @azure/identity 4.14.1 retries a refused or unreachable connection with backoff for about 7 s
 * before MSAL gives up with a generic network_error. One TCP connection attempt first tells "no
 * managed identity endpoint here" at once, in one line.
 *
 * @azure/identity's own probe (`sendProbeRequest`) does not help: it is skipped whenever
 * AZURE_POD_IDENTITY_AUTHORITY_HOST is set (node_modules/@azure/identity/dist/commonjs/
 * credentials/managedIdentityCredential/imdsMsi.js, `isAvailable`).
 */
import * as fs from "node:fs";
import * as net from "node:net";

/** As @azure/identity's IMDS probe (imdsMsi.js: `request.timeout = … || 1e3`). */
const PROBE_TIMEOUT_MS = 1_000;

/**
 * The IMDS base URL MSAL would ask, or undefined when MSAL would use another managed identity
 * source. MSAL 7.2.1 (node_modules/@azure/msal-node/lib/msal-node.cjs,
 * `ManagedIdentityClient.getManagedIdentitySource`, `Imds.tryCreate`) picks Service Fabric / App
 * Service / Azure Arc by IDENTITY_ENDPOINT, Machine Learning / Cloud Shell by MSI_ENDPOINT, Azure
 * Arc also by its agent's file, and otherwise IMDS at AZURE_POD_IDENTITY_AUTHORITY_HOST or
 * http://169.254.169.254; @azure/identity uses workload identity first when
 * AZURE_FEDERATED_TOKEN_FILE is set (tokenExchangeMsi.js). MSAL reads process.env, so this does.
 */
export function imdsBaseUrl(env: NodeJS.ProcessEnv = process.env): URL | undefined {
  if (env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT || env.AZURE_FEDERATED_TOKEN_FILE) return undefined;
  const arcAgent =
    process.platform === "win32"
      ? `${env.ProgramFiles}\\AzureConnectedMachineAgent\\himds.exe`
      : "/opt/azcmagent/bin/himds";
  if (fs.existsSync(arcAgent)) return undefined;
  return new URL(env.AZURE_POD_IDENTITY_AUTHORITY_HOST || "http://169.254.169.254");
}

/** One TCP connection attempt to `url`'s host: undefined when it connects, else the reason. */
export function probe(url: URL, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (reason: string | undefined): void => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no connection within ${timeoutMs} ms`));
    socket.once("connect", () => done(undefined));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
