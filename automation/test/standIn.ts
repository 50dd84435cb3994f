/**
 * The stand-in Pulumi CLI (fixtures/fake-pulumi.js) as the driver's tests use it: a temp dir whose
 * bin/ holds a `pulumi` that runs it, its call log and event log, waits on those events, and a
 * cleanup that stops every stand-in it started and removes the dir.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface StandInCall {
  args: string[];
  cwd: string;
  backendUrl: string | null;
  pid: number;
}

export interface StandInEvent {
  pid: number;
  event: "hanging" | "sigint";
  command: string;
}

export interface Step {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  hang?: boolean;
  ignoreSigint?: boolean;
  cancelWhenExists?: string;
  killSelf?: NodeJS.Signals;
}

const fixture = path.join(__dirname, "fixtures", "fake-pulumi.js");

function readLines<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** The command words of a call: the arguments before the first flag, at most two. */
export function commandOf(call: StandInCall): string {
  const firstFlag = call.args.findIndex((a) => a.startsWith("-"));
  return (firstFlag === -1 ? call.args : call.args.slice(0, firstFlag)).slice(0, 2).join(" ");
}

/**
 * Resolves once `check` returns a value. It polls without a deadline of its own: a loaded
 * machine only makes the event later, and the test's mocha timeout bounds the wait.
 */
export async function until<T>(check: () => T | undefined): Promise<T> {
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export class StandIn {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-standin-"));
  readonly bin = path.join(this.dir, "bin");
  readonly logFile = path.join(this.dir, "calls.jsonl");
  readonly eventsFile = path.join(this.dir, "events.jsonl");

  constructor() {
    fs.mkdirSync(this.bin);
    fs.writeFileSync(
      path.join(this.bin, "pulumi"),
      `#!/bin/sh\nexec "${process.execPath}" "${fixture}" "$@"\n`,
      { mode: 0o755 },
    );
  }

  /** The variables that point the stand-in at this dir and give it its scenario. */
  env(scenario: Record<string, Step>): Record<string, string> {
    return {
      FAKE_PULUMI_LOG: this.logFile,
      FAKE_PULUMI_EVENTS: this.eventsFile,
      FAKE_PULUMI_SCENARIO: JSON.stringify(scenario),
    };
  }

  calls(): StandInCall[] {
    return readLines<StandInCall>(this.logFile);
  }

  events(): StandInEvent[] {
    return readLines<StandInEvent>(this.eventsFile);
  }

  /** Waits until a stand-in running `command` has logged `event`; returns that stand-in's pid. */
  waitForEvent(event: StandInEvent["event"], command: string): Promise<number> {
    return until(() => this.events().find((e) => e.event === event && e.command === command)?.pid);
  }

  /**
   * Stops every stand-in this dir started that still runs (a test that failed may leave one
   * hanging); a pid is only signalled while it still runs the fixture, never a reused one.
   */
  cleanup(): void {
    for (const { pid } of this.calls()) {
      let cmdline = "";
      try {
        cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue; // gone (or no /proc: the stand-in ends with its parent anyway)
      }
      try {
        if (cmdline.includes(fixture)) process.kill(pid, "SIGKILL");
      } catch {
        // ended meanwhile
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Whether `pid` still runs. A killed child stays a zombie until it is reaped (by init once its
 * parent, the driver, has exited, which a loaded machine may do late): that counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces, so read after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return !fs.existsSync("/proc/self"); // no /proc: kill(pid, 0) is all there is
  }
}
