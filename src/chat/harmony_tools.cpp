// JSON schema -> the TypeScript-like tool definitions of gpt-oss's chat template. This
// follows the template's macros literally, whitespace quirks included (the newline and
// indentation before nested property types, "// default" placement, " | \n" between
// oneOf variants): the model was trained on what the template prints, not on what it
// meant to print.
#include <algorithm>

#include "chat/harmony.h"
#include "chat/json_text.h"

namespace fathom::chat {

namespace {

// Jinja's attribute lookup: nullptr stands for "undefined".
const Json* field(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// Jinja truthiness of a JSON value (undefined, null, false, 0, "", [] and {} are false).
bool truthy(const Json* v) {
  if (v == nullptr || v->is_null()) return false;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_number()) return v->get<double>() != 0.0;
  if (v->is_string()) return !v->get_ref<const std::string&>().empty();
  return !v->empty();
}

bool equals(const Json* v, const char* s) { return v != nullptr && v->is_string() && *v == s; }

// How "..." + value prints a value: strings as they are, anything else as JSON.
std::string str(const Json& v) { return v.is_string() ? v.get<std::string>() : to_json_text(v); }

std::string join(const Json& list, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) out += (i ? sep : "") + str(list[i]);
  return out;
}

bool listed(const Json* required, const std::string& name) {
  return required != nullptr && required->is_array() &&
         std::find(required->begin(), required->end(), name) != required->end();
}

size_t code_points(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The template's render_typescript_type macro.
std::string ts_type(const Json& spec) {
  const Json* type = field(spec, "type");
  const std::string null_suffix = truthy(field(spec, "nullable")) ? " | null" : "";
  if (equals(type, "array")) {
    const Json* items = field(spec, "items");
    if (items == nullptr) return "any[]" + null_suffix;
    const Json* item_type = field(*items, "type");
    std::string t;
    if (equals(item_type, "string")) {
      t = "string[]";
    } else if (equals(item_type, "number") || equals(item_type, "integer")) {
      t = "number[]";
    } else if (equals(item_type, "boolean")) {
      t = "boolean[]";
    } else {
      const std::string inner = ts_type(*items);
      t = inner == "object | object" || code_points(inner) > 50 ? "any[]" : inner + "[]";
    }
    return t + null_suffix;
  }
  if (type != nullptr && type->is_array() && !type->empty()) {  // ["string", "number"]
    return type->size() > 1 ? join(*type, " | ") : str((*type)[0]);
  }
  if (const Json* one_of = field(spec, "oneOf"); truthy(one_of)) {
    // The template means to print "any" for unions with object variants, but it sets
    // that flag inside a for loop, where Jinja scoping discards it: variants always print.
    std::string out;
    for (size_t i = 0; i < one_of->size(); ++i) {
      const Json& variant = (*one_of)[i];
      out += ts_type(variant);
      if (const Json* d = field(variant, "description"); truthy(d)) out += "// " + str(*d);
      if (const Json* d = field(variant, "default")) out += std::string(20, ' ') + "// default: " + to_json_text(*d);
      if (i + 1 < one_of->size()) out += " | \n";
    }
    return out;
  }
  if (equals(type, "string")) {
    if (const Json* e = field(spec, "enum"); truthy(e)) return "\"" + join(*e, "\" | \"") + "\"";
    return "string" + null_suffix;
  }
  if (equals(type, "number") || equals(type, "integer")) return "number";
  if (equals(type, "boolean")) return "boolean";
  if (equals(type, "object")) {
    const Json* props = field(spec, "properties");
    if (!truthy(props)) return "object";
    const Json* required = field(spec, "required");
    std::string out = "{\n";
    size_t i = 0;
    for (const auto& [name, prop] : props->items()) {
      out += name + (listed(required, name) ? "" : "?") + ": \n" + std::string(16, ' ') + ts_type(prop);
      if (++i < props->size()) out += ", ";
    }
    return out + "}";
  }
  return "any";
}

}  // namespace

std::string harmony_functions_namespace(const std::vector<ToolDef>& tools) {
  std::string out = "## functions\n\nnamespace functions {\n\n";
  for (const ToolDef& tool : tools) {
    out += "// " + tool.description + "\n";
    out += "type " + tool.name + " = ";
    const Json* props = field(tool.parameters, "properties");
    if (!truthy(&tool.parameters) || !truthy(props)) {
      out += "() => any;\n\n";
      continue;
    }
    const Json* required = field(tool.parameters, "required");
    out += "(_: {\n";
    for (const auto& [name, spec] : props->items()) {
      if (const Json* d = field(spec, "description"); truthy(d)) out += "// " + str(*d) + "\n";
      out += name + (listed(required, name) ? "" : "?") + ": " + ts_type(spec);
      if (const Json* def = field(spec, "default")) {
        if (truthy(field(spec, "enum"))) {
          out += ", // default: " + str(*def);
        } else if (truthy(field(spec, "oneOf"))) {
          out += "// default: " + str(*def);
        } else {
          out += ", // default: " + to_json_text(*def);
        }
      }
      out += ",\n";
    }
    out += "}) => any;\n\n";
  }
  return out + "} // namespace functions";
}

}  // namespace fathom::chat
