/**
 * One tenant, one federation app, identities and roles, served by the two loopback servers.
 *
 * MSAL keeps the managed identity source (endpoint, header) and its token cache in static fields,
 * so one process can only ever talk to one managed identity endpoint: the fixture is a singleton
 * for the whole process (a serial mocha run, or a parallel worker running several files), released
 * by a root-level after() hook so the process can still exit. Each test uses fresh identities
 * (unique client ids), so MSAL's token cache never carries over between tests.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateTestKey, type TestKey } from "./jwt";
import { safeEnv } from "./loopback";
import { startMiServer, type MiServer } from "./miServer";
import { startStsServer, type StsServer } from "./stsServer";

export interface Fixture {
  key: TestKey;
  tenantId: string;
  audience: string;
  mi: MiServer;
  sts: StsServer;
  clock: { now: number };
  /** A fresh identity (unique client id, so MSAL's process-wide token cache starts empty) trusted by a fresh role. */
  newIdentity(options?: { trusted?: boolean; roles?: string[] }): {
    clientId: string;
    principalId: string;
    roleArn: string;
  };
  close(): Promise<void>;
}

let sharedKey: TestKey | undefined;

export async function startFixture(
  options: { stsNow?: () => number; credentialLifetimeSeconds?: number } = {},
): Promise<Fixture> {
  sharedKey ??= generateTestKey();
  const key = sharedKey;
  const tenantId = randomUUID();
  const appId = randomUUID();
  const audience = `api://${appId}`;
  const clock = { now: Date.now() };
  const mi = await startMiServer({ key, tenantId, identities: new Map() });
  const sts = await startStsServer({
    providers: new Map([[`https://sts.windows.net/${tenantId}/`, [audience]]]),
    roles: new Map(),
    jwks: { keys: [key.jwk] },
    ...(options.stsNow ? { now: options.stsNow } : {}),
    ...(options.credentialLifetimeSeconds
      ? { credentialLifetimeSeconds: options.credentialLifetimeSeconds }
      : {}),
  });
  let n = 0;
  return {
    key,
    tenantId,
    audience,
    mi,
    sts,
    clock,
    newIdentity({ trusted = true, roles } = {}) {
      n += 1;
      const clientId = randomUUID();
      const principalId = randomUUID();
      mi.options.identities.set(clientId, { principalId, ...(roles ? { roles } : {}) });
      const roleArn = `arn:aws:iam::123456789012:role/test-role-${n}`;
      sts.options.roles.set(roleArn, {
        audience,
        subjects: trusted ? [principalId] : [randomUUID()],
      });
      return { clientId, principalId, roleArn };
    },
    async close() {
      await Promise.all([mi.close(), sts.close()]);
    },
  };
}

/** Sets IDENTITY_ENDPOINT/IDENTITY_HEADER for @azure/identity; returns a restore function. */
export function useMiEnv(mi: MiServer): () => void {
  const saved = { e: process.env.IDENTITY_ENDPOINT, h: process.env.IDENTITY_HEADER };
  process.env.IDENTITY_ENDPOINT = mi.endpoint;
  process.env.IDENTITY_HEADER = mi.secret;
  return () => {
    if (saved.e === undefined) delete process.env.IDENTITY_ENDPOINT;
    else process.env.IDENTITY_ENDPOINT = saved.e;
    if (saved.h === undefined) delete process.env.IDENTITY_HEADER;
    else process.env.IDENTITY_HEADER = saved.h;
  };
}

let shared: Promise<Fixture> | undefined;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS, also preloaded into children
const metadataGuard = require("./noMetadataAddress.js") as { attempts: string[] };

/**
 * The run-wide fixture; its STS clock is `clock.now` (reset it in beforeEach). It also keeps this
 * process off the metadata addresses (loopback.ts) and, at the end, fails the run if anything
 * tried to reach one (noMetadataAddress.js).
 */
export function sharedFixture(): Promise<Fixture> {
  if (!shared) {
    const clock = { now: Date.now() };
    shared = safeEnv()
      .then((env) => Object.assign(process.env, env))
      .then(() => startFixture({ stsNow: () => clock.now }))
      .then((f) => {
        f.clock = clock;
        useMiEnv(f.mi);
        return f;
      });
    // Registered while a hook runs, once per process by the first file that asks, this lands on
    // the root suite: it runs at the end of a serial run, or of that first file in a parallel
    // worker, whose later files find the servers still listening; released servers no longer
    // hold the process open.
    after(async () => {
      const f = await shared;
      f?.mi.release();
      f?.sts.release();
      if (metadataGuard.attempts.length > 0) throw new Error(metadataGuard.attempts.join("\n"));
    });
  }
  return shared;
}

/** Resets faults and the clock between tests. */
export function resetFixture(f: Fixture): void {
  f.sts.faults.length = 0;
  f.sts.stickyFault = undefined;
  f.sts.options.credentialLifetimeSeconds = undefined;
  f.mi.options.version = undefined;
  f.mi.failNext = 0;
  f.clock.now = Date.now();
}

/**
 * Mocha hooks for a suite on the run-wide fixture: reset before each test, with a new temporary
 * directory (named `<prefix>…`) that is removed after it. Read `f` and `tmp` inside tests.
 */
export function fixtureWithTempDir(prefix: string): { readonly f: Fixture; readonly tmp: string } {
  const suite = {} as { f: Fixture; tmp: string };
  before(async () => {
    suite.f = await sharedFixture();
  });
  beforeEach(() => {
    resetFixture(suite.f);
    suite.tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => fs.rmSync(suite.tmp, { recursive: true, force: true }));
  return suite;
}
