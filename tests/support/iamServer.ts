/**
 * A loopback stand-in for the IAM and STS Query APIs (form-encoded POST, XML replies), written from
 * the API references: IAM's OIDC provider actions
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html,
 * API_GetOpenIDConnectProvider, API_AddClientIDToOpenIDConnectProvider,
 * API_RemoveClientIDFromOpenIDConnectProvider, API_DeleteOpenIDConnectProvider: the request
 * parameters, the sample responses and each action's listed errors with their HTTP status) and
 * STS AssumeRole and GetCallerIdentity (https://docs.aws.amazon.com/STS/latest/APIReference/).
 * Errors use the Query protocol's ErrorResponse/Error/{Type,Code,Message} shape.
 *
 * It answers as the caller the SigV4 Authorization header names (Credential=<access key>/...): a
 * key it does not know, or a temporary key without its session token, gets InvalidClientTokenId,
 * and IAM calls act in that key's account. AssumeRole issues a new key for the role's account, so
 * a test can see which credentials each call used. The signature itself is not verified.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface Identity {
  readonly accountId: string;
  /** The caller's ARN, as GetCallerIdentity returns it. */
  readonly arn: string;
  /** Set for keys issued by AssumeRole: requests must carry it (X-Amz-Security-Token). */
  readonly sessionToken?: string;
}

export interface OidcProviderRecord {
  /** As created: `https://host/path`. */
  readonly url: string;
  clientIds: string[];
  readonly thumbprints: string[];
  readonly createDate: Date;
}

export interface Call {
  readonly service: string;
  readonly action: string;
  readonly accessKeyId: string;
  readonly params: URLSearchParams;
  /** HTTP status answered, and the error code when it failed. */
  status: number;
  code?: string;
}

/** An error answered instead of handling the next call of `action`. */
export interface Fault {
  readonly action: string;
  readonly code: string;
  readonly status: number;
  readonly message?: string;
}

export interface IamStandIn {
  readonly endpoint: string;
  /** Access keys the stand-in knows (long-term ones are added by the test). */
  readonly identities: Map<string, Identity>;
  /** Roles AssumeRole can assume: role ARN → the accounts whose callers may assume it. */
  readonly roles: Map<string, readonly string[]>;
  /** OIDC providers of every account, by ARN. */
  readonly providers: Map<string, OidcProviderRecord>;
  readonly calls: Call[];
  readonly faults: Fault[];
  /** Runs as each call arrives, before it is handled (e.g. another stack acting in between). */
  before: ((call: Call) => void) | undefined;
  /** Calls of one action (all services), in arrival order. */
  callsOf(action: string): Call[];
  close(): Promise<void>;
}

const IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
/** IAM's quota of client IDs per OIDC provider. */
const MAX_CLIENT_IDS = 100;

const xmlEscape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function errorXml(ns: string, code: string, message: string, status: number): string {
  return `<ErrorResponse xmlns="${ns}">
  <Error>
    <Type>${status >= 500 ? "Receiver" : "Sender"}</Type>
    <Code>${xmlEscape(code)}</Code>
    <Message>${xmlEscape(message)}</Message>
  </Error>
  <RequestId>${randomUUID()}</RequestId>
</ErrorResponse>
`;
}

function responseXml(ns: string, action: string, result?: string): string {
  const body = result === undefined ? "" : `  <${action}Result>\n${result}  </${action}Result>\n`;
  return `<${action}Response xmlns="${ns}">
${body}  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</${action}Response>
`;
}

const members = (values: readonly string[]): string =>
  values.map((v) => `<member>${xmlEscape(v)}</member>`).join("");

