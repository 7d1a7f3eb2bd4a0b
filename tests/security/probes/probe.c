/* The attack probe run inside a sandbox by the scenarios of tests/security: `probe NAME [ARG]` makes one
 * attempt and prints one line, "ok" when the call succeeded or the errno's name (EPERM, ENOSYS,
 * ...) when it failed, then exits 0. A probe the kernel kills (SIGSYS) prints nothing. Built at
 * test time with `gcc -O1 -o probe probe.c`: no multilib, no libraries beyond libc. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

static int result(long rc) {
  if (rc >= 0) {
    puts("ok");
  } else {
    const char *name = strerrorname_np(errno);
    puts(name ? name : "E?");
  }
  return 0;
}

/* rc of a raw call: -1 with errno set on failure, as libc's syscall() does. */
#define TRY(expr) return result((long)(expr))

static const char *arg;

static int p_unshare_user(void) { TRY(unshare(CLONE_NEWUSER)); }
static int p_unshare_mnt(void) { TRY(unshare(CLONE_NEWNS)); }
static int p_unshare_cgroup(void) { TRY(unshare(CLONE_NEWCGROUP)); }
static int p_clone_newuser(void) {
  long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, NULL, 0);
  TRY(pid);
}
static int p_clone3(void) {
  struct clone_args a;
  memset(&a, 0, sizeof a);
  a.exit_signal = SIGCHLD;
  long pid = syscall(SYS_clone3, &a, sizeof a);
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, NULL, 0);
  TRY(pid);
}
static int p_fork(void) {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid(pid, NULL, 0);
  TRY(pid);
}
static int p_setns(void) {
  int fd = open("/proc/self/ns/net", O_RDONLY);
  if (fd < 0) return result(-1);
  TRY(setns(fd, 0));
}
static int p_mount_tmpfs(void) { TRY(mount("none", "/mnt", "tmpfs", 0, NULL)); }
static int p_mount_proc(void) { TRY(mount("proc", "/mnt", "proc", 0, NULL)); }
static int p_mount_sysfs(void) { TRY(mount("sysfs", "/mnt", "sysfs", 0, NULL)); }
static int p_mount_cgroup(void) { TRY(mount("cgroup", "/mnt", "cgroup", 0, "none,name=sbxprobe")); }
static int p_mount_cgroup2(void) { TRY(mount("cgroup2", "/mnt", "cgroup2", 0, NULL)); }
static int p_remount_usr_rw(void) { TRY(mount(NULL, "/usr", NULL, MS_REMOUNT | MS_BIND, NULL)); }
static int p_bind_root(void) { TRY(mount("/", "/mnt", NULL, MS_BIND | MS_REC, NULL)); }
static int p_umount_proc(void) { TRY(umount2("/proc", MNT_DETACH)); }
static int p_umount_mask(void) { TRY(umount2("/etc/shadow", MNT_DETACH)); }
static int p_fsopen(void) { TRY(syscall(SYS_fsopen, "tmpfs", 0)); }
static int p_fspick(void) { TRY(syscall(SYS_fspick, AT_FDCWD, "/usr", 0)); }
static int p_fsmount(void) { TRY(syscall(SYS_fsmount, 0, 0, 0)); }
static int p_fsconfig(void) { TRY(syscall(SYS_fsconfig, 0, 0, NULL, NULL, 0)); }
static int p_open_tree(void) { TRY(syscall(SYS_open_tree, AT_FDCWD, "/", 1 /*OPEN_TREE_CLONE*/)); }
static int p_move_mount(void) {
  TRY(syscall(SYS_move_mount, AT_FDCWD, "/proc", AT_FDCWD, "/mnt", 0));
}
static int p_mount_setattr(void) {
  uint64_t attr[4] = {0, 1 /*MOUNT_ATTR_RDONLY clear*/, 0, 0};
  TRY(syscall(SYS_mount_setattr, AT_FDCWD, "/usr", 0, attr, sizeof attr));
}
static int p_pivot_root(void) { TRY(syscall(SYS_pivot_root, "/tmp", "/tmp")); }
static int p_chroot(void) { TRY(chroot("/tmp")); }
static int p_bpf(void) {
  char attr[128];
  memset(attr, 0, sizeof attr);
  TRY(syscall(SYS_bpf, 5 /*BPF_PROG_LOAD*/, attr, sizeof attr));
}
static int p_perf_event_open(void) {
  char attr[128];
  memset(attr, 0, sizeof attr);
  *(uint32_t *)(attr + 4) = sizeof attr; /* size */
  TRY(syscall(SYS_perf_event_open, attr, 0, -1, -1, 0));
}
static int p_keyctl(void) { TRY(syscall(SYS_keyctl, 0 /*GET_KEYRING_ID*/, -3, 0, 0, 0)); }
static int p_add_key(void) { TRY(syscall(SYS_add_key, "user", "sbx", "x", 1, -3)); }
static int p_request_key(void) { TRY(syscall(SYS_request_key, "user", "sbx", NULL, 0)); }
static int p_ptrace_pid1(void) { TRY(ptrace(PTRACE_ATTACH, 1, 0, 0)); }
static int p_ptrace_child(void) {
  pid_t pid = fork();
  if (pid == 0) {
    pause();
    _exit(0);
  }
  long rc = ptrace(PTRACE_ATTACH, pid, 0, 0);
  int e = errno;
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  errno = e;
  return result(rc);
}
static int p_ptrace_traceme(void) { TRY(ptrace(PTRACE_TRACEME, 0, 0, 0)); }
static int p_process_vm_readv(void) {
  char buf[8];
  struct iovec local = {buf, sizeof buf}, remote = {(void *)0x400000, sizeof buf};
  TRY(process_vm_readv(1, &local, 1, &remote, 1, 0));
}
static int p_io_uring_setup(void) {
  char params[120];
  memset(params, 0, sizeof params);
  TRY(syscall(SYS_io_uring_setup, 4, params));
}
static int p_userfaultfd(void) { TRY(syscall(SYS_userfaultfd, O_CLOEXEC)); }
static int p_socket_family(void) { TRY(socket((int)strtol(arg, NULL, 0), SOCK_STREAM, 0)); }
static int p_socket_alg(void) { TRY(socket(AF_ALG, SOCK_SEQPACKET, 0)); }
static int p_socket_alg_high(void) {
  TRY(syscall(SYS_socket, (long)AF_ALG | (1L << 32), SOCK_SEQPACKET, 0));
}
static int p_socket_packet(void) { TRY(socket(AF_PACKET, SOCK_RAW, 0)); }
static int p_socket_netlink(void) { TRY(socket(AF_NETLINK, SOCK_RAW, 0)); }
static int p_init_module(void) { TRY(syscall(SYS_init_module, NULL, 0, "")); }
static int p_finit_module(void) { TRY(syscall(SYS_finit_module, 0, "", 0)); }
static int p_delete_module(void) { TRY(syscall(SYS_delete_module, "ext4", 0)); }
static int p_kexec_load(void) { TRY(syscall(SYS_kexec_load, 0, 0, NULL, 0)); }
static int p_kexec_file_load(void) { TRY(syscall(SYS_kexec_file_load, -1, -1, 0, "", 0)); }
static int p_reboot(void) { TRY(syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL)); }
static int p_swapoff(void) { TRY(syscall(SYS_swapoff, "/dev/null")); }
static int p_settimeofday(void) { TRY(syscall(SYS_settimeofday, NULL, NULL)); }
static int p_clock_settime(void) {
  struct timespec ts = {0, 0};
  TRY(syscall(SYS_clock_settime, CLOCK_REALTIME, &ts));
}
static int p_personality(void) { TRY(syscall(SYS_personality, strtoul(arg, NULL, 0))); }
static int p_open_by_handle_at(void) {
  char h[64];
  memset(h, 0, sizeof h);
  *(unsigned *)h = 8;
  TRY(syscall(SYS_open_by_handle_at, AT_FDCWD, h, O_RDONLY));
}
static int p_name_to_handle_at(void) {
  char h[136];
  int mnt;
  memset(h, 0, sizeof h);
  *(unsigned *)h = 128;
  TRY(syscall(SYS_name_to_handle_at, AT_FDCWD, "/", h, &mnt, 0));
}
static int p_ioctl(unsigned long req, int high) {
  int fd = posix_openpt(O_RDWR | O_NOCTTY);
  if (fd < 0) return result(-1);
  char c = 'x';
  unsigned long r = high ? req | (1UL << 32) : req;
  TRY(syscall(SYS_ioctl, fd, r, &c));
}
static int p_tiocsti(void) { return p_ioctl(TIOCSTI, 0); }
static int p_tiocsti_high(void) { return p_ioctl(TIOCSTI, 1); }
static int p_tiocsti_stdin(void) {
  char c = 'x';
  TRY(syscall(SYS_ioctl, 0, TIOCSTI, &c));
}
static int p_tioclinux(void) { return p_ioctl(TIOCLINUX, 0); }
static int p_tioclinux_high(void) { return p_ioctl(TIOCLINUX, 1); }
static int p_tiocsetd(void) { return p_ioctl(TIOCSETD, 0); }
static int p_open_dev_tty(void) { TRY(open("/dev/tty", O_RDWR)); }
static int p_sethostname(void) { TRY(sethostname("pwned", 5)); }
static int p_mknod(void) { TRY(mknod("/tmp/sbx-null", S_IFCHR | 0666, makedev(1, 3))); }
static int p_chmod(void) { TRY(chmod(arg, 04755)); }
static int p_open_read(void) { TRY(open(arg, O_RDONLY)); }
static int p_open_write(void) { TRY(open(arg, O_WRONLY)); }
static int p_open_append(void) { TRY(open(arg, O_WRONLY | O_APPEND)); }
static int p_create(void) { TRY(open(arg, O_WRONLY | O_CREAT | O_EXCL, 0644)); }
static int p_readlink(void) {
  char buf[4096];
  TRY(readlink(arg, buf, sizeof buf));
}
static int p_kill0(void) { TRY(kill((pid_t)atoi(arg), 0)); }
static int p_capset_add(void) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  if (syscall(SYS_capget, &h, d) != 0) return result(-1);
  d[CAP_SYS_ADMIN / 32].effective |= 1U << (CAP_SYS_ADMIN % 32);
  d[CAP_SYS_ADMIN / 32].permitted |= 1U << (CAP_SYS_ADMIN % 32);
  TRY(syscall(SYS_capset, &h, d));
}
static int p_ambient_raise(void) { TRY(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0)); }
static int p_clear_nnp(void) { TRY(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0)); }
static int p_get_nnp(void) {
  int v = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  printf("%d\n", v);
  return 0;
}
static int p_setxattr_fcap(void) {
  /* VFS_CAP_REVISION_2 granting CAP_SYS_ADMIN permitted+effective. */
  uint32_t cap[5] = {0x02000001, 1U << CAP_SYS_ADMIN, 0, 0, 0};
  TRY(setxattr(arg, "security.capability", cap, sizeof cap, 0));
}
/* Every descriptor from 3 up that is open, space-separated ("none" when there is none). */
static int p_fds(void) {
  int found = 0;
  for (int fd = 3; fd < 65536; ++fd)
    if (fcntl(fd, F_GETFD) >= 0) printf(found++ ? " %d" : "%d", fd);
  puts(found ? "" : "none");
  return 0;
}
static int p_ids(void) {
  uid_t r, e, s;
  getresuid(&r, &e, &s);
  printf("%u %u %u\n", r, e, s);
  return 0;
}
/* sid==pid and the session's terminal ("none" without one). */
static int p_session(void) {
  printf("%s %s\n", getsid(0) == getpid() ? "leader" : "member",
         open("/dev/tty", O_RDONLY) >= 0 ? "tty" : "notty");
  return 0;
}
/* Whether "/.." is "/" (the same inode). */
static int p_dotdot(void) {
  struct stat a, b;
  if (stat("/", &a) != 0 || stat("/../../..", &b) != 0) return result(-1);
  puts(a.st_ino == b.st_ino && a.st_dev == b.st_dev ? "same" : "different");
  return 0;
}
#if defined(__x86_64__)
/* getpid through the i386 ABI: the kernel runs it unless seccomp kills the process. */
static int p_int80(void) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
  printf("returned %ld\n", ret);
  return 0;
}
/* getpid through the x32 ABI (39 | __X32_SYSCALL_BIT). */
static int p_x32(void) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(39L | __X32_SYSCALL_BIT) : "rcx", "r11", "memory");
  printf("returned %ld\n", ret);
  return 0;
}
#endif

