/**
 * A terminal for interactive tests: a tmux session on a private server socket, typed into with
 * send-keys and read with capture-pane, as a person at a terminal would see it.
 */
import { run } from "./harness.ts";

export class TmuxSession {
  readonly #server = `bunker-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  async start(width: number, height: number, env: Record<string, string>): Promise<void> {
    const exports = Object.entries(env).map(([k, v]) => `export ${k}='${v}';`).join(" ");
    await this.#tmux("new-session", "-d", "-s", "t", "-x", String(width), "-y", String(height), `env -i PATH="$PATH" TERM=xterm bash --norc --noprofile`);
    await this.type(`${exports} export PS1='host$ '; clear`);
    await this.waitFor(/^host\$\s*$/m);
  }

  /** Types a line and presses Enter. */
  async type(line: string): Promise<void> {
    await this.#tmux("send-keys", "-t", "t", "-l", line);
    await this.#tmux("send-keys", "-t", "t", "Enter");
  }

  /** Sends tmux key names (e.g. "C-p", "C-q"). */
  async keys(...names: string[]): Promise<void> {
    await this.#tmux("send-keys", "-t", "t", ...names);
  }

  async resize(width: number, height: number): Promise<void> {
    await this.#tmux("resize-window", "-t", "t", "-x", String(width), "-y", String(height));
  }

  async screen(): Promise<string> {
    return (await this.#tmux("capture-pane", "-t", "t", "-p")).stdout;
  }

  /** Waits until the screen matches, and returns it. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    while (Date.now() < deadline) {
      screen = await this.screen();
      if (pattern.test(screen)) return screen;
      await Bun.sleep(50);
    }
    throw new Error(`screen never matched ${pattern}:\n${screen}`);
  }

  async stop(): Promise<void> {
    await this.#tmux("kill-server");
  }

  #tmux(...args: string[]) {
    return run(["tmux", "-L", this.#server, ...args]);
  }
}
