"use strict";
/**
 * Preloaded with -r into a helper child (plain JavaScript: the children run the built helper,
 * without ts-node): at exit, writes the paths of every CommonJS module the process loaded.
 */
const fs = require("node:fs");

const target = process.env.RECORD_MODULES_TO;
if (target) {
  process.on("exit", () => {
    fs.writeFileSync(target, JSON.stringify(Object.keys(require.cache)));
  });
}
