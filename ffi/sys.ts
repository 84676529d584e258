/**
 * Typed wrappers over the libc calls bunker needs. Each checks the return value and throws
 * `SyscallError` with errno, so callers never see a bare -1.
 */
import { closeSync } from "node:fs";
import { ptr, read } from "bun:ffi";
import { libc } from "./libc.ts";
import * as C from "./constants.ts";

export class SyscallError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly path?: string,
  ) {
    super(`${syscall}${path ? ` ${path}` : ""}: ${libc.strerror(errno)}`);
    this.name = "SyscallError";
  }
}

/** A NUL-terminated copy of `s` that libc can read. */
function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`);
}

function errno(): number {
  return read.i32(libc.__errno_location()!, 0);
}

function check(ret: number | bigint, syscall: string, path?: string): void {
  if (Number(ret) === -1) throw new SyscallError(syscall, errno(), path);
}

export function unshare(flags: number): void {
  check(libc.unshare(flags), "unshare");
}

export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null = null): void {
  const src = source === null ? null : cstr(source);
  const fs = fstype === null ? null : cstr(fstype);
  const opts = data === null ? null : cstr(data);
  check(libc.mount(src, cstr(target), fs, flags, opts), "mount", target);
}

export function umount2(target: string, flags: number): void {
  check(libc.umount2(cstr(target), flags), "umount2", target);
}

export function pivotRoot(newRoot: string, putOld: string): void {
  const a = cstr(newRoot);
  const b = cstr(putOld);
  check(libc.syscall(C.SYS_pivot_root, ptr(a), ptr(b), 0), "pivot_root", newRoot);
}

/**
 * A duplicate of descriptor `fd` of process `pid`, in this process (pidfd_getfd, Linux 5.6).
 * How the daemon takes the terminal master that stage 3 opened inside the container.
 */
export function takeDescriptor(pid: number, fd: number): number {
  const pidfd = Number(libc.syscall(C.SYS_pidfd_open, pid, 0, 0));
  check(pidfd, "pidfd_open");
  try {
    const copy = Number(libc.syscall(C.SYS_pidfd_getfd, pidfd, fd, 0));
    check(copy, "pidfd_getfd");
    return copy;
  } finally {
    closeSync(pidfd);
  }
}

/** O_NONBLOCK on the open file description, so Bun's event loop can poll it. */
export function setNonBlocking(fd: number): void {
  const F_GETFL = 3;
  const F_SETFL = 4;
  const flags = libc.fcntl(fd, F_GETFL, 0);
  check(flags, "fcntl(F_GETFL)");
  check(libc.fcntl(fd, F_SETFL, flags | 0o4000 /* O_NONBLOCK */), "fcntl(F_SETFL)");
}

/** A new close-on-exec descriptor for the same open file (F_DUPFD_CLOEXEC). */
export function duplicate(fd: number): number {
  const copy = libc.fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 3);
  check(copy, "fcntl(F_DUPFD_CLOEXEC)");
  return copy;
}

export function dup2(from: number, to: number): void {
  check(libc.dup2(from, to), "dup2");
}

/** Unlocks a pty master and returns its slave's number (the N of /dev/pts/N). */
export function unlockPty(master: number): number {
  check(libc.ioctl(master, C.TIOCSPTLCK, ptr(new Int32Array([0]))), "ioctl(TIOCSPTLCK)");
  const number = new Int32Array(1);
  check(libc.ioctl(master, C.TIOCGPTN, ptr(number)), "ioctl(TIOCGPTN)");
  return number[0];
}

/** Makes the terminal on `fd` the controlling terminal of this (session-leading) process. */
export function setControllingTerminal(fd: number): void {
  check(libc.ioctl(fd, C.TIOCSCTTY, null), "ioctl(TIOCSCTTY)");
}

export function setWindowSize(fd: number, rows: number, cols: number): void {
  check(libc.ioctl(fd, C.TIOCSWINSZ, ptr(new Uint16Array([rows, cols, 0, 0]))), "ioctl(TIOCSWINSZ)");
}

export function sethostname(name: string): void {
  const buf = Buffer.from(name);
  check(libc.sethostname(buf, buf.length), "sethostname");
}

export function prctl(option: number, arg2 = 0, arg3 = 0): number {
  const ret = libc.prctl(option, arg2, arg3, 0, 0);
  check(ret, "prctl");
  return ret;
}

/** Sets the permitted, effective and inheritable sets of the calling thread to `caps`. */
export function capset(caps: number[]): void {
  const header = new Uint32Array([0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0]);
  const data = new Uint32Array(6); // two {effective, permitted, inheritable} words
  for (const cap of caps) {
    const word = cap >> 5;
    const bit = 1 << (cap & 31);
    data[word * 3] |= bit;
    data[word * 3 + 1] |= bit;
    data[word * 3 + 2] |= bit;
  }
  check(libc.capset(ptr(header), ptr(data)), "capset");
}

export function mknod(path: string, mode: number, major: number, minor: number): void {
  // glibc's makedev() layout.
  const dev = (BigInt(major & 0xfff) << 8n) | BigInt(minor & 0xff) | (BigInt(minor & ~0xff) << 12n) | (BigInt(major & ~0xfff) << 32n);
  check(libc.mknod(cstr(path), mode, dev), "mknod", path);
}

export function mkfifo(path: string, mode: number): void {
  check(libc.mkfifo(cstr(path), mode), "mkfifo", path);
}

export type ChildExit = { pid: number; exitCode: number; signal: number | null };

/**
 * Reaps `pid` if it has exited, without blocking. Returns null while it runs. The exit code
 * follows the shell's convention: 128 + signal for a process killed by a signal.
 */
export function reapIfExited(pid: number): ChildExit | null {
  const info = new Int32Array(32); // siginfo_t is 128 bytes
  check(libc.waitid(C.P_PID, pid, ptr(info), C.WEXITED | C.WNOHANG), "waitid");
  if (info[4] === 0) return null; // si_pid stays 0 while the child runs
  const code = info[2];
  const status = info[6];
  return code === C.CLD_EXITED ? { pid, exitCode: status, signal: null } : { pid, exitCode: 128 + status, signal: status };
}

export function setsid(): void {
  check(libc.setsid(), "setsid");
}

export function setgroups(gids: number[]): void {
  const list = new Uint32Array(gids.length || 1);
  list.set(gids);
  check(libc.setgroups(gids.length, ptr(list)), "setgroups");
}

export function setresgid(gid: number): void {
  check(libc.setresgid(gid, gid, gid), "setresgid");
}

export function setresuid(uid: number): void {
  check(libc.setresuid(uid, uid, uid), "setresuid");
}

/** Marks every descriptor from `first` up close-on-exec, so nothing of bunker's leaks into a container. */
export function closeFromOnExec(first: number): void {
  check(libc.close_range(first, 0xffffffff, C.CLOSE_RANGE_CLOEXEC), "close_range");
}

export function lsetxattr(path: string, name: string, value: Buffer): void {
  check(libc.lsetxattr(cstr(path), cstr(name), value, value.length, 0), "lsetxattr", path);
}

/** The value of extended attribute `name` of `path` itself (a symlink is not followed). */
export function lgetxattr(path: string, name: string): Buffer {
  const size = Number(libc.lgetxattr(cstr(path), cstr(name), null, 0));
  check(size, "lgetxattr", path);
  const value = Buffer.alloc(size);
  check(libc.lgetxattr(cstr(path), cstr(name), size ? value : null, size), "lgetxattr", path);
  return value;
}

/** The names of the extended attributes of `path` itself (a symlink is not followed). */
export function llistxattr(path: string): string[] {
  const size = Number(libc.llistxattr(cstr(path), null, 0));
  check(size, "llistxattr", path);
  if (size === 0) return [];
  const names = Buffer.alloc(size);
  const length = Number(libc.llistxattr(cstr(path), names, size));
  check(length, "llistxattr", path);
  return names.subarray(0, length).toString("utf8").split("\0").filter(Boolean);
}

/** A pipe whose ends are close-on-exec in this process; spawn's fd mapping clears that for the child's copy. */
export function pipe(): { read: number; write: number } {
  const fds = new Int32Array(2);
  check(libc.pipe2(ptr(fds), 0o2000000 /* O_CLOEXEC */), "pipe2");
  return { read: fds[0], write: fds[1] };
}

/**
 * Every signal back to its default action and none blocked. An ignored signal stays ignored
 * across execve: without this the container would inherit the runtime's ignored SIGPIPE, and
 * `yes | head` would spin forever instead of ending.
 */
export function resetSignals(): void {
  const SIG_DFL = 0;
  for (let signal = 1; signal < 65; signal++) {
    if (signal === 9 || signal === 19 || signal === 32 || signal === 33) continue; // KILL, STOP, glibc-internal
    libc.signal(signal, SIG_DFL);
  }
  const SIG_SETMASK = 2;
  check(libc.sigprocmask(SIG_SETMASK, ptr(new Uint8Array(128)), null), "sigprocmask");
}

/** A NULL-terminated array of C strings, kept alive by the returned buffers. */
function cstrArray(items: string[]): { array: BigUint64Array; keep: Buffer[] } {
  const keep = items.map(cstr);
  const array = new BigUint64Array(items.length + 1);
  keep.forEach((b, i) => (array[i] = BigInt(ptr(b))));
  return { array, keep };
}

/** Replaces the calling process image. Returns only by throwing. */
export function execve(path: string, argv: string[], env: string[]): never {
  const a = cstrArray(argv);
  const e = cstrArray(env);
  libc.execve(cstr(path), ptr(a.array), ptr(e.array));
  throw new SyscallError("execve", errno(), path);
}

/** Moves this thread into the namespace `fd` refers to (e.g. /proc/PID/ns/net with CLONE_NEWNET). */
export function setns(fd: number, nstype: number): void {
  check(libc.setns(fd, nstype), "setns");
}

export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;

/**
 * A close-on-exec netlink socket bound to a kernel-assigned port: rtnetlink (ffi/netlink.ts)
 * or nfnetlink (ffi/nftables.ts).
 */
export function netlinkSocket(protocol: number): number {
  const AF_NETLINK = 16;
  const SOCK_RAW = 3;
  const SOCK_CLOEXEC = 0o2000000;
  const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  check(fd, "socket(AF_NETLINK)");
  // sockaddr_nl {family, pad, pid 0 = let the kernel pick, groups 0}
  const address = new Uint8Array(12);
  new DataView(address.buffer).setUint16(0, AF_NETLINK, true);
  try {
    check(libc.bind(fd, ptr(address), address.length), "bind(AF_NETLINK)");
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/** Sends one datagram to the kernel (netlink port 0). */
export function netlinkSend(fd: number, message: Uint8Array): void {
  const kernel = new Uint8Array(12);
  new DataView(kernel.buffer).setUint16(0, 16 /* AF_NETLINK */, true);
  check(libc.sendto(fd, ptr(message), message.length, 0, ptr(kernel), kernel.length), "sendto(AF_NETLINK)");
}

/** Receives one datagram into `buffer`; returns its length. */
export function netlinkReceive(fd: number, buffer: Uint8Array): number {
  const length = Number(libc.recv(fd, ptr(buffer), buffer.length, 0));
  check(length, "recv(AF_NETLINK)");
  return length;
}

/** Like netlinkReceive, but returns 0 at once when nothing is queued (MSG_DONTWAIT). */
export function netlinkReceiveQueued(fd: number, buffer: Uint8Array): number {
  const MSG_DONTWAIT = 0x40;
  const EAGAIN = 11;
  const length = Number(libc.recv(fd, ptr(buffer), buffer.length, MSG_DONTWAIT));
  if (length === -1 && errno() === EAGAIN) return 0;
  check(length, "recv(AF_NETLINK)");
  return length;
}

/**
 * Installs a seccomp BPF program (from ffi/seccomp.ts) on the calling thread: seccomp(2)
 * with SECCOMP_SET_MODE_FILTER. Without no_new_privs this needs CAP_SYS_ADMIN, so the start
 * stage calls it before it gives up its capabilities.
 */
export function installSeccompFilter(program: Uint8Array): void {
  const SYS_SECCOMP = 317;
  const SECCOMP_SET_MODE_FILTER = 1;
  const fprog = new DataView(new ArrayBuffer(16)); // struct sock_fprog { u16 len; u64 filter; }
  fprog.setUint16(0, program.length / 8, true);
  fprog.setBigUint64(8, BigInt(ptr(program)), true);
  check(libc.syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, 0, ptr(fprog)), "seccomp");
}

/** setrlimit(2); `Infinity` is RLIM_INFINITY. */
export function setrlimit(resource: number, soft: number, hard: number): void {
  const limit = (value: number) => (value === Infinity || value < 0 ? 0xffffffffffffffffn : BigInt(value));
  check(libc.setrlimit(resource, ptr(new BigUint64Array([limit(soft), limit(hard)]))), "setrlimit");
}
