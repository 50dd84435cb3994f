/**
 * The program's errors keep only its own stack frames.
 *
 * Pulumi's runner formats every error that ends a program with `util.inspect(err, { colors: true })`
 * (@pulumi/pulumi cmd/run/error.js `defaultErrorMessage`, for its tracing span), even a RunError
 * whose stack it never prints. Under the runner's source maps the SDK's own frames read like
 * `(/…/node_modules/@pulumi/resource.ts:1687:22)`, and on such a line Node's inspect (22.23, 20.20)
 * grows a string until "Invalid string length": about 20 s of CPU after the message is printed,
 * before the program can exit. Without those frames the error formats at once, and the frames that
 * remain are the ones that point at this program's TypeScript lines.
 */
export function withOwnFrames<E extends Error>(err: E): E {
  if (err.stack !== undefined) {
    err.stack = err.stack
      .split("\n")
      .filter((line) => !/^\s+at .*[\\/]node_modules[\\/]/.test(line))
      .join("\n");
  }
  return err;
}
