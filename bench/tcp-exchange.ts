/** The benches' TCP client: one connection that sends a load or a request and times the peer's close. */

/**
 * One TCP exchange with hostname:port: sends `bytes` bytes (0: none), half-closes, and resolves
 * with what came back once the peer closed, and the milliseconds from connect to that close.
 */
export function exchange(hostname: string, port: number, bytes: number, request?: string, timeoutMs = 120_000): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const chunk = new Uint8Array(1 << 20).fill(0x61);
    const started = performance.now();
    let sent = 0;
    let pending: Uint8Array | undefined;
    let reply = "";
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      err ? reject(err) : resolve({ reply, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish(new Error(`no close from ${hostname}:${port} within ${timeoutMs} ms`)), timeoutMs);
    const pump = (socket: Bun.Socket) => {
      while (sent < bytes) {
        const data = pending ?? chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        const written = socket.write(data);
        if (written > 0) sent += written;
        pending = written < data.length ? data.subarray(Math.max(written, 0)) : undefined;
        if (pending) return; // wait for drain
      }
      socket.shutdown();
    };
    Bun.connect({
      hostname,
      port,
      socket: {
        open(socket) {
          if (request !== undefined) {
            socket.write(request);
            socket.flush();
            return;
          }
          pump(socket);
        },
        drain(socket) {
          if (request === undefined) pump(socket);
        },
        data(_socket, data) {
          reply += data.toString();
        },
        end(socket) {
          socket.end();
        },
        close() {
          finish();
        },
        error(_socket, err) {
          finish(err);
        },
        connectError(_socket, err) {
          finish(err);
        },
      },
    }).catch((err) => finish(err));
  });
}

