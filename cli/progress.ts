/**
 * Draws a pull's or push's JSON message stream as the docker CLI does (moby's jsonmessage):
 * on a terminal each layer has its own line, redrawn in place with its progress bar; off a
 * terminal the bars are left out and every other status is a plain line. The stream's error
 * message becomes the command's failure.
 */
import { jsonMessages, type JsonMessage } from "./client.ts";
import { progressBar } from "../src/util/human.ts";

const ESC = "\x1b[";

/** A failure the daemon reported inside a 200 stream; `code` 401 gets docker's "authentication is required". */
export class StreamError extends Error {
  override name = "StreamError";
}

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Shows every message and returns the `aux` payloads (push's digests). */
export async function displayProgress(response: Response, out: Output, isTerminal = out.isTTY === true): Promise<Record<string, unknown>[]> {
  const lines = new Map<string, number>();
  const aux: Record<string, unknown>[] = [];
  for await (const message of jsonMessages(response)) {
    if (message.error !== undefined || message.errorDetail !== undefined) {
      const text = message.errorDetail?.message ?? message.error ?? "unknown error";
      throw new StreamError(message.errorDetail?.code === 401 && !text ? "authentication is required" : text);
    }
    if ((message as { aux?: Record<string, unknown> }).aux) {
      aux.push((message as { aux: Record<string, unknown> }).aux);
      continue;
    }
    const hasProgress = message.progressDetail !== undefined;
    let up = 0;
    if (message.id !== undefined && hasProgress) {
      let line = lines.get(message.id);
      if (line === undefined) {
        line = lines.size;
        lines.set(message.id, line);
        if (isTerminal) out.write("\n");
      }
      up = lines.size - line;
      if (isTerminal) out.write(`${ESC}${up}A`);
    } else {
      // Anything else ends the block of per-layer lines; the next layer line starts a new one.
      lines.clear();
    }
    out.write(render(message, isTerminal));
    if (message.id !== undefined && isTerminal && up > 0) out.write(`${ESC}${up}B`);
  }
  return aux;
}

function render(message: JsonMessage, isTerminal: boolean): string {
  const detail = message.progressDetail;
  const bar = detail && detail.current ? progressBar(detail.current, detail.total) : "";
  const prefix = message.id !== undefined ? `${message.id}: ` : "";
  if (isTerminal && message.stream === undefined && detail !== undefined) return `${ESC}2K\r${prefix}${message.status ?? ""} ${bar}\r`;
  // Off a terminal a bar is noise: the line it would redraw is left out.
  if (bar !== "") return "";
  if (message.stream !== undefined) return message.stream;
  return `${prefix}${message.status ?? ""}\n`;
}
