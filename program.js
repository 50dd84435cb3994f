// @ts-check
/**
 * Pulumi.yaml's main: the program as `npm run build` compiles it into dist/ (scripts/build.ts).
 * Pulumi runs no build step, and its runner answers a missing main with a bare ENOENT, so this
 * file, which is always there, names the fix; and it refuses a build of other sources than the
 * checkout's, which would deploy code nobody is looking at (lib/buildFreshness.ts).
 */
const fs = require("node:fs");
const path = require("node:path");
const { RunError } = require("@pulumi/pulumi");

const dist = path.join(__dirname, "dist");
const fix = "run `npm run build` (`npm run deploy` builds by itself)";
const freshness = path.join(dist, "lib", "buildFreshness.js");
if (!fs.existsSync(path.join(dist, "index.js")) || !fs.existsSync(freshness)) {
  throw new RunError(`${dist} holds no build of the program: ${fix}`);
}
/** @type {typeof import("./lib/buildFreshness")} */
const { staleBuildMessage } = require(freshness);
const stale = staleBuildMessage(dist);
if (stale !== undefined) throw new RunError(`${stale}: ${fix}`);

module.exports = require(path.join(dist, "index.js"));
