// Error categories and the one place errno values are mapped to them.
#include "sbx/error.h"

#include <cstring>

namespace sbx {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return "invalid_argument";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kAlreadyExists: return "already_exists";
    case ErrorKind::kFailedPrecondition: return "failed_precondition";
    case ErrorKind::kPermission: return "permission_denied";
    case ErrorKind::kUnsupported: return "unsupported";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kInternal: return "internal";
  }
  return "internal";
}

std::string Error::to_string() const {
  if (errno_ == 0) return message_;
  return message_ + ": " + std::strerror(errno_);
}

static ErrorKind kind_for_errno(int err) {
  switch (err) {
    case ENOENT:
    case ESRCH: return ErrorKind::kNotFound;
    case EEXIST: return ErrorKind::kAlreadyExists;
    case EPERM:
    case EACCES:
    case EROFS: return ErrorKind::kPermission;
    case ENOSYS:
    case EOPNOTSUPP: return ErrorKind::kUnsupported;
    case EINVAL:
    case ENAMETOOLONG:
    case ENOTDIR:
    case ELOOP: return ErrorKind::kInvalidArgument;
    case ETIMEDOUT: return ErrorKind::kTimeout;
    default: return ErrorKind::kInternal;
  }
}

Error sys_error(const std::string& what, int err) { return {kind_for_errno(err), what, err}; }

}  // namespace sbx
