#include "server/http_server.h"

#include <httplib.h>

#include <cstdio>
#include <thread>

#include "core/error.h"
#include "server/api_error.h"
#include "server/guarded_server.h"
#include "server/openai_json.h"
#include "server/ui_assets.h"

namespace fathom::server {

namespace {

void send_json(httplib::Response& res, int status, const Json& j) {
  res.status = status;
  res.set_content(dump(j), "application/json");
}

void send_error(httplib::Response& res, const ApiError& e) {
  Json err{{"message", e.what()},
           {"type", e.type},
           {"param", e.param.empty() ? Json() : Json(e.param)},
           {"code", e.code.empty() ? Json() : Json(e.code)}};
  if (e.status == 503) res.set_header("Retry-After", "1");
  send_json(res, e.status, Json{{"error", err}});
}

const char* status_type(int status) {
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 404: return "not_found_error";
    case 405: return "invalid_request_error";
    case 408: return "timeout_error";
    case 413: return "request_too_large";
    case 503: return "server_overloaded";
    default: return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// Constant time in the key's length, so the answer's timing does not leak a prefix.
bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

}  // namespace

HttpServer::HttpServer(const HttpOptions& http, const BackendOptions& backend)
    : http_(http),
      backend_opts_(backend),
      svr_(std::make_unique<GuardedServer>(
          [this](const std::string& client) { counters_.count_timeout(client, http_.read_timeout_s); })) {
  const int threads = http_.http_threads > 0
                          ? http_.http_threads
                          : backend.scheduler.n_slots + static_cast<int>(backend.scheduler.max_queue) + 256;
  svr_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  svr_->set_payload_max_length(http_.max_body_bytes);
  // GuardedServer makes this a deadline for the whole request, not for each recv().
  svr_->set_read_timeout(http_.read_timeout_s, 0);
  svr_->set_write_timeout(http_.write_timeout_s, 0);
  // An idle keep-alive connection holds a thread (hence the spare threads above): short,
  // so that they come back soon.
  svr_->set_keep_alive_timeout(2);
  routes();
}

HttpServer::~HttpServer() = default;

void HttpServer::stop() {
  // Generations end first, so streams close with an error event and [DONE] and waiting
  // requests get a 503, rather than being cut; then the listener stops and the
  // connections still open (idle, or a request still arriving) are cut.
  if (ready_.load()) {
    backend_->shut_down();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  svr_->shut_down();
}

bool HttpServer::authorised(const httplib::Request& req) const {
  if (http_.api_key.empty()) return true;
  const std::string auth = req.get_header_value("Authorization");
  const std::string bearer = "Bearer ";
  if (auth.rfind(bearer, 0) == 0 && same_secret(auth.substr(bearer.size()), http_.api_key)) return true;
  return req.has_header("X-Api-Key") && same_secret(req.get_header_value("X-Api-Key"), http_.api_key);
}

void HttpServer::routes() {
  httplib::Server& s = *svr_;

  // Every API route: ready, authorised, errors as OpenAI's JSON, counted for /metrics.
  const auto api = [this](const std::string& route, auto handler) {
    return [this, route, handler](const httplib::Request& req, httplib::Response& res) {
      try {
        if (!ready_.load()) throw ApiError(503, "server_overloaded", "the model is still loading", "", "loading");
        if (!authorised(req)) {
          throw ApiError(401, "authentication_error", "missing or wrong API key (Authorization: Bearer KEY)", "",
                         "invalid_api_key");
        }
        handler(req, res);
      } catch (const ApiError& e) {
        send_error(res, e);
      } catch (const Error& e) {
        send_error(res, bad_request(e.what()));
      } catch (const std::exception& e) {
        send_error(res, ApiError(500, "server_error", e.what()));
      }
      counters_.count_response(route, res.status);
      if (res.status >= 400 && res.status != kClientClosedRequest) {
        counters_.log(req.method + " " + req.path + " from " + req.remote_addr + ": " + std::to_string(res.status) +
                      " " + Json::parse(res.body, nullptr, false).value("/error/message"_json_pointer, std::string()));
      }
    };
  };

  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // Bodies are refused before they are read: a declared length over the limit, and
    // chunked bodies, whose length nothing bounds (the OpenAI clients never send them).
    if (req.has_header("Transfer-Encoding")) {
      res.set_header("Connection", "close");
      send_error(res, ApiError(411, "invalid_request_error", "chunked request bodies are not accepted; send Content-Length"));
      counters_.log(req.method + " " + req.path + " from " + req.remote_addr + ": 411 chunked body refused");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.get_header_value<uint64_t>("Content-Length") > http_.max_body_bytes) {
      res.set_header("Connection", "close");
      send_error(res, ApiError(413, "request_too_large", "the request body exceeds the limit of " +
                                                               std::to_string(http_.max_body_bytes) + " bytes (--max-body)"));
      counters_.log(req.method + " " + req.path + " from " + req.remote_addr + ": 413 body of " +
                    req.get_header_value("Content-Length") + " bytes refused");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!http_.cors_origin.empty()) {
      res.set_header("Access-Control-Allow-Origin", http_.cors_origin);
      if (req.method == "OPTIONS") {
        res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Api-Key");
        res.set_header("Access-Control-Max-Age", "86400");
        res.status = 204;
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // httplib's own errors (unknown route, body over the limit, bad request line) in the
  // same JSON shape; a handler's own error body is left alone.
  s.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    // httplib takes a request cut by its deadline for a bad one; the connection loop
    // counts and logs it once and then closes the connection.
    if (GuardedServer::request_timed_out()) {
      res.set_header("Connection", "close");
      send_error(res, ApiError(408, status_type(408), "the request was not received within " +
                                                          std::to_string(http_.read_timeout_s) + " s (--timeout)"));
      return;
    }
    if (!res.body.empty()) return;
    // A request httplib could not read leaves its connection at an unknown point: what
    // follows must not be taken for the next request.
    if (res.status == 400) res.set_header("Connection", "close");
    std::string msg = "HTTP " + std::to_string(res.status);
    if (res.status == 404) msg = "no route for " + req.method + " " + req.path;
    if (res.status == 413) msg = "the request body exceeds the limit of " + std::to_string(http_.max_body_bytes) +
                                 " bytes (--max-body)";
    send_error(res, ApiError(res.status, status_type(res.status), msg));
    counters_.count_response("other", res.status);
    counters_.log(req.method.empty() ? "malformed or incomplete request: " + std::to_string(res.status)
                                     : req.method + " " + req.path + " from " + req.remote_addr + ": " +
                                           std::to_string(res.status) + " " + msg);
  });

  s.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    if (ready_.load()) send_json(res, 200, Json{{"status", "ok"}});
    else send_json(res, 503, Json{{"status", "loading"}});
  });
  s.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorised(req)) {
      send_error(res, ApiError(401, "authentication_error", "missing or wrong API key"));
      return;
    }
    const bool ready = ready_.load();
    res.set_content(counters_.render(ready ? backend_->stats() : runtime::SchedulerStats{},
                                     ready ? backend_->n_slots() : 0, ready),
                    "text/plain; version=0.0.4");
  });
  s.Get("/props", api("props", [this](const httplib::Request&, httplib::Response& res) {
          const ModelTraits& t = backend_->traits();
          send_json(res, 200,
                    Json{{"model", t.id},
                         {"arch", models::arch_name(backend_->config().arch)},
                         {"chat_format", std::string(backend_->chat_format())},
                         {"n_ctx", t.n_ctx},
                         {"parallel", backend_->n_slots()},
                         {"reasoning", t.effort ? "effort" : t.thinking ? "thinking" : "none"}});
        }));
  s.Get("/v1/models", api("models", [this](const httplib::Request&, httplib::Response& res) {
          const ModelTraits& t = backend_->traits();
          Json m{{"id", t.id}, {"object", "model"}, {"created", 0}, {"owned_by", "fathom"},
                 {"meta", {{"arch", models::arch_name(backend_->config().arch)}, {"n_ctx", t.n_ctx},
                           {"n_vocab", backend_->config().n_vocab}}}};
          send_json(res, 200, Json{{"object", "list"}, {"data", Json::array({m})}});
        }));
  s.Get(R"(/v1/models/(.+))", api("models", [this](const httplib::Request& req, httplib::Response& res) {
          const ModelTraits& t = backend_->traits();
          if (req.matches[1] != t.id) {
            throw ApiError(404, "not_found_error", "the model '" + std::string(req.matches[1]) + "' does not exist", "model",
                           "model_not_found");
          }
          send_json(res, 200, Json{{"id", t.id}, {"object", "model"}, {"created", 0}, {"owned_by", "fathom"}});
        }));
  s.Get("/tokenizer_info", api("tokenizer_info", [this](const httplib::Request&, httplib::Response& res) {
          const tokenizer::Tokenizer& tok = backend_->tokenizer();
          const auto text = [&](int32_t id) { return id < 0 ? Json() : Json(tok.token_bytes(id)); };
          send_json(res, 200,
                    Json{{"eos_token", text(tok.eos())}, {"bos_token", text(tok.bos())}, {"pad_token", nullptr},
                         {"vocab_size", tok.n_vocab()}, {"model_max_length", backend_->traits().n_ctx},
                         {"tokenizer_class", "fathom-bpe-" + tok.pre_tokenizer()}});
        }));
  s.Post("/tokenize", api("tokenize", [this](const httplib::Request& req, httplib::Response& res) {
           const Json b = parse_body(req.body);
           auto text = get_string(b, "prompt");
           if (!text) text = get_string(b, "content");
           if (!text) throw bad_request("'prompt' (or 'content') is required", "prompt");
           const bool specials = get_bool(b, "add_special_tokens").value_or(true);
           const tokenizer::Tokenizer& tok = backend_->tokenizer();
           const std::vector<int32_t> ids = tok.encode(*text, /*parse_special=*/specials, specials && tok.adds_bos());
           send_json(res, 200,
                     Json{{"tokens", ids}, {"count", ids.size()}, {"max_model_len", backend_->traits().n_ctx}});
         }));
  s.Post("/detokenize", api("detokenize", [this](const httplib::Request& req, httplib::Response& res) {
           const Json b = parse_body(req.body);
           const auto it = b.find("tokens");
           if (it == b.end() || !it->is_array()) throw bad_request("'tokens' must be an array of token ids", "tokens");
           std::vector<int32_t> ids;
           for (const Json& t : *it) {
             if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() >= backend_->config().n_vocab) {
               throw bad_request("'tokens' holds " + dump(t) + ", not a token id of this model", "tokens");
             }
             ids.push_back(t.get<int32_t>());
           }
           const std::string text = backend_->tokenizer().decode(ids);
           send_json(res, 200, Json{{"prompt", text}, {"content", text}});
         }));
  for (const char* path : {"/v1/chat/completions", "/chat/completions"}) {
    s.Post(path, api("chat", [this](const httplib::Request& q, httplib::Response& r) { handle_chat(q, r); }));
  }
  for (const char* path : {"/v1/completions", "/completions"}) {
    s.Post(path, api("completions", [this](const httplib::Request& q, httplib::Response& r) { handle_completion(q, r); }));
  }

  // The web page, from the assets embedded at build time.
  const auto page = [](const httplib::Request& req, httplib::Response& res) {
    const std::string path = req.path == "/" ? "/index.html" : req.path;
    for (const EmbeddedFile& a : ui_assets()) {
      if (a.path == path) {
        res.set_content(a.data.data(), a.data.size(), std::string(a.content_type));
        // Vite names assets by content hash: they never change under one name.
        res.set_header("Cache-Control", path == "/index.html" ? "no-cache" : "public, max-age=31536000, immutable");
        return;
      }
    }
    res.status = 404;
  };
  s.Get("/", page);
  s.Get("/index.html", page);
  s.Get(R"(/assets/.+)", page);
}

