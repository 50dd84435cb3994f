/**
 * Loaded first by mocha (.mocharc.json): on a Node older than package.json's engines, stop with one
 * line instead of a dozen confusing failures (the AWS SDK warns on stderr under old Node, which
 * breaks the exact-stderr assertions).
 */
import { engines } from "../../package.json";

const required = Number(/\d+/.exec(engines.node)?.[0]);
const major = Number(process.versions.node.split(".")[0]);
if (major < required) {
  process.stderr.write(
    `entra-aws-federation needs Node ${required} or newer (package.json engines "${engines.node}"), this is Node ${process.version}: ` +
      `install Node ${required} (nvm install ${required}, or see the README's Prerequisites) and run the tests again.\n`,
  );
  process.exit(1);
}
