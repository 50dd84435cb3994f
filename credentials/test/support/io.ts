import type { Io } from "../../src/cli";

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
