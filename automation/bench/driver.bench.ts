/**
 * `npm run bench:driver [-- <runs>]`: how long the driver takes to start for `--help` and for a
 * usage error, as ratios to a bare `node -e 0` start measured in the same run (median of <runs>,
 * default 21, the variants interleaved so a load change hits all of them alike). Figures, not a
 * test: issue 9's target is <= 3x from built JS.
 *
 * It builds the driver once, as `npm run build` does (scripts/build.ts), into a git-ignored folder
 * inside the repository (node_modules/.cache, so the built files resolve the repository's
 * packages), and also times what `npm run deploy` adds before the built driver starts: the check
 * that dist/ is the build of the sources (`build --if-stale`, dist/ built first, so it is).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build, CACHE_DIR, DIST } from "../../scripts/build";

const repoRoot = path.resolve(__dirname, "..", "..");
const runs = Number(process.argv[2] ?? 21);
if (!Number.isInteger(runs) || runs < 1) {
  throw new Error(`runs must be a positive integer, not '${process.argv[2]}'`);
}

function timed(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw result.error;
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const outDir = path.join(CACHE_DIR, `bench-${process.pid}`);
try {
  const started = performance.now();
  build({ project: "tsconfig.build.json", outDir });
  const buildMs = performance.now() - started;
  build({ project: "tsconfig.build.json", outDir: DIST });
  const cli = path.join(outDir, "automation", "cli.js");
  if (!fs.existsSync(cli)) throw new Error(`the build did not produce ${cli}`);

  const variants: Array<[string, string[]]> = [
    ["bare node (node -e 0)", ["-e", "0"]],
    ["built: --help", [cli, "--help"]],
    ["built: usage error", [cli, "deploy-everything", "--stack", "dev"]],
    [
      "npm run deploy's check that dist/ is current",
      ["-r", "ts-node/register", "scripts/build.ts", "--if-stale"],
    ],
    [
      "load the Automation API (what --help no longer pays)",
      ["-e", "require('@pulumi/pulumi/automation')"],
    ],
  ];
  const samples = variants.map(() => [] as number[]);
  timed([cli, "--help"]); // warm the file cache once
  for (let i = 0; i < runs; i++) {
    variants.forEach(([, args], v) => samples[v]?.push(timed(args)));
  }
  const medians = samples.map(median);
  const floor = medians[0] as number;

  console.log(
    `driver start, median of ${runs} runs (Node ${process.version}, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")})`,
  );
  console.log(`  build (scripts/build.ts, once): ${buildMs.toFixed(0)} ms`);
  variants.forEach(([name], v) => {
    const ms = medians[v] as number;
    console.log(
      `  ${name.padEnd(54)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / floor).toFixed(2)}x`,
    );
  });
} finally {
  fs.rmSync(outDir, { recursive: true, force: true });
}
