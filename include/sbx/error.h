// The one error type of sbx: an Error carries a category, the errno that caused it (0 if none)
// and a message to which context is prepended on the way up. Result<T> holds a value or an Error;
// SBX_TRY keeps error paths to one line. Errors are printed once, at the edge (CLI or API).
#pragma once

#include <cerrno>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace sbx {

enum class ErrorKind {
  kInvalidArgument,     // the caller's input is wrong
  kNotFound,            // a named object does not exist
  kAlreadyExists,       // a unique name is taken
  kFailedPrecondition,  // the object is in the wrong state (e.g. sandbox not running)
  kPermission,          // the host refuses (EPERM, EACCES)
  kUnsupported,         // the host lacks a feature sbx needs
  kTimeout,             // a deadline passed
  kInternal,            // any other failure of sbx or the host
};

const char* error_kind_name(ErrorKind kind);

class [[nodiscard]] Error {
 public:
  Error(ErrorKind kind, std::string message, int sys_errno = 0)
      : kind_(kind), errno_(sys_errno), message_(std::move(message)) {}

  ErrorKind kind() const { return kind_; }
  int sys_errno() const { return errno_; }
  const std::string& message() const { return message_; }

  // Prepends "what: " to the message; returns *this for chaining on the way up.
  Error& context(const std::string& what) {
    message_ = what + ": " + message_;
    return *this;
  }

  // The message, with strerror(errno) appended when an errno is set.
  std::string to_string() const;

 private:
  ErrorKind kind_;
  int errno_;
  std::string message_;
};

// An error from a failed system call: the category follows from err (captured by the caller in
// the statement that failed), and the message names the call and the object.
Error sys_error(const std::string& what, int err);
// The same with errno read now: call it immediately after the failing call.
inline Error sys_error(const std::string& what) { return sys_error(what, errno); }

inline Error invalid(std::string message) {
  return {ErrorKind::kInvalidArgument, std::move(message)};
}
inline Error not_found(std::string message) { return {ErrorKind::kNotFound, std::move(message)}; }
inline Error internal(std::string message) { return {ErrorKind::kInternal, std::move(message)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error)
      : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{ErrorKind::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace sbx

// SBX_TRY(expr): evaluate a Result<void>-like expression and return its error, if any.
#define SBX_TRY(expr)                                                     \
  do {                                                                    \
    auto sbx_try_result_ = (expr);                                        \
    if (!sbx_try_result_.ok()) return std::move(sbx_try_result_).error(); \
  } while (0)

#define SBX_CONCAT_INNER_(a, b) a##b
#define SBX_CONCAT_(a, b) SBX_CONCAT_INNER_(a, b)
// SBX_ASSIGN_OR_RETURN(decl, expr): decl = value of expr, or return its error.
#define SBX_ASSIGN_OR_RETURN(decl, expr)                       \
  auto SBX_CONCAT_(sbx_res_, __LINE__) = (expr);               \
  if (!SBX_CONCAT_(sbx_res_, __LINE__).ok())                   \
    return std::move(SBX_CONCAT_(sbx_res_, __LINE__)).error(); \
  decl = std::move(SBX_CONCAT_(sbx_res_, __LINE__)).value()
