"use strict";
/**
 * Test-wide guard: no test may reach the instance metadata address. Preloaded with -r into every
 * helper child and loaded by the in-process tests, it makes a connection attempt to
 * 169.254.169.254 (or AWS's IPv6 fd00:ec2::254) throw, says so on stderr (which every child test
 * asserts), and records it in `attempts` for the in-process run to check at its end.
 */
const fs = require("node:fs");
const net = require("node:net");

const METADATA = new Set(["169.254.169.254", "fd00:ec2::254"]);
const attempts = [];
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function guardedConnect(...args) {
  // net.connect passes [options, callback] as one array; sockets may also get (options) or
  // (port, host).
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const host = typeof first === "object" && first !== null ? first.host : args[1];
  if (typeof host === "string" && METADATA.has(host.replace(/^\[(.*)\]$/, "$1"))) {
    const message = `test guard: a connection to the instance metadata address ${host} was attempted`;
    attempts.push(message);
    fs.writeSync(2, `${message}\n`);
    throw new Error(message);
  }
  return connect.apply(this, args);
};

module.exports = { attempts };
