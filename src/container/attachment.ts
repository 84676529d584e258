/**
 * One attached client: it receives the container's output and may send its input. The docker
 * CLI attaches before it starts the container, and sends piped stdin right away, so an
 * attachment can exist before the container's stdio does: input is buffered until `connect`.
 */
import type { ContainerStdio, OutputListener } from "./stdio.ts";

export class Attachment {
  #stdio: ContainerStdio | undefined;
  #unsubscribe = () => {};
  #pendingInput: Uint8Array[] = [];
  #inputEnded = false;
  #settle!: () => void;
  /** Settles when the output ends (the container exited, its start failed, it was removed) or on detach. */
  readonly done = new Promise<void>((resolve) => (this.#settle = resolve));

  constructor(
    private readonly listener: OutputListener,
    /** Close the container's stdin when this client's input ends (Docker's StdinOnce). */
    private readonly stdinOnce: boolean,
    private readonly onDetach: (attachment: Attachment) => void,
  ) {}

  connect(stdio: ContainerStdio): void {
    this.#stdio = stdio;
    this.#unsubscribe = stdio.subscribe(this.listener);
    for (const chunk of this.#pendingInput.splice(0)) stdio.write(chunk);
    if (this.#inputEnded && this.stdinOnce) stdio.closeStdin();
    stdio.closed.then(() => this.end());
  }

  write(chunk: Uint8Array): void {
    if (this.#stdio) this.#stdio.write(chunk);
    else this.#pendingInput.push(chunk);
  }

  endInput(): void {
    this.#inputEnded = true;
    if (this.stdinOnce) this.#stdio?.closeStdin();
  }

  /** The client leaves; the container keeps running. */
  detach(): void {
    this.onDetach(this);
    this.end();
  }

  end(): void {
    this.#unsubscribe();
    this.#settle();
  }
}
