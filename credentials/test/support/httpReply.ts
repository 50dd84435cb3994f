import type * as http from "node:http";

/** Answers with a JSON body, as Entra's endpoints do (they differ only in the content type). */
export function replyJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/json",
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}
