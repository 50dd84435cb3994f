import { main, type Io } from "../../src/cli";
import type { RunResult } from "./cli";

export function captureIo(
  env: NodeJS.ProcessEnv = {},
  stdin = "",
): Io & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
    readStdin: () => stdin,
    env,
    now: Date.now,
  };
  return io;
}

/** Runs the command in this process, with `env` as its environment (MSAL still reads process.env). */
export async function runMain(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  const io = captureIo(env);
  const code = await main(args, io);
  return { code, stdout: io.out, stderr: io.err };
}
