#!/usr/bin/env node
import { main } from "../src/cli";

void main(process.argv.slice(2)).then((code) => {
  // Exit once stdout is flushed: keep-alive sockets must not hold a credential_process open.
  process.stdout.write("", () => process.exit(code));
});
