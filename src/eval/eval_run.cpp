#include "eval/eval_run.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "eval/answers.h"
#include "server/openai_json.h"

namespace fathom::eval {

namespace {

size_t utf8_chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string mc_context(const Item& it) { return it.question + (it.lang == "ru" ? "\nОтвет:" : "\nAnswer:"); }

size_t argmax(const std::vector<double>& x) { return static_cast<size_t>(std::max_element(x.begin(), x.end()) - x.begin()); }

Result score_mc(Target& t, const Item& it) {
  std::vector<std::string> conts;
  for (const std::string& c : it.choices) conts.push_back(" " + c);
  const std::vector<double> ll = t.logliks(mc_context(it), conts);
  std::vector<double> by_chars, by_bytes;
  for (size_t i = 0; i < ll.size(); ++i) {
    by_chars.push_back(ll[i] / static_cast<double>(std::max<size_t>(utf8_chars(conts[i]), 1)));
    by_bytes.push_back(ll[i] / static_cast<double>(std::max<size_t>(conts[i].size(), 1)));
  }
  const auto pick = [&](const std::vector<double>& v) { return static_cast<int>(argmax(v)); };
  return Result{{"loglik", ll},
                {"pred", pick(ll)},
                {"correct", pick(ll) == it.answer_index},
                {"correct_norm", pick(by_chars) == it.answer_index},
                {"correct_bytes", pick(by_bytes) == it.answer_index}};
}

Result score_gen(Target& t, const Item& it, const std::string& effort, const EvalOptions& o) {
  GenSettings s;
  s.effort = effort == "-" ? "" : effort;
  s.think = o.think;
  s.max_tokens = o.max_tokens;
  const ChatAnswer a = t.chat(it.prompt, s);
  const Verdict v = score_generative(it, a.content);
  return Result{{"prompt", it.prompt},       {"output", a.content},
                {"reasoning", a.reasoning},  {"extracted", v.extracted},
                {"correct", v.correct},      {"completion_tokens", a.completion_tokens},
                {"reasoning_tokens", a.reasoning_tokens}, {"finish_reason", a.finish_reason}};
}

struct Task {
  const Item* item;
  std::string setting;
};

}  // namespace

std::string result_key(const Item& item, const std::string& setting) {
  return item.id + "|" + item.lang + "|" + setting;
}

std::vector<Result> run_eval(Target& target, const std::vector<Item>& items, const EvalOptions& o) {
  std::vector<std::string> gen_settings = o.efforts;
  if (gen_settings.empty()) gen_settings.push_back(o.think ? (*o.think ? "think" : "no-think") : "-");

  // What the results file already holds, by key.
  std::map<std::string, Result> done;
  if (!o.out.empty()) {
    std::ifstream in(o.out);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) continue;
      Result r = Result::parse(line, nullptr, false);
      // A line cut off by an interruption is simply redone.
      if (r.is_discarded() || !r.contains("key")) continue;
      done[r["key"].get<std::string>()] = r;
    }
  }

  std::vector<Task> todo;
  std::vector<std::string> keys;
  for (const Item& it : items) {
    const std::vector<std::string> settings = it.mc ? std::vector<std::string>{"-"} : gen_settings;
    for (const std::string& s : settings) {
      keys.push_back(result_key(it, s));
      if (!done.count(keys.back())) todo.push_back({&it, s});
    }
  }

  std::ofstream out;
  if (!o.out.empty()) {
    // A line cut off by an interruption must not swallow the next result.
    bool ends_cleanly = true;
    {
      std::ifstream tail(o.out, std::ios::binary | std::ios::ate);
      if (tail && tail.tellg() > 0) {
        tail.seekg(-1, std::ios::end);
        ends_cleanly = tail.get() == '\n';
      }
    }
    out.open(o.out, std::ios::app);
    if (!out) throw Error(o.out + ": cannot open the results file for writing");
    if (!ends_cleanly) out << '\n';
  }
  std::mutex mu;
  std::atomic<size_t> next{0};
  std::atomic<int64_t> finished{static_cast<int64_t>(keys.size() - todo.size())};
  std::string failure;
  const auto worker = [&] {
    for (size_t i; (i = next++) < todo.size();) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!failure.empty()) return;
      }
      const Task& t = todo[i];
      const auto t0 = std::chrono::steady_clock::now();
      Result r;
      try {
        r = t.item->mc ? score_mc(target, *t.item) : score_gen(target, *t.item, t.setting, o);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mu);
        if (failure.empty()) failure = t.item->id + " (" + t.item->lang + "): " + e.what();
        return;
      }
      r["key"] = result_key(*t.item, t.setting);
      r["id"] = t.item->id;
      r["lang"] = t.item->lang;
      r["category"] = t.item->category;
      r["type"] = t.item->mc ? "mc" : "gen";
      r["setting"] = t.setting;
      r["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::lock_guard<std::mutex> lock(mu);
      if (out.is_open()) {
        out << server::dump(r) << '\n';
        out.flush();
      }
      done[r["key"].get<std::string>()] = r;
      if (o.progress) o.progress(++finished, static_cast<int64_t>(keys.size()));
    }
  };
  std::vector<std::thread> threads;
  for (int k = 1; k < std::max(o.parallel, 1); ++k) threads.emplace_back(worker);
  worker();
  for (auto& th : threads) th.join();
  if (!failure.empty()) throw Error("eval stopped at " + failure + " (the results so far are kept; rerun to resume)", ExitCode::Failure);

  std::vector<Result> results;
  for (const std::string& k : keys) results.push_back(done.at(k));
  return results;
}

}  // namespace fathom::eval