struct probe {
  const char *name;
  int (*run)(void);
};

static const struct probe kProbes[] = {
    {"unshare_user", p_unshare_user}, {"unshare_mnt", p_unshare_mnt},
    {"unshare_cgroup", p_unshare_cgroup}, {"clone_newuser", p_clone_newuser},
    {"clone3", p_clone3}, {"fork", p_fork}, {"setns", p_setns},
    {"mount_tmpfs", p_mount_tmpfs}, {"mount_proc", p_mount_proc},
    {"mount_sysfs", p_mount_sysfs}, {"mount_cgroup", p_mount_cgroup},
    {"mount_cgroup2", p_mount_cgroup2}, {"remount_usr_rw", p_remount_usr_rw},
    {"bind_root", p_bind_root}, {"umount_proc", p_umount_proc}, {"umount_mask", p_umount_mask},
    {"fsopen", p_fsopen}, {"fspick", p_fspick}, {"fsmount", p_fsmount},
    {"fsconfig", p_fsconfig}, {"open_tree", p_open_tree}, {"move_mount", p_move_mount},
    {"mount_setattr", p_mount_setattr}, {"pivot_root", p_pivot_root}, {"chroot", p_chroot},
    {"bpf", p_bpf}, {"perf_event_open", p_perf_event_open}, {"keyctl", p_keyctl},
    {"add_key", p_add_key}, {"request_key", p_request_key}, {"ptrace_pid1", p_ptrace_pid1},
    {"ptrace_child", p_ptrace_child}, {"ptrace_traceme", p_ptrace_traceme},
    {"process_vm_readv", p_process_vm_readv}, {"io_uring_setup", p_io_uring_setup},
    {"userfaultfd", p_userfaultfd}, {"socket", p_socket_family}, {"socket_alg", p_socket_alg},
    {"socket_alg_high", p_socket_alg_high}, {"socket_packet", p_socket_packet},
    {"socket_netlink", p_socket_netlink}, {"init_module", p_init_module},
    {"finit_module", p_finit_module}, {"delete_module", p_delete_module},
    {"kexec_load", p_kexec_load}, {"kexec_file_load", p_kexec_file_load},
    {"reboot", p_reboot}, {"swapoff", p_swapoff}, {"settimeofday", p_settimeofday},
    {"clock_settime", p_clock_settime}, {"personality", p_personality},
    {"open_by_handle_at", p_open_by_handle_at}, {"name_to_handle_at", p_name_to_handle_at},
    {"tiocsti", p_tiocsti}, {"tiocsti_high", p_tiocsti_high}, {"tiocsti_stdin", p_tiocsti_stdin},
    {"tioclinux", p_tioclinux}, {"tioclinux_high", p_tioclinux_high}, {"tiocsetd", p_tiocsetd},
    {"open_dev_tty", p_open_dev_tty}, {"sethostname", p_sethostname}, {"mknod", p_mknod},
    {"chmod_suid", p_chmod}, {"open_read", p_open_read}, {"open_write", p_open_write},
    {"open_append", p_open_append}, {"create", p_create}, {"readlink", p_readlink},
    {"kill0", p_kill0}, {"capset_add", p_capset_add}, {"ambient_raise", p_ambient_raise},
    {"clear_nnp", p_clear_nnp}, {"get_nnp", p_get_nnp}, {"setxattr_fcap", p_setxattr_fcap},
    {"fds", p_fds}, {"ids", p_ids}, {"session", p_session}, {"dotdot", p_dotdot},
#if defined(__x86_64__)
    {"int80", p_int80}, {"x32", p_x32},
#endif
};

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: probe NAME [ARG]\n");
    return 2;
  }
  arg = argc > 2 ? argv[2] : "";
  for (size_t i = 0; i < sizeof kProbes / sizeof kProbes[0]; ++i)
    if (strcmp(argv[1], kProbes[i].name) == 0) {
      int rc = kProbes[i].run();
      fflush(stdout);
      return rc;
    }
  fprintf(stderr, "probe: unknown probe %s\n", argv[1]);
  return 2;
}
