/**
 * A loopback stand-in for Entra ID's token endpoint as a caller app (client secret) reaches it:
 * MSAL, through @azure/identity's ClientSecretCredential, POSTs grant_type=client_credentials to
 * https://<login host>/<tenant>/oauth2/v2.0/token (it knows the endpoints of Microsoft's login
 * hosts without asking, so no OpenID configuration or instance discovery request is made).
 *
 * The child process keeps the real authority host (so MSAL needs no instance discovery, which
 * would go to the internet for any other host) and reaches this server through an HTTPS proxy
 * (HTTPS_PROXY, honoured by @azure/core-rest-pipeline) that tunnels every CONNECT to it. Its
 * certificate for the login hosts is self-signed by `openssl` and trusted through
 * NODE_EXTRA_CA_CERTS. Tokens carry the v1 issuer of the cloud whose login host was asked,
 * written out here rather than taken from entraCloud.ts, so a wrong fact there fails a test.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import { replyJson } from "./httpReply";
import { entraClaims, signJwt, type TestKey } from "./jwt";

export const ENTRA_HOST = "login.microsoftonline.com";

/** The v1 issuer host of each login host this stand-in answers as. */
export const ISSUER_HOST_BY_LOGIN_HOST: ReadonlyMap<string, string> = new Map([
  [ENTRA_HOST, "sts.windows.net"],
  // Azure China: login.chinacloudapi.cn, and MSAL's preferred network alias for it
  // (@azure/msal-common AuthorityMetadata.mjs).
  ["login.chinacloudapi.cn", "sts.chinacloudapi.cn"],
  ["login.partner.microsoftonline.cn", "sts.chinacloudapi.cn"],
]);

export interface CallerApp {
  clientSecret: string;
  /** The app's service principal object id: the token's sub. */
  servicePrincipalObjectId: string;
}

export interface EntraServerOptions {
  key: TestKey;
  tenantId: string;
  /** The federation app's App ID URI: the only resource tokens are issued for. */
  audience: string;
  /** Caller apps by client id. */
  apps: Map<string, CallerApp>;
  /** Working directory for the certificate files. */
  dir: string;
}

export interface EntraTokenRequest {
  clientId: string;
  scope: string;
  outcome: string;
}

export interface EntraServer {
  /** For the child process: HTTPS_PROXY and NODE_EXTRA_CA_CERTS. */
  env: Record<string, string>;
  /** CONNECT targets the proxy was asked for. */
  tunnels: string[];
  /** Requests as "METHOD path", in order. */
  paths: string[];
  /** Their Host headers, in order. */
  hosts: string[];
  tokenRequests: EntraTokenRequest[];
  /** Appended to the error description of a rejected secret (e.g. to echo the secret sent). */
  errorSuffix: (sentSecret: string) => string;
  close(): Promise<void>;
}

function selfSignedCertificate(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = path.join(dir, "entra.key");
  const certFile = path.join(dir, "entra.crt");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      `/CN=${ENTRA_HOST}`,
      "-addext",
      `subjectAltName=${[...ISSUER_HOST_BY_LOGIN_HOST.keys()].map((h) => `DNS:${h}`).join(",")}`,
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  return {
    key: fs.readFileSync(keyFile, "utf8"),
    cert: fs.readFileSync(certFile, "utf8"),
    certFile,
  };
}

export async function startEntraServer(options: EntraServerOptions): Promise<EntraServer> {
  const { key, cert, certFile } = selfSignedCertificate(options.dir);
  const state: EntraServer = {
    env: {},
    tunnels: [],
    paths: [],
    hosts: [],
    tokenRequests: [],
    errorSuffix: () => "",
    close: () => Promise.resolve(),
  };
  // Entra's token endpoint names the charset.
  const reply = (res: http.ServerResponse, status: number, body: unknown): void =>
    replyJson(res, status, body, "application/json; charset=utf-8");
  const aadError = (
    res: http.ServerResponse,
    status: number,
    error: string,
    code: number,
    description: string,
  ): void =>
    reply(res, status, {
      error,
      error_description: `AADSTS${code}: ${description}`,
      error_codes: [code],
    });

  const token = (res: http.ServerResponse, host: string, form: URLSearchParams): void => {
    const clientId = form.get("client_id") ?? "";
    const scope = form.get("scope") ?? "";
    const request: EntraTokenRequest = { clientId, scope, outcome: "ok" };
    state.tokenRequests.push(request);
    const app = options.apps.get(clientId);
    const sentSecret = form.get("client_secret") ?? "";
    if (form.get("grant_type") !== "client_credentials") {
      request.outcome = "unsupported_grant_type";
      return aadError(res, 400, "unsupported_grant_type", 70003, "unsupported grant type");
    }
    if (!app) {
      request.outcome = "unauthorized_client";
      return aadError(
        res,
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory.`,
      );
    }
    if (sentSecret !== app.clientSecret) {
      request.outcome = "invalid_client";
      return aadError(
        res,
        401,
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.${state.errorSuffix(sentSecret)}`,
      );
    }
    // For client credentials MSAL sends only the scope asked for (no openid/profile added).
    const resource = scope.endsWith("/.default") ? scope.slice(0, -"/.default".length) : "";
    if (!resource) {
      request.outcome = "invalid_scope";
      return aadError(
        res,
        400,
        "invalid_scope",
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    if (resource !== options.audience) {
      request.outcome = "invalid_resource";
      return aadError(
        res,
        400,
        "invalid_resource",
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${options.tenantId}.`,
      );
    }
    const issuedAt = Math.floor(Date.now() / 1000);
    const lifetime = 3_600;
    return reply(res, 200, {
      token_type: "Bearer",
      expires_in: lifetime - 1,
      ext_expires_in: lifetime - 1,
      access_token: signJwt(
        options.key,
        entraClaims({
          tenantId: options.tenantId,
          audience: resource,
          principalId: app.servicePrincipalObjectId,
          clientId,
          issuedAt,
          lifetimeSeconds: lifetime,
          issuerHost: ISSUER_HOST_BY_LOGIN_HOST.get(host) ?? "unknown-login-host.invalid",
        }),
      ),
    });
  };

  const entra = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const host = req.headers.host ?? "";
      const url = new URL(req.url ?? "/", `https://${ENTRA_HOST}`);
      state.paths.push(`${req.method} ${url.pathname}`);
      state.hosts.push(host);
      if (req.method === "POST" && url.pathname === `/${options.tenantId}/oauth2/v2.0/token`) {
        return token(res, host, new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      }
      return reply(res, 404, { error: "not_found" });
    });
  });
  await new Promise<void>((resolve) => entra.listen(0, "127.0.0.1", resolve));
  const entraPort = (entra.address() as net.AddressInfo).port;

  const sockets = new Set<net.Socket>();
  const proxy = http.createServer((_req, res) => {
    res.writeHead(405).end();
  });
  proxy.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    state.tunnels.push(req.url ?? "");
    const upstream = net.connect(entraPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const proxyPort = (proxy.address() as net.AddressInfo).port;

  state.env = {
    HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
    NODE_EXTRA_CA_CERTS: certFile,
  };
  state.close = async () => {
    for (const s of sockets) s.destroy();
    entra.closeAllConnections();
    await Promise.all([
      new Promise((resolve) => entra.close(resolve)),
      new Promise((resolve) => proxy.close(resolve)),
    ]);
  };
  return state;
}
