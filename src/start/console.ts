/**
 * `-t`: stage 3 opens the pty inside the container's own devpts (so `tty` there says
 * /dev/pts/0, as under runc), makes the slave its stdin, stdout and stderr, and hands the
 * master to the daemon: it reports the master's descriptor number, the daemon copies it out
 * with pidfd_getfd, and answers on the ack descriptor. Only then is the master closed here.
 */
import { closeSync, openSync, readSync, constants } from "node:fs";
import * as sys from "../../ffi/sys.ts";
import { ACK_FD } from "./spec.ts";
import { report } from "./sync.ts";

export function handOverTerminal(): void {
  const master = openSync("/dev/pts/ptmx", constants.O_RDWR | constants.O_NOCTTY);
  const slave = openSync(`/dev/pts/${sys.unlockPty(master)}`, constants.O_RDWR | constants.O_NOCTTY);
  for (const fd of [0, 1, 2]) sys.dup2(slave, fd);
  closeSync(slave);
  report({ type: "console", fd: master });
  if (readSync(ACK_FD, Buffer.alloc(1)) !== 1) throw new Error("the daemon did not take the terminal");
  closeSync(master);
}
