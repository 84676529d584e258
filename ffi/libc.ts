/**
 * The raw libc symbols bunker calls. Only `ffi/` imports `bun:ffi`; everything else goes
 * through the typed wrappers in `ffi/sys.ts`, which check return values and errno.
 */
import { dlopen, FFIType } from "bun:ffi";

const { i32, u32, i64, u64, ptr } = FFIType;

export const libc = dlopen("libc.so.6", {
  __errno_location: { args: [], returns: ptr },
  unshare: { args: [i32], returns: i32 },
  mount: { args: [ptr, ptr, ptr, u64, ptr], returns: i32 },
  umount2: { args: [ptr, i32], returns: i32 },
  // Arguments as integers: callers pass pointers as numbers from ptr(), keeping the buffers alive.
  syscall: { args: [i64, u64, u64, u64], returns: i64 },
  ioctl: { args: [i32, u64, ptr], returns: i32 },
  dup2: { args: [i32, i32], returns: i32 },
  fcntl: { args: [i32, i32, i64], returns: i32 },
  signal: { args: [i32, u64], returns: u64 },
  sigprocmask: { args: [i32, ptr, ptr], returns: i32 },
  sethostname: { args: [ptr, u64], returns: i32 },
  prctl: { args: [i32, u64, u64, u64, u64], returns: i32 },
  capset: { args: [ptr, ptr], returns: i32 },
  mknod: { args: [ptr, u32, u64], returns: i32 },
  mkfifo: { args: [ptr, u32], returns: i32 },
  waitid: { args: [i32, u32, ptr, i32], returns: i32 },
  setsid: { args: [], returns: i32 },
  setgroups: { args: [u64, ptr], returns: i32 },
  setresgid: { args: [u32, u32, u32], returns: i32 },
  setresuid: { args: [u32, u32, u32], returns: i32 },
  execve: { args: [ptr, ptr, ptr], returns: i32 },
  close_range: { args: [u32, u32, i32], returns: i32 },
  pipe2: { args: [ptr, i32], returns: i32 },
  lsetxattr: { args: [ptr, ptr, ptr, u64, i32], returns: i32 },
  lgetxattr: { args: [ptr, ptr, ptr, u64], returns: i64 },
  llistxattr: { args: [ptr, ptr, u64], returns: i64 },
  strerror: { args: [i32], returns: FFIType.cstring },
  setns: { args: [i32, i32], returns: i32 },
  socket: { args: [i32, i32, i32], returns: i32 },
  bind: { args: [i32, ptr, u32], returns: i32 },
  sendto: { args: [i32, ptr, u64, i32, ptr, u32], returns: i64 },
  recv: { args: [i32, ptr, u64, i32], returns: i64 },
  setrlimit: { args: [i32, ptr], returns: i32 },
  memfd_create: { args: [ptr, u32], returns: i32 },
}).symbols;
