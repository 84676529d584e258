/** Linux constants for the syscalls in `ffi/sys.ts` (x86_64 values). */

export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_FS = 0x00000200;

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_REMOUNT = 0x20;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 0x40000;
export const MS_STRICTATIME = 0x1000000;

export const MNT_DETACH = 0x2;

/** open(2) flags node:fs does not export: a path-only descriptor, closed on exec. */
export const O_PATH = 0o10000000;
export const O_CLOEXEC = 0o2000000;

export const SYS_pivot_root = 155;
export const SYS_pidfd_open = 434;
export const SYS_pidfd_getfd = 438;

export const TIOCSCTTY = 0x540e;
export const TIOCSWINSZ = 0x5414;
export const TIOCGPTN = 0x80045430;
export const TIOCSPTLCK = 0x40045431;

export const PR_CAPBSET_DROP = 24;
export const PR_SET_CHILD_SUBREAPER = 36;
export const PR_CAP_AMBIENT = 47;
export const PR_CAP_AMBIENT_CLEAR_ALL = 4;
export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_SET_DUMPABLE = 4;

export const P_PID = 1;
export const WEXITED = 4;
export const WNOHANG = 1;
export const CLD_EXITED = 1;

export const CLOSE_RANGE_CLOEXEC = 4;

export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

/** Capability numbers, in the order of linux/capability.h. */
export const CAPABILITIES = [
  "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
  "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
  "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
  "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
  "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
  "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
] as const;
export type Capability = (typeof CAPABILITIES)[number];
