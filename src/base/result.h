// SPDX-License-Identifier: Apache-2.0
// Result<T> and Error: how system failures travel as values (no exceptions in src/).
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace mw::base {

// An error message and, for failed system calls, the errno that caused it.
class Error {
 public:
  Error() = default;
  explicit Error(std::string message, int sys_errno = 0)
      : message_(std::move(message)), sys_errno_(sys_errno) {}

  // "what: strerror(errno)" for a system call that just failed.
  static Error from_errno(std::string_view what, int err = errno);

  const std::string& message() const { return message_; }
  int sys_errno() const { return sys_errno_; }

 private:
  std::string message_;
  int sys_errno_ = 0;
};

template <typename... Args>
Error make_error(fmt::format_string<Args...> f, Args&&... args) {
  return Error(fmt::format(f, std::forward<Args>(args)...));
}

// Either a value or an Error. Accessing the wrong side is a bug and aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> ok_result() { return {}; }

}  // namespace mw::base

// Returns the error of a failed Result<...> expression from the enclosing function.
#define MW_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    auto mw_result_ = (expr);                        \
    if (!mw_result_.ok()) return mw_result_.error(); \
  } while (0)
