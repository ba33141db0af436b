// An error the server answers in OpenAI's JSON error shape, with its HTTP status.
#pragma once
#include <stdexcept>
#include <string>

namespace fathom::server {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string type, const std::string& message, std::string param = "", std::string code = "")
      : std::runtime_error(message), status(status), type(std::move(type)), param(std::move(param)),
        code(std::move(code)) {}

  int status;
  std::string type;   // "invalid_request_error", "authentication_error", ...
  std::string param;  // the request field at fault, or empty
  std::string code;   // a stable short name ("context_length_exceeded"), or empty
};

// nginx's status for a client that closed its connection before the answer: counted in
// /metrics like any status, but never seen by anyone, and logged as the disconnect.
constexpr int kClientClosedRequest = 499;

// 400 invalid_request_error naming the field at fault.
inline ApiError bad_request(const std::string& message, const std::string& param = "", const std::string& code = "") {
  return ApiError(400, "invalid_request_error", message, param, code);
}

}  // namespace fathom::server
