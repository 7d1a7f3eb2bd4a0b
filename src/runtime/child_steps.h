// The setup steps a sandbox's first process replays after clone(), one small function per line
// of the checklist in container.cc. Runs in the child after clone(): each step returns 0 or an
// errno value, allocates as little as it can, and never logs.
#pragma once

#include <string>
#include <vector>

#include "runtime/plan.h"

namespace sbx::child {

// Where the new root is assembled before pivot_root, inside the sandbox's own mount namespace.
inline constexpr const char* kNewRoot = "/tmp";

// The plan's sources, opened by the child in its own mount namespace (O_PATH descriptors).
struct Sources {
  std::vector<int> lower;
  int upper = -1;
  int work = -1;
  std::vector<int> system;
  std::vector<int> user;
  int dev_null = -1;
  std::vector<int> devices;
  int layer = -1;  // --disk: the root of the tmpfs holding upper/, work/ and tmp/
  int tmp = -1;    // --disk: its tmp/, bound at /tmp
};

int open_sources(const SandboxPlan& plan, Sources* out);
int become_root();
int make_mounts_private();
int mount_disk_layer(const SandboxPlan& plan, Sources* src);  // disk.cc
int mount_root_overlay(const SandboxPlan& plan, const Sources& src);
int open_new_root(int* rootfd);
int bind_system_dirs(int rootfd, const SandboxPlan& plan, const Sources& src);
int mask_paths(int rootfd, const SandboxPlan& plan, const Sources& src);
int bind_user_mounts(int rootfd, const SandboxPlan& plan, const Sources& src);
int mount_proc(int rootfd, const SandboxPlan& plan, const Sources& src);
int mount_dev(int rootfd, const SandboxPlan& plan, const Sources& src);
int mount_tmp(int rootfd, const SandboxPlan& plan, const Sources& src);
int make_workdir(int rootfd, const SandboxPlan& plan);
int set_hostname(const SandboxPlan& plan);
int bring_up_loopback();
int pivot_to(int rootfd);
int drop_privileges();
int quiet_stdio();

}  // namespace sbx::child