int HttpServer::run() {
  const int port = http_.port == 0 ? svr_->bind_to_any_port(http_.host)
                                   : (svr_->bind_to_port(http_.host, http_.port) ? http_.port : -1);
  if (port < 0) {
    throw Error("cannot listen on " + http_.host + ":" + std::to_string(http_.port) +
                ": the address is in use or not available (--host, --port)");
  }
  if (!is_loopback(http_.host) && http_.api_key.empty()) {
    std::fprintf(stderr,
                 "fathom: warning: listening on %s without --api-key: anyone who can reach this port can use the "
                 "model\n",
                 http_.host.c_str());
  }
  std::thread listener([this] { svr_->listen_after_bind(); });
  // stop() only reaches a server that is running: wait for it, so a failed load below
  // can end the listener.
  for (int i = 0; i < 5000 && !svr_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::fprintf(stderr, "fathom: loading %s\n", backend_opts_.model_path.c_str());
  try {
    backend_ = std::make_unique<Backend>(backend_opts_);
  } catch (...) {
    svr_->shut_down();
    listener.join();
    throw;
  }
  ready_ = true;
  std::fprintf(stderr, "fathom: listening on http://%s:%d\n", http_.host.c_str(), port);
  std::fflush(stderr);
  listener.join();
  backend_.reset();
  return 0;
}

}  // namespace fathom::server