/** `Name.member.1`, `Name.member.2`, ...: how the Query protocol encodes a list. */
function listParam(params: URLSearchParams, name: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${name}.member.${i}`); i++) {
    values.push(params.get(`${name}.member.${i}`) ?? "");
  }
  return values;
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === "") {
    throw new QueryError("MissingParameter", `The request must contain the parameter ${name}`, 400);
  }
  return value;
}

export async function startIamStandIn(): Promise<IamStandIn> {
  const identities = new Map<string, Identity>();
  const roles = new Map<string, readonly string[]>();
  const providers = new Map<string, OidcProviderRecord>();
  const calls: Call[] = [];
  const faults: Fault[] = [];

  const providerFor = (caller: Identity, action: string, arn: string): OidcProviderRecord => {
    const account = /^arn:aws[a-z-]*:iam::(\d{12}):oidc-provider\//.exec(arn)?.[1];
    if (account === undefined) {
      throw new QueryError("InvalidInput", `ARN ${arn} is not valid.`, 400);
    }
    if (account !== caller.accountId) {
      throw new QueryError(
        "AccessDenied",
        `User: ${caller.arn} is not authorized to perform: iam:${action} on resource: ${arn}`,
        403,
      );
    }
    const provider = providers.get(arn);
    if (provider === undefined) {
      throw new QueryError("NoSuchEntity", `OpenIDConnect Provider not found for arn ${arn}`, 404);
    }
    return provider;
  };

  const iam = (caller: Identity, action: string, params: URLSearchParams): string => {
    if (params.get("Version") !== "2010-05-08") {
      throw new QueryError("InvalidParameterValue", "bad Version", 400);
    }
    switch (action) {
      case "GetOpenIDConnectProvider": {
        const p = providerFor(caller, action, required(params, "OpenIDConnectProviderArn"));
        return responseXml(
          IAM_NS,
          action,
          // The documented sample response gives the URL without its scheme.
          `    <ThumbprintList>${members(p.thumbprints)}</ThumbprintList>
    <CreateDate>${p.createDate.toISOString()}</CreateDate>
    <ClientIDList>${members(p.clientIds)}</ClientIDList>
    <Url>${xmlEscape(p.url.replace(/^https:\/\//, ""))}</Url>
`,
        );
      }
      case "CreateOpenIDConnectProvider": {
        const url = required(params, "Url");
        const arn = `arn:aws:iam::${caller.accountId}:oidc-provider/${url.replace(/^https:\/\//, "")}`;
        if (providers.has(arn)) {
          throw new QueryError(
            "EntityAlreadyExists",
            `Provider with url ${url} already exists.`,
            409,
          );
        }
        const clientIds = [...new Set(listParam(params, "ClientIDList"))];
        if (clientIds.length > MAX_CLIENT_IDS) {
          throw new QueryError(
            "LimitExceeded",
            `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`,
            409,
          );
        }
        providers.set(arn, {
          url,
          clientIds,
          thumbprints: listParam(params, "ThumbprintList"),
          createDate: new Date(),
        });
        return responseXml(
          IAM_NS,
          action,
          `    <OpenIDConnectProviderArn>${xmlEscape(arn)}</OpenIDConnectProviderArn>\n`,
        );
      }
      case "AddClientIDToOpenIDConnectProvider": {
        const p = providerFor(caller, action, required(params, "OpenIDConnectProviderArn"));
        const clientId = required(params, "ClientID");
        if (!p.clientIds.includes(clientId)) {
          if (p.clientIds.length >= MAX_CLIENT_IDS) {
            throw new QueryError(
              "LimitExceeded",
              `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`,
              409,
            );
          }
          p.clientIds.push(clientId);
        }
        return responseXml(IAM_NS, action);
      }
      case "RemoveClientIDFromOpenIDConnectProvider": {
        const p = providerFor(caller, action, required(params, "OpenIDConnectProviderArn"));
        const clientId = required(params, "ClientID");
        p.clientIds = p.clientIds.filter((id) => id !== clientId);
        return responseXml(IAM_NS, action);
      }
      case "DeleteOpenIDConnectProvider": {
        const arn = required(params, "OpenIDConnectProviderArn");
        providerFor(caller, action, arn);
        providers.delete(arn);
        return responseXml(IAM_NS, action);
      }
      default:
        throw new QueryError(
          "InvalidAction",
          `Could not find operation ${action} for version 2010-05-08`,
          400,
        );
    }
  };

  const sts = (caller: Identity, action: string, params: URLSearchParams): string => {
    if (params.get("Version") !== "2011-06-15") {
      throw new QueryError("InvalidParameterValue", "bad Version", 400);
    }
    switch (action) {
      case "GetCallerIdentity":
        return responseXml(
          STS_NS,
          action,
          `    <Arn>${xmlEscape(caller.arn)}</Arn>
    <UserId>AIDA${randomBytes(8).toString("hex").toUpperCase()}</UserId>
    <Account>${caller.accountId}</Account>
`,
        );
      case "AssumeRole": {
        const roleArn = required(params, "RoleArn");
        const sessionName = required(params, "RoleSessionName");
        const trusted = roles.get(roleArn);
        if (trusted === undefined || !trusted.includes(caller.accountId)) {
          throw new QueryError(
            "AccessDenied",
            `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
            403,
          );
        }
        const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
        const sessionToken = randomBytes(48).toString("base64");
        const assumedArn = `${roleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/${sessionName}`;
        const accountId = roleArn.split(":")[4] ?? "";
        identities.set(accessKeyId, { accountId, arn: assumedArn, sessionToken });
        const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
        return responseXml(
          STS_NS,
          action,
          `    <AssumedRoleUser>
      <Arn>${xmlEscape(assumedArn)}</Arn>
      <AssumedRoleId>AROA${randomBytes(8).toString("hex").toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${accessKeyId}</AccessKeyId>
      <SecretAccessKey>${randomBytes(30).toString("base64")}</SecretAccessKey>
      <SessionToken>${xmlEscape(sessionToken)}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
`,
        );
      }
      default:
        throw new QueryError(
          "InvalidAction",
          `Could not find operation ${action} for version 2011-06-15`,
          400,
        );
    }
  };

  const handle = (req: http.IncomingMessage, call: Call): string => {
    if (
      req.method !== "POST" ||
      req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded") !== true
    ) {
      throw new QueryError("InvalidRequest", "a form-encoded POST is expected", 400);
    }
    const identity = identities.get(call.accessKeyId);
    const token = req.headers["x-amz-security-token"];
    if (
      identity === undefined ||
      (identity.sessionToken !== undefined && token !== identity.sessionToken)
    ) {
      throw new QueryError(
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        403,
      );
    }
    const fault = faults.findIndex((f) => f.action === call.action);
    if (fault >= 0) {
      const [f] = faults.splice(fault, 1);
      if (f) throw new QueryError(f.code, f.message ?? `injected ${f.code}`, f.status);
    }
    if (call.service === "iam") return iam(identity, call.action, call.params);
    if (call.service === "sts") return sts(identity, call.action, call.params);
    throw new QueryError("InvalidAction", `no service ${call.service} at this endpoint`, 400);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      // Credential=<access key>/<date>/<region>/<service>/aws4_request
      const scope = /Credential=([^/,\s]+)\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(
        req.headers.authorization ?? "",
      );
      const call: Call = {
        service: scope?.[2] ?? "",
        action: params.get("Action") ?? "",
        accessKeyId: scope?.[1] ?? "",
        params,
        status: 200,
      };
      calls.push(call);
      const ns = call.service === "sts" ? STS_NS : IAM_NS;
      let status = 200;
      let xml: string;
      try {
        state.before?.(call);
        xml = handle(req, call);
      } catch (error) {
        const e =
          error instanceof QueryError
            ? error
            : new QueryError("ServiceFailure", String(error), 500);
        status = e.status;
        call.code = e.code;
        xml = errorXml(ns, e.code, e.message, e.status);
      }
      call.status = status;
      res.writeHead(status, {
        "content-type": "text/xml",
        "content-length": Buffer.byteLength(xml),
      });
      res.end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const state: IamStandIn = {
    endpoint: `http://127.0.0.1:${port}`,
    identities,
    roles,
    providers,
    calls,
    faults,
    before: undefined,
    callsOf: (action) => calls.filter((c) => c.action === action),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return state;
}
