/**
 * What SIGINT/SIGTERM do to a running driver: the first cancels, a repeat inside a short window
 * is ignored, a later one stops the Pulumi CLI at once.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { ExitCode } from "./exitCodes";

/** Signals closer together than this are one interruption delivered twice (see below). */
export const REPEAT_SIGNAL_WINDOW_MS = 2000;

export interface CancellationDeps {
  stderr: (text: string) => void;
  /** Milliseconds (monotonic). */
  now: () => number;
  /** Stops the Pulumi CLI processes this driver started; resolves when they are gone. */
  stopChildren: () => Promise<void>;
  /** Ends the process (the real one: process.exit). */
  exit: (code: number) => void;
}

/**
 * SIGINT/SIGTERM handling. The first signal aborts the operation (the Automation API then sends
 * SIGINT to the Pulumi CLI, which stops gracefully). A signal within REPEAT_SIGNAL_WINDOW_MS of the
 * first is the same interruption delivered twice (a terminal Ctrl-C reaches npm and the driver,
 * and npm forwards it again) and is ignored. A later signal means "stop now": the Pulumi CLI child
 * is interrupted again (the CLI's own "terminate" request), killed if it does not exit, and only
 * then does the driver exit 8, so no `pulumi` process is left running without its parent.
 */
export function createCancellation(deps: CancellationDeps): {
  controller: AbortController;
  onSignal: (signal: NodeJS.Signals) => void;
} {
  const controller = new AbortController();
  const window = REPEAT_SIGNAL_WINDOW_MS;
  let firstAt = 0;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      firstAt = deps.now();
      deps.stderr(
        `deploy: received ${signal}: cancelling; the Pulumi CLI stops after the resource operations in flight (a second signal, more than ${window / 1000} s later, stops it at once)\n`,
      );
      controller.abort();
      return;
    }
    if (stopping) return;
    if (deps.now() - firstAt < window) {
      deps.stderr(
        `deploy: received ${signal} again within ${window / 1000} s (npm and the terminal both deliver it): still cancelling\n`,
      );
      return;
    }
    stopping = true;
    deps.stderr(
      `deploy: received ${signal} again: stopping the Pulumi CLI now and exiting. The stack may be left locked with pending operations: run \`refresh\` (and \`pulumi cancel\` if it stays locked)\n`,
    );
    deps
      .stopChildren()
      .catch(() => undefined)
      .finally(() => deps.exit(ExitCode.Cancelled));
  };
  return { controller, onSignal };
}

/** Direct child processes of `pid` (Linux: /proc; elsewhere: `ps`). Empty when unknown. */
export function childPids(pid: number): number[] {
  try {
    const tasks = fs.readdirSync(`/proc/${pid}/task`);
    const pids = tasks.flatMap((tid) =>
      fs
        .readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter((s) => s.length > 0)
        .map(Number),
    );
    return [...new Set(pids)];
  } catch {
    // Not Linux (or no /proc): ask ps.
  }
  try {
    const out = execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" });
    return out
      .split("\n")
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter(([child, parent]) => parent === pid && child !== undefined && child > 0)
      .map(([child]) => child as number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops this process's children (the Pulumi CLI): SIGINT first (for the CLI a second interrupt
 * means "terminate now", and it then stops its plugins itself), SIGKILL after `graceMs`.
 */
export async function stopChildProcesses(graceMs = 1500): Promise<void> {
  const pids = childPids(process.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGINT");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const pid of pids.filter(alive)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
