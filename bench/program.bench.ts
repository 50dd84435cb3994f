/**
 * `npm run bench:program`: how long Pulumi's Node.js runtime takes to evaluate the program, as a
 * ratio to the floor of importing the four provider SDKs, measured in the same run.
 *
 * It builds dist/ first, as `npm run build` does. Each run is a fresh `node` started as the
 * language host starts it for Pulumi.yaml (runtime.ts), with the SDK's mocks as the engine
 * (mockEngine.ts). After the smallest and the largest stack, "SDK alone" is what the SDK itself
 * takes to register as many resources (bareResources.ts): no program of that size goes below it.
 * Wall time is what `pulumi up` waits for; CPU time (the process's user + system) moves less when
 * other work shares the machine. Figures only, no pass/fail: they depend on the machine, so the
 * load is printed with them.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { build, CACHE_DIR, DIST } from "../scripts/build";
import { hostEnv, programEnv, runnerCommand } from "./runtime";
import { devStack, scaledStack, type StackConfig } from "./stacks";

const ROOT = path.join(__dirname, "..");
const RUNS = 5;
const ROLES = 20;
const run = promisify(execFile);

/** Both the floor and the mock engine print this line as the process exits. */
const REPORT_CPU = `process.on("exit",()=>{const u=process.cpuUsage();process.stdout.write(JSON.stringify({cpuMs:(u.user+u.system)/1000})+"\\n")});`;
const FLOOR_ARGS = [
  "-e",
  REPORT_CPU +
    ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/azuread", "@pulumi/azure-native"]
      .map((p) => `require(${JSON.stringify(p)});`)
      .join(""),
];

interface Case {
  readonly title: string;
  /** Stack configuration of the program; none for the import floor and the reference. */
  readonly config?: StackConfig;
  /** bench/bareResources.ts with as many resources as the case before it registered. */
  readonly reference?: true;
}

const REFERENCE: Case = { title: "  SDK alone, as many resources", reference: true };
const CASES: Case[] = [
  { title: "import floor (4 SDKs)" },
  { title: "dev stack (Pulumi.dev.yaml)", config: devStack() },
  REFERENCE,
  ...[10, 50, 100, 200].map((n) => ({
    title: `${n} identities × ${ROLES} roles`,
    config: scaledStack(n, ROLES),
  })),
  REFERENCE,
];

interface Sample {
  wallMs: number;
  cpuMs: number;
  resources?: number;
}

/** Builds the mock engine once, so the measured process carries no TypeScript hook. */
function buildMockEngine(): string {
  const dir = path.join(CACHE_DIR, `bench-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  build({ project: "bench/tsconfig.json", outDir: dir });
  return dir;
}

async function sample(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, env, maxBuffer: 1 << 26 });
  const wallMs = performance.now() - started;
  const report = stdout.trim().split("\n").pop() ?? "";
  return { wallMs, ...(JSON.parse(report) as { cpuMs: number; resources?: number }) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

async function main(): Promise<void> {
  // What Pulumi.yaml's main runs: the build of the current sources, as `npm run build` makes it.
  build({ project: "tsconfig.build.json", outDir: DIST });
  const engine = buildMockEngine();
  try {
    const preload = path.join(engine, "bench", "mockEngine.js");
    const runner = runnerCommand(preload);
    const reference = runnerCommand(preload, path.join(engine, "bench", "bareResources.js"));
    console.log(`Node ${process.version}, ${os.availableParallelism()} cores, load ${loadavg()}`);
    console.log(`Runtime: ${runner.describe}`);
    console.log(`Median of ${RUNS} fresh processes per case, cases interleaved.\n`);
    const samples = CASES.map(() => [] as Sample[]);
    // Each round runs every case once, so a change in load falls on all cases alike.
    for (let round = 0; round < RUNS; round++) {
      for (const [i, c] of CASES.entries()) {
        if (c.config) {
          samples[i]!.push(await sample(runner.args, programEnv(runner, c.config)));
        } else if (c.reference) {
          const env = programEnv(reference, {});
          env.BENCH_RESOURCES = String(samples[i - 1]![round]!.resources);
          samples[i]!.push(await sample(reference.args, env));
        } else {
          samples[i]!.push(await sample(FLOOR_ARGS, hostEnv()));
        }
      }
    }
    const wall = samples.map((s) => median(s.map((x) => x.wallMs)));
    const cpu = samples.map((s) => median(s.map((x) => x.cpuMs)));
    const row = (...cells: string[]) =>
      console.log(
        cells[0]!.padEnd(32) +
          cells
            .slice(1)
            .map((c) => c.padStart(11))
            .join(""),
      );
    row("case", "resources", "wall", "× floor", "CPU", "× floor");
    for (const [i, c] of CASES.entries()) {
      row(
        c.title,
        String(samples[i]![0]!.resources ?? ""),
        `${Math.round(wall[i]!)} ms`,
        (wall[i]! / wall[0]!).toFixed(2),
        `${Math.round(cpu[i]!)} ms`,
        (cpu[i]! / cpu[0]!).toFixed(2),
      );
    }
    console.log(`\nLoad at the end: ${loadavg()}`);
  } finally {
    fs.rmSync(engine, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
