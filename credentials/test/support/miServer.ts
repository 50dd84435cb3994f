/**
 * A loopback stand-in for the App Service managed identity endpoint (api-version 2019-08-01), the
 * protocol @azure/identity (through MSAL) uses when IDENTITY_ENDPOINT and IDENTITY_HEADER are set:
 * GET <endpoint>?api-version=2019-08-01&resource=<aud>[&client_id=<id>] with header
 * X-IDENTITY-HEADER; JSON { access_token, expires_on (unix seconds string), resource, token_type }.
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { replyJson } from "./httpReply";
import { entraClaims, signJwt, type TestKey } from "./jwt";

export interface MiIdentity {
  principalId: string;
  roles?: string[];
}

export interface MiServerOptions {
  key: TestKey;
  tenantId: string;
  /** Identities by client id; "" is the system-assigned one. */
  identities: Map<string, MiIdentity>;
  tokenLifetimeSeconds?: number;
  /** Token version to issue (a misconfigured app issues 2.0). */
  version?: () => "1.0" | "2.0";
  now?: () => number;
}

export interface MiServer {
  endpoint: string;
  secret: string;
  requests: number;
  /** Requests per client id. */
  byClient: Map<string, number>;
  /** Make the next n requests fail with HTTP 500. */
  failNext: number;
  close(): Promise<void>;
  /** Keeps listening without holding the process open, and drops the connections it has. */
  release(): void;
  /** Sets IDENTITY_ENDPOINT/IDENTITY_HEADER in an env object (default process.env). */
  env(): Record<string, string>;
  options: MiServerOptions;
}

export async function startMiServer(options: MiServerOptions): Promise<MiServer> {
  const secret = randomUUID();
  const state: MiServer = {
    endpoint: "",
    secret,
    requests: 0,
    byClient: new Map(),
    failNext: 0,
    options,
    close: () => Promise.resolve(),
    release: () => undefined,
    env: () => ({ IDENTITY_ENDPOINT: state.endpoint, IDENTITY_HEADER: secret }),
  };
  const reply = (res: http.ServerResponse, status: number, body: unknown): void =>
    replyJson(res, status, body);
  const server = http.createServer((req, res) => {
    state.requests += 1;
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const clientId = url.searchParams.get("client_id") ?? "";
    state.byClient.set(clientId, (state.byClient.get(clientId) ?? 0) + 1);
    if (req.method !== "GET" || url.pathname !== "/msi/token") {
      return reply(res, 404, { error: "not_found" });
    }
    if (req.headers["x-identity-header"] !== secret) {
      return reply(res, 401, {
        statusCode: 401,
        message: "Unauthorized: X-IDENTITY-HEADER mismatch",
      });
    }
    if (url.searchParams.get("api-version") !== "2019-08-01") {
      return reply(res, 400, { statusCode: 400, message: "Unsupported api-version" });
    }
    const resource = url.searchParams.get("resource");
    if (!resource) return reply(res, 400, { statusCode: 400, message: "resource is required" });
    if (state.failNext > 0) {
      state.failNext -= 1;
      return reply(res, 500, { statusCode: 500, message: "injected failure" });
    }
    const identity = options.identities.get(clientId);
    if (!identity) {
      return reply(res, 400, {
        statusCode: 400,
        message: `No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.`,
      });
    }
    const issuedAt = Math.floor((options.now ?? Date.now)() / 1000);
    const lifetime = options.tokenLifetimeSeconds ?? 86_400;
    const token = signJwt(
      options.key,
      entraClaims({
        tenantId: options.tenantId,
        audience: resource,
        principalId: identity.principalId,
        clientId: clientId || "system-assigned",
        ...(identity.roles ? { roles: identity.roles } : {}),
        version: options.version?.() ?? "1.0",
        issuedAt,
        lifetimeSeconds: lifetime,
      }),
    );
    return reply(res, 200, {
      access_token: token,
      expires_on: String(issuedAt + lifetime),
      resource,
      token_type: "Bearer",
      client_id: clientId,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.endpoint = `http://127.0.0.1:${port}/msi/token`;
  state.release = () => {
    server.unref();
    server.closeAllConnections();
  };
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
