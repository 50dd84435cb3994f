/** Preloaded with -r: at exit, writes the paths of every CommonJS module the process loaded. */
import * as fs from "node:fs";

const target = process.env.RECORD_MODULES_TO;
if (target) {
  process.on("exit", () => {
    fs.writeFileSync(target, JSON.stringify(Object.keys(require.cache)));
  });
}
