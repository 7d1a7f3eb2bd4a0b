// The seccomp profiles built into sbx: the text of policies/NAME.json, so that an installed sbx
// needs no data files. policies/*.json are the source of truth: after editing one, paste it here
// between the delimiters (tests/unit/test_seccomp.cc fails while the two differ).
#include <string_view>

#include "runtime/seccomp.h"

namespace sbx {

namespace {

constexpr std::string_view kDefault = R"sbx-policy({
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "syscalls": [
    {
      "names": [
        "accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl", "bind", "brk", "cachestat",
        "capget", "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
        "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
        "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat",
        "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
        "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
        "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
        "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2",
        "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr",
        "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
        "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64",
        "futex_wait", "futex_waitv", "futex_wake", "futimesat", "get_robust_list", "get_thread_area",
        "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32",
        "getgid", "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
        "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32",
        "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt",
        "gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "getxattrat",
        "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
        "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
        "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc", "kill", "landlock_add_rule",
        "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr",
        "link", "linkat", "listen", "listmount", "listxattr", "listxattrat", "llistxattr", "_llseek",
        "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack",
        "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
        "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr",
        "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
        "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv",
        "msgsnd", "msync", "munlock", "munlockall", "munmap", "nanosleep", "newfstatat",
        "_newselect", "open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal",
        "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64",
        "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
        "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
        "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
        "remap_file_pages", "removexattr", "removexattrat", "rename", "renameat", "renameat2",
        "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
        "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max",
        "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
        "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
        "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
        "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
        "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_robust_list",
        "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32",
        "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority",
        "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
        "setreuid32", "setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr",
        "setxattrat", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd",
        "signalfd4", "sigprocmask", "sigreturn", "socketcall", "splice", "stat", "stat64", "statfs",
        "statfs64", "statmount", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
        "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
        "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
        "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
        "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask",
        "uname", "unlink", "unlinkat", "uretprobe", "utime", "utimensat", "utimensat_time64",
        "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev"
      ],
      "action": "SCMP_ACT_ALLOW",
      "comment": "what ordinary programs need: Docker's allowlist less name_to_handle_at (socketpair is below)"
    },
    {
      "names": ["clone"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "fork and threads, but no CLONE_NEW* namespace flags"
    },
    {
      "names": ["clone3"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 38,
      "comment": "its flags are out of reach in memory: ENOSYS makes libc fall back to clone"
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "PER_LINUX, the normal persona; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "PER_LINUX32: uname reports i686 (linux32, setarch); 32-bit syscalls stay killed; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 131072, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "UNAME26: uname reports a 2.6 kernel; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 131080, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "PER_LINUX32|UNAME26; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 4294967295, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "0xffffffff only queries the persona; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}],
      "comment": "socket family AF_UNIX"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}],
      "comment": "socket family AF_INET"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}],
      "comment": "socket family AF_INET6"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}],
      "comment": "socket family AF_NETLINK"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 4, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 6, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 7, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 9, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 11, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 12, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 13, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 14, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 15, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 97,
      "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_GT"}],
      "comment": "families above AF_NETLINK (AF_ALG=38 above all), and any value with high bits set"
    },
    {
      "names": ["ioctl"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 1, "value": 4294967295, "valueTwo": 21522, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "TIOCSTI pushes input into the terminal; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["ioctl"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 1, "value": 4294967295, "valueTwo": 21532, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "TIOCLINUX can copy and paste on the console; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["ioctl"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 1, "value": 4294967295, "valueTwo": 21539, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "TIOCSETD changes the line discipline, a classic kernel attack surface; only the low 32 bits count, as in the kernel"
    },
    {
      "names": [
        "mount", "umount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
        "open_tree", "open_tree_attr", "mount_setattr", "pivot_root", "chroot"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "mounts and root changes: the sandbox's filesystem view is fixed by sbx"
    },
    {
      "names": ["unshare", "setns"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "no new or foreign namespaces (clone with namespace flags is refused below)"
    },
    {
      "names": [
        "init_module", "finit_module", "delete_module", "create_module", "query_module",
        "get_kernel_syms", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "kernel modules, kexec, reboot and swap act on the whole host"
    },
    {
      "names": ["settimeofday", "stime", "clock_settime", "clock_settime64"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "the clock is shared with the host (adjtimex without modes only reads it)"
    },
    {
      "names": ["add_key", "keyctl", "request_key"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "the kernel keyrings are not namespaced"
    },
    {
      "names": [
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "no tracing or reading of other processes' memory"
    },
    {
      "names": [
        "bpf", "perf_event_open", "userfaultfd", "open_by_handle_at", "name_to_handle_at",
        "io_uring_setup", "io_uring_enter", "io_uring_register"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "large kernel attack surface: bpf, perf, userfaultfd, file handles, io_uring"
    },
    {
      "names": [
        "acct", "iopl", "ioperm", "modify_ldt", "quotactl", "quotactl_fd", "lookup_dcookie",
        "fanotify_init", "syslog", "vhangup", "sethostname", "setdomainname", "nfsservctl", "uselib",
        "_sysctl", "sysfs", "ustat", "vm86", "vm86old"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "privileged or obsolete calls no sandboxed program needs"
    }
  ]
}
)sbx-policy";

constexpr std::string_view kStrict = R"sbx-policy({
  "defaultAction": "SCMP_ACT_KILL_PROCESS",
  "syscalls": [
    {
      "names": [
        "accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl", "bind", "brk", "cachestat",
        "capget", "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
        "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
        "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat",
        "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
        "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
        "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
        "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2",
        "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr",
        "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
        "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64",
        "futex_wait", "futex_waitv", "futex_wake", "futimesat", "get_robust_list", "get_thread_area",
        "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32",
        "getgid", "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
        "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32",
        "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt",
        "gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "getxattrat",
        "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
        "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
        "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc", "kill", "landlock_add_rule",
        "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr",
        "link", "linkat", "listen", "listmount", "listxattr", "listxattrat", "llistxattr", "_llseek",
        "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack",
        "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
        "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr",
        "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
        "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv",
        "msgsnd", "msync", "munlock", "munlockall", "munmap", "nanosleep", "newfstatat",
        "_newselect", "open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal",
        "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64",
        "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
        "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
        "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
        "remap_file_pages", "removexattr", "removexattrat", "rename", "renameat", "renameat2",
        "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
        "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max",
        "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
        "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
        "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
        "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
        "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_robust_list",
        "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32",
        "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority",
        "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
        "setreuid32", "setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr",
        "setxattrat", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd",
        "signalfd4", "sigprocmask", "sigreturn", "socketcall", "splice", "stat", "stat64", "statfs",
        "statfs64", "statmount", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
        "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
        "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
        "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
        "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask",
        "uname", "unlink", "unlinkat", "uretprobe", "utime", "utimensat", "utimensat_time64",
        "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev"
      ],
      "action": "SCMP_ACT_ALLOW",
      "comment": "what ordinary programs need: Docker's allowlist less name_to_handle_at (socketpair is below)"
    },
    {
      "names": ["clone"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "fork and threads, but no CLONE_NEW* namespace flags"
    },
    {
      "names": ["clone3"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 38,
      "comment": "its flags are out of reach in memory: ENOSYS makes libc fall back to clone"
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "PER_LINUX, the normal persona; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "PER_LINUX32: uname reports i686 (linux32, setarch); 32-bit syscalls stay killed; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 131072, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "UNAME26: uname reports a 2.6 kernel; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 131080, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "PER_LINUX32|UNAME26; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 4294967295, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "0xffffffff only queries the persona; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}],
      "comment": "socket family AF_UNIX"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}],
      "comment": "socket family AF_INET"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}],
      "comment": "socket family AF_INET6"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}],
      "comment": "socket family AF_NETLINK"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 4, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 6, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 7, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 9, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 11, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 12, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 13, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 14, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 15, "op": "SCMP_CMP_EQ"}],
      "comment": "other socket families are not supported"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_GT"}],
      "comment": "families above AF_NETLINK (AF_ALG=38 above all), and any value with high bits set"
    },
    {
      "names": ["ioctl"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 1, "value": 4294967295, "valueTwo": 21522, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "TIOCSTI pushes input into the terminal; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["ioctl"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 1, "value": 4294967295, "valueTwo": 21532, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "TIOCLINUX can copy and paste on the console; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["ioctl"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "args": [{"index": 1, "value": 4294967295, "valueTwo": 21539, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "TIOCSETD changes the line discipline, a classic kernel attack surface; only the low 32 bits count, as in the kernel"
    },
    {
      "names": [
        "mount", "umount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
        "open_tree", "open_tree_attr", "mount_setattr", "pivot_root", "chroot"
      ],
      "action": "SCMP_ACT_KILL_PROCESS",
      "comment": "mounts and root changes: the sandbox's filesystem view is fixed by sbx"
    },
    {
      "names": ["unshare", "setns"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "comment": "no new or foreign namespaces (clone with namespace flags is refused below)"
    },
    {
      "names": [
        "init_module", "finit_module", "delete_module", "create_module", "query_module",
        "get_kernel_syms", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff"
      ],
      "action": "SCMP_ACT_KILL_PROCESS",
      "comment": "kernel modules, kexec, reboot and swap act on the whole host"
    },
    {
      "names": ["settimeofday", "stime", "clock_settime", "clock_settime64"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "comment": "the clock is shared with the host (adjtimex without modes only reads it)"
    },
    {
      "names": ["add_key", "keyctl", "request_key"],
      "action": "SCMP_ACT_KILL_PROCESS",
      "comment": "the kernel keyrings are not namespaced"
    },
    {
      "names": [
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise"
      ],
      "action": "SCMP_ACT_KILL_PROCESS",
      "comment": "no tracing or reading of other processes' memory"
    },
    {
      "names": [
        "bpf", "perf_event_open", "userfaultfd", "open_by_handle_at", "name_to_handle_at",
        "io_uring_setup", "io_uring_enter", "io_uring_register"
      ],
      "action": "SCMP_ACT_KILL_PROCESS",
      "comment": "large kernel attack surface: bpf, perf, userfaultfd, file handles, io_uring"
    },
    {
      "names": [
        "acct", "iopl", "ioperm", "modify_ldt", "quotactl", "quotactl_fd", "lookup_dcookie",
        "fanotify_init", "syslog", "vhangup", "sethostname", "setdomainname", "nfsservctl", "uselib",
        "_sysctl", "sysfs", "ustat", "vm86", "vm86old"
      ],
      "action": "SCMP_ACT_KILL_PROCESS",
      "comment": "privileged or obsolete calls no sandboxed program needs"
    }
  ]
}
)sbx-policy";

constexpr std::string_view kPermissive = R"sbx-policy({
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    {
      "names": [
        "mount", "umount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
        "open_tree", "open_tree_attr", "mount_setattr", "pivot_root", "chroot"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "mounts and root changes"
    },
    {
      "names": ["setns"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "no joining of other namespaces"
    },
    {
      "names": ["clone3"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 38,
      "comment": "its flags are out of reach in memory: ENOSYS makes libc fall back to clone"
    },
    {
      "names": ["clone", "unshare"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 0, "value": 131072, "valueTwo": 131072, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "no new namespaces: CLONE_NEWNS"
    },
    {
      "names": ["clone", "unshare"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 0, "value": 33554432, "valueTwo": 33554432, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "no new namespaces: CLONE_NEWCGROUP"
    },
    {
      "names": ["clone", "unshare"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 0, "value": 67108864, "valueTwo": 67108864, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "no new namespaces: CLONE_NEWUTS"
    },
    {
      "names": ["clone", "unshare"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 0, "value": 134217728, "valueTwo": 134217728, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "no new namespaces: CLONE_NEWIPC"
    },
    {
      "names": ["clone", "unshare"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "no new namespaces: CLONE_NEWUSER"
    },
    {
      "names": ["clone", "unshare"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 0, "value": 536870912, "valueTwo": 536870912, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "no new namespaces: CLONE_NEWPID"
    },
    {
      "names": ["clone", "unshare"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 0, "value": 1073741824, "valueTwo": 1073741824, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "no new namespaces: CLONE_NEWNET"
    },
    {
      "names": ["unshare"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 0, "value": 128, "valueTwo": 128, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "no new namespaces: CLONE_NEWTIME"
    },
    {
      "names": [
        "init_module", "finit_module", "delete_module", "create_module", "query_module",
        "get_kernel_syms", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "kernel modules, kexec, reboot and swap act on the whole host"
    },
    {
      "names": ["settimeofday", "stime", "clock_settime", "clock_settime64"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "the clock is shared with the host"
    },
    {
      "names": ["add_key", "keyctl", "request_key"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "the kernel keyrings are not namespaced"
    },
    {
      "names": ["ptrace", "process_vm_readv", "process_vm_writev"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "no tracing of other processes"
    },
    {
      "names": [
        "bpf", "perf_event_open", "userfaultfd", "open_by_handle_at", "io_uring_setup",
        "io_uring_enter", "io_uring_register"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "comment": "large kernel attack surface: bpf, perf, userfaultfd, file handles, io_uring"
    },
    {
      "names": ["socket", "socketpair"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 0, "value": 4294967295, "valueTwo": 38, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "AF_ALG sockets (only the low 32 bits count, as in the kernel)"
    },
    {
      "names": ["ioctl"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 1, "value": 4294967295, "valueTwo": 21522, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "TIOCSTI pushes input into the terminal; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["ioctl"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 1, "value": 4294967295, "valueTwo": 21532, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "TIOCLINUX can copy and paste on the console; only the low 32 bits count, as in the kernel"
    },
    {
      "names": ["ioctl"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 1,
      "args": [{"index": 1, "value": 4294967295, "valueTwo": 21539, "op": "SCMP_CMP_MASKED_EQ"}],
      "comment": "TIOCSETD changes the line discipline, a classic kernel attack surface; only the low 32 bits count, as in the kernel"
    }
  ]
}
)sbx-policy";

struct Builtin {
  const char* name;
  std::string_view json;
};
constexpr Builtin kBuiltins[] = {
    {"default", kDefault},
    {"strict", kStrict},
    {"permissive", kPermissive},
};

}  // namespace

std::vector<std::string> builtin_policy_names() {
  std::vector<std::string> out;
  for (const auto& b : kBuiltins) out.emplace_back(b.name);
  return out;
}

std::optional<std::string_view> builtin_policy_text(std::string_view name) {
  for (const auto& b : kBuiltins)
    if (name == b.name) return b.json;
  return std::nullopt;
}

}  // namespace sbx
