/**
 * A loopback AWS STS speaking the query protocol (form-encoded POST, XML responses) for
 * AssumeRoleWithWebIdentity. It validates the token the way AWS does: finds the OIDC provider by
 * `iss`, checks `aud` against the provider's client IDs, verifies the RS256 signature with the
 * test JWKS (jose), checks expiry (5 minutes of skew), then the role's trust policy (`aud`/`sub`
 * under StringEquals). Faults can be queued per call; calls are counted.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- jose is ESM-only; Node 22 can require() it
const jose = require("jose") as typeof import("jose", { with: { "resolution-mode": "import" } });

export interface StsRole {
  /** Trust policy: StringEquals <provider>:aud and :sub. */
  audience: string;
  subjects: string[];
  maxSessionDuration?: number;
}

export interface StsFault {
  code?: string;
  message?: string;
  status?: number;
  /** Delay before answering (ms). */
  delayMs?: number;
}

export interface StsServerOptions {
  /** OIDC providers: URL (= iss) → client ID list. */
  providers: Map<string, string[]>;
  roles: Map<string, StsRole>;
  jwks: { keys: Record<string, unknown>[] };
  now?: () => number;
  /** Override the credential lifetime (seconds) regardless of DurationSeconds. */
  credentialLifetimeSeconds?: number;
}

export interface StsCall {
  roleArn: string;
  sessionName: string;
  durationSeconds: number | undefined;
  outcome: string;
}

export interface StsServer {
  endpoint: string;
  calls: StsCall[];
  faults: StsFault[];
  /** Applied to every call after the queue is empty (e.g. a permanent error). */
  stickyFault: StsFault | undefined;
  options: StsServerOptions;
  close(): Promise<void>;
  /** Keeps listening without holding the process open, and drops the connections it has. */
  release(): void;
}

const xmlEscape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

function errorXml(code: string, message: string): string {
  const type = code === "InternalFailure" ? "Receiver" : "Sender";
  return `<ErrorResponse xmlns="${NS}">
  <Error>
    <Type>${type}</Type>
    <Code>${xmlEscape(code)}</Code>
    <Message>${xmlEscape(message)}</Message>
  </Error>
  <RequestId>${randomUUID()}</RequestId>
</ErrorResponse>
`;
}

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startStsServer(options: StsServerOptions): Promise<StsServer> {
  const now = options.now ?? Date.now;
  const jwks = jose.createLocalJWKSet(options.jwks);
  const state: StsServer = {
    endpoint: "",
    calls: [],
    faults: [],
    stickyFault: undefined,
    options,
    close: () => Promise.resolve(),
    release: () => undefined,
  };

  const assume = async (params: URLSearchParams): Promise<string> => {
    if (params.get("Action") !== "AssumeRoleWithWebIdentity") {
      throw new StsError("InvalidAction", `Could not find operation ${params.get("Action")}`);
    }
    if (params.get("Version") !== "2011-06-15")
      throw new StsError("InvalidParameterValue", "bad Version");
    const roleArn = params.get("RoleArn") ?? "";
    const sessionName = params.get("RoleSessionName") ?? "";
    const token = params.get("WebIdentityToken") ?? "";
    const durationParam = params.get("DurationSeconds");
    const duration = durationParam === null ? 3600 : Number(durationParam);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new StsError(
        "ValidationError",
        "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      );
    }
    let claims: import("jose", { with: { "resolution-mode": "import" } }).JWTPayload;
    try {
      claims = jose.decodeJwt(token);
    } catch {
      throw new StsError(
        "InvalidIdentityToken",
        "The web identity token that was passed could not be validated by AWS.",
      );
    }
    const iss = claims.iss ?? "";
    const clientIds = options.providers.get(iss);
    if (!clientIds) {
      throw new StsError(
        "InvalidIdentityToken",
        `No OpenIDConnect provider found in your account for ${iss}`,
      );
    }
    const aud = typeof claims.aud === "string" ? claims.aud : "";
    if (!clientIds.includes(aud))
      throw new StsError("InvalidIdentityToken", "Incorrect token audience");
    try {
      await jose.jwtVerify(token, jwks, {
        algorithms: ["RS256"],
        issuer: iss,
        currentDate: new Date(now()),
        clockTolerance: 300,
      });
    } catch (error) {
      if (error instanceof jose.errors.JWTExpired) {
        throw new StsError(
          "ExpiredTokenException",
          "Token expired: current date/time must be before the expiration date/time.",
        );
      }
      throw new StsError(
        "InvalidIdentityToken",
        "Couldn't verify the token's signature with the keys of the provider.",
      );
    }
    const role = options.roles.get(roleArn);
    const notAuthorized = new StsError(
      "AccessDenied",
      "Not authorized to perform sts:AssumeRoleWithWebIdentity",
      403,
    );
    if (!role || role.audience !== aud || !role.subjects.includes(claims.sub ?? ""))
      throw notAuthorized;
    if (duration < 900 || duration > (role.maxSessionDuration ?? 3600)) {
      throw new StsError(
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      );
    }
    const lifetime = options.credentialLifetimeSeconds ?? duration;
    const expiration = new Date(Math.floor(now() / 1000) * 1000 + lifetime * 1000)
      .toISOString()
      .replace(".000Z", "Z");
    const accountRole = roleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/");
    return `<AssumeRoleWithWebIdentityResponse xmlns="${NS}">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>${xmlEscape(claims.sub ?? "")}</SubjectFromWebIdentityToken>
    <Audience>${xmlEscape(aud)}</Audience>
    <AssumedRoleUser>
      <Arn>${xmlEscape(`${accountRole}/${sessionName}`)}</Arn>
      <AssumedRoleId>AROA${randomBytes(8).toString("hex").toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${randomBytes(96).toString("base64")}</SessionToken>
      <SecretAccessKey>${randomBytes(30).toString("base64")}</SecretAccessKey>
      <Expiration>${expiration}</Expiration>
      <AccessKeyId>ASIA${randomBytes(8).toString("hex").toUpperCase()}</AccessKeyId>
    </Credentials>
    <Provider>${xmlEscape(iss.replace(/^https:\/\//, ""))}</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      const call: StsCall = {
        roleArn: params.get("RoleArn") ?? "",
        sessionName: params.get("RoleSessionName") ?? "",
        durationSeconds: params.has("DurationSeconds")
          ? Number(params.get("DurationSeconds"))
          : undefined,
        outcome: "pending",
      };
      state.calls.push(call);
      const fault = state.faults.shift() ?? state.stickyFault;
      const send = (status: number, body: string): void => {
        if (res.destroyed) return;
        res.writeHead(status, {
          "content-type": "text/xml",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      };
      const answer = (): void => {
        if (req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded") !== true) {
          call.outcome = "UnsupportedMediaType";
          return send(415, errorXml("UnsupportedMediaType", "form-encoded body expected"));
        }
        if (fault?.code) {
          call.outcome = fault.code;
          return send(
            fault.status ?? 400,
            errorXml(fault.code, fault.message ?? `injected ${fault.code}`),
          );
        }
        assume(params).then(
          (xml) => {
            call.outcome = "ok";
            send(200, xml);
          },
          (error: unknown) => {
            const e =
              error instanceof StsError
                ? error
                : new StsError("InternalFailure", String(error), 500);
            call.outcome = e.code;
            send(e.status, errorXml(e.code, e.message));
          },
        );
      };
      if (fault?.delayMs) setTimeout(answer, fault.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.endpoint = `http://127.0.0.1:${port}`;
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
