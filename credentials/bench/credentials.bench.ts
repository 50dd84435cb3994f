/**
 * Benchmark (npm run bench:credentials), against the loopback managed identity and STS servers:
 * (a) the seed's pattern (a new Entra token and a new STS call per use) vs fromEntraIdentity, for
 *     10,000 credential requests from 100 concurrent callers;
 * (b) credential_process wall time: cold (no cache) vs warm (cache hit) vs a bare `node -e 0`,
 *     running the built JavaScript (no ts-node) like an installed package.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromEntraIdentity } from "../src/provider";
import { startFixture, useMiEnv } from "../test/support/fixture";
import { safeEnv } from "../test/support/loopback";

const REQUESTS = 10_000;
const CONCURRENCY = 100;
const ROOT = path.resolve(__dirname, "../..");
const OUT_DIR = path.join(ROOT, "credentials/node_modules/.cache/entra-aws-credentials-bench");

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const ms = (n: number): string => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

async function drive(fn: () => Promise<unknown>): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next += 1;
        const t0 = performance.now();
        await fn();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { latencies, wallMs: performance.now() - start };
}

/** The seed's get_token() on a fresh credential: one request to the managed identity endpoint. */
function fetchTokenLikeTheSeed(
  endpoint: string,
  secret: string,
  resource: string,
  clientId: string,
): Promise<string> {
  const url = `${endpoint}?api-version=2019-08-01&resource=${encodeURIComponent(resource)}&client_id=${clientId}`;
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { "X-IDENTITY-HEADER": secret }, agent: false }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve((JSON.parse(body) as { access_token: string }).access_token));
      })
      .on("error", reject);
  });
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; stdout: string; code: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { env, cwd: ROOT }, (error, stdout) => {
      resolve({ ms: performance.now() - t0, stdout, code: error ? 1 : 0 });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const f = await startFixture();
  useMiEnv(f.mi);
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    console.log(line);
  };
  try {
    log(
      `# entra-aws-credentials benchmark (node ${process.version}, ${os.cpus().length} cores, ${os.platform()})`,
    );
    log("");
    log(
      `## (a) ${REQUESTS.toLocaleString("en")} credential requests from ${CONCURRENCY} concurrent callers`,
    );
    log("");
    log("| pattern | token requests | STS calls | p50 | p99 | wall |");
    log("|---|---:|---:|---:|---:|---:|");

    // Seed pattern: per use, a new token and a new STS client + AssumeRoleWithWebIdentity.
    const seedId = f.newIdentity();
    const mi0 = f.mi.requests;
    const sts0 = f.sts.calls.length;
    const seed = await drive(async () => {
      const token = await fetchTokenLikeTheSeed(
        f.mi.endpoint,
        f.mi.secret,
        f.audience,
        seedId.clientId,
      );
      const sts = new STSClient({ region: "us-east-1", endpoint: f.sts.endpoint, maxAttempts: 1 });
      try {
        const out = await sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: seedId.roleArn,
            RoleSessionName: "CoolSession",
            WebIdentityToken: token,
          }),
        );
        if (!out.Credentials?.AccessKeyId) throw new Error("no credentials");
      } finally {
        sts.destroy();
      }
    });
    const seedTokens = f.mi.requests - mi0;
    const seedSts = f.sts.calls.length - sts0;
    log(
      `| seed snippet (new token + STS call per use) | ${seedTokens} | ${seedSts} | ${ms(percentile(seed.latencies, 50))} | ${ms(percentile(seed.latencies, 99))} | ${ms(seed.wallMs)} |`,
    );

    // The library: one provider shared by all callers.
    const libId = f.newIdentity();
    const provider = fromEntraIdentity({
      roleArn: libId.roleArn,
      audience: f.audience,
      clientId: libId.clientId,
      stsEndpoint: f.sts.endpoint,
      region: "us-east-1",
      env: {},
    });
    const mi1 = f.mi.requests;
    const sts1 = f.sts.calls.length;
    const lib = await drive(() => provider());
    const libTokens = f.mi.requests - mi1;
    const libSts = f.sts.calls.length - sts1;
    log(
      `| fromEntraIdentity (cached, single-flight) | ${libTokens} | ${libSts} | ${ms(percentile(lib.latencies, 50))} | ${ms(percentile(lib.latencies, 99))} | ${ms(lib.wallMs)} |`,
    );
    if (libTokens !== 1 || libSts !== 1)
      throw new Error(
        `the library made ${libTokens} token requests and ${libSts} STS calls; expected 1 and 1`,
      );

    // (b) credential_process, built JavaScript.
    fs.rmSync(OUT_DIR, { recursive: true, force: true });
    execFileSync(
      process.execPath,
      [
        require.resolve("typescript/bin/tsc"),
        "-p",
        "credentials/tsconfig.build.json",
        "--outDir",
        OUT_DIR,
        "--declaration",
        "false",
      ],
      { cwd: ROOT, stdio: "inherit" },
    );
    const bin = path.join(OUT_DIR, "bin/entra-aws-credentials.js");
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-aws-bench-"));
    const pId = f.newIdentity();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...(await safeEnv()), // IMDS on a closed loopback port, no EC2 metadata
      HOME: cacheDir,
      IDENTITY_ENDPOINT: f.mi.endpoint,
      IDENTITY_HEADER: f.mi.secret,
      AZURE_CLIENT_ID: pId.clientId,
      AWS_ROLE_ARN: pId.roleArn,
      ENTRA_AWS_AUDIENCE: f.audience,
      AWS_ENDPOINT_URL_STS: f.sts.endpoint,
      AWS_REGION: "us-east-1",
      ENTRA_AWS_CACHE_DIR: path.join(cacheDir, "cache"),
    };
    const RUNS = 9;
    const bare: number[] = [];
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) bare.push((await run(process.execPath, ["-e", "0"], env)).ms);
    for (let i = 0; i < RUNS; i++) {
      fs.rmSync(path.join(cacheDir, "cache"), { recursive: true, force: true });
      const r = await run(process.execPath, [bin, "process"], env);
      if (r.code !== 0) throw new Error("cold credential_process failed");
      cold.push(r.ms);
    }
    const stsBeforeWarm = f.sts.calls.length;
    const miBeforeWarm = f.mi.requests;
    for (let i = 0; i < RUNS; i++) {
      const r = await run(process.execPath, [bin, "process"], env);
      if (r.code !== 0) throw new Error("warm credential_process failed");
      warm.push(r.ms);
    }
    const warmNetwork = f.sts.calls.length - stsBeforeWarm + (f.mi.requests - miBeforeWarm);
    fs.rmSync(cacheDir, { recursive: true, force: true });
    log("");
    log(`## (b) credential_process wall time (built JS, median of ${RUNS} runs)`);
    log("");
    log("| run | median | min | max |");
    log("|---|---:|---:|---:|");
    for (const [name, xs] of [
      ["`node -e 0` (bare Node start)", bare],
      ["`process`, cold (no cache: Entra + STS)", cold],
      ["`process`, warm (cache hit)", warm],
    ] as const) {
      log(`| ${name} | ${ms(median(xs))} | ${ms(Math.min(...xs))} | ${ms(Math.max(...xs))} |`);
    }
    log("");
    log(
      `Warm runs made ${warmNetwork} network calls; a cache hit costs ${ms(median(warm) - median(bare))} over a bare Node start.`,
    );
    if (warmNetwork !== 0) throw new Error("a warm credential_process called the network");
  } finally {
    await f.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
