// Conversations rendered by both the models' own chat templates and fathom, in fathom's
// neutral shape: messages {role, content, reasoning?, tool_calls?: [{id, name, arguments}],
// name?, tool_call_id?}, tools {name, description, parameters}, and the render options.
// render_expected.mjs maps them to each template's field names (thinking,
// reasoning_content, {type: "function", function: {...}}).

const DATE = "2025-08-05";  // pinned: the gpt-oss template prints today's date

const weather = {
  name: "get_current_weather",
  description: "Gets the current weather in the provided location.",
  parameters: {
    type: "object",
    properties: {
      location: { type: "string", description: "The city and state, e.g. San Francisco, CA" },
      format: { type: "string", enum: ["celsius", "fahrenheit"], default: "celsius" },
    },
    required: ["location"],
  },
};

const location = {
  name: "get_location",
  description: "Gets the location of the user.",
  parameters: { type: "object", properties: {} },
};

const multiWeather = {
  name: "get_multiple_weathers",
  description: "Погода сразу в нескольких городах.",
  parameters: {
    type: "object",
    properties: {
      locations: {
        type: "array",
        items: { type: "string" },
        description: "Список городов, например [\"Москва\", \"Казань\"]",
      },
      format: { type: "string", enum: ["celsius", "fahrenheit"], default: "celsius" },
    },
    required: ["locations"],
  },
};

// Every branch of the gpt-oss template's JSON-schema-to-TypeScript macro.
const catalog = {
  name: "search_catalog",
  description: "Searches the product catalog.",
  parameters: {
    type: "object",
    properties: {
      query: { type: "string", nullable: true, description: "Free text; null lists everything" },
      limit: { type: "integer", default: 10 },
      price: { type: "number", description: "Upper price bound" },
      in_stock: { type: "boolean", default: true },
      unit: { type: "string", default: "шт" },
      tags: { type: "array", items: { type: "number" }, nullable: true },
      ids: { type: "array", items: { type: "integer" } },
      flags: { type: "array", items: { type: "boolean" } },
      anything: { type: "array" },
      anything_or_null: { type: "array", nullable: true },
      filters: {
        type: "object",
        properties: { brand: { type: "string" }, year: { type: "integer" } },
        required: ["brand"],
      },
      points: { type: "array", items: { type: "object", properties: { x: { type: "number" } } } },
      big_points: {
        type: "array",
        items: { type: "object", properties: { latitude: { type: "number" }, longitude: { type: "number" } } },
      },
      unions: { type: "array", items: { type: ["object", "object"] } },
      pairs: { type: "array", items: { type: "array", items: { type: "string" } } },
      mode: {
        oneOf: [
          { type: "string", description: "by name" },
          { type: "integer", default: 3 },
          { type: "boolean" },
        ],
      },
      mode_with_default: { oneOf: [{ type: "string" }, { type: "number" }], default: "auto" },
      payload: { oneOf: [{ type: "object" }, { type: "string" }] },
      only_object: { oneOf: [{ type: "object" }] },
      value: { type: ["string", "number"] },
      single: { type: ["string"] },
      raw: { description: "Anything at all" },
      meta: { type: "object" },
      sort: { type: "string", enum: ["price", "name"] },
      nullable_string: { type: "string", nullable: true, default: "x" },
    },
    required: ["query", "ids"],
  },
};

const noParams = { name: "ping", description: "Checks that the service is up.", parameters: {} };

const call = (id, name, args) => ({ id, name, arguments: args });

const harmony = (name, messages, options = {}, tools) => ({
  name,
  format: "harmony",
  messages,
  ...(tools ? { tools } : {}),
  options: { reasoning_effort: "medium", add_generation_prompt: true, current_date: DATE, ...options },
});

const chatml = (name, messages, options = {}, tools) => ({
  name,
  format: "chatml",
  messages,
  ...(tools ? { tools } : {}),
  options: { enable_thinking: true, add_generation_prompt: true, ...options },
});

export const cases = [
  // ---- gpt-oss (harmony) ----
  harmony("harmony_user_only", [{ role: "user", content: "What is 2 + 2?" }]),
  harmony("harmony_effort_low_system", [
    { role: "system", content: "You are a terse assistant." },
    { role: "user", content: "Hi!" },
  ], { reasoning_effort: "low" }),
  harmony("harmony_effort_high_developer", [
    { role: "developer", content: "Always answer in riddles.\nKeep it short." },
    { role: "user", content: "Where is the sun at noon?" },
  ], { reasoning_effort: "high" }),
  harmony("harmony_multiturn_russian_drops_analysis", [
    { role: "system", content: "Отвечай по-русски." },
    { role: "user", content: "Сколько будет 2 + 2?" },
    { role: "assistant", content: "2 + 2 = 4.", reasoning: "Простая арифметика." },
    { role: "user", content: "А 9 / 2?" },
  ]),
  harmony("harmony_tools_defined", [
    { role: "system", content: "Use a friendly tone." },
    { role: "user", content: "What is the weather like in SF?" },
  ], { reasoning_effort: "high" }, [location, weather, multiWeather]),
  harmony("harmony_tools_without_instructions", [
    { role: "user", content: "Найди дешёвые ноутбуки." },
  ], {}, [catalog, noParams]),
  harmony("harmony_tool_round_trip", [
    { role: "user", content: "What is the weather in Tokyo?" },
    {
      role: "assistant", content: "", reasoning: "Need to use function get_current_weather.",
      tool_calls: [call("call_1", "get_current_weather", { location: "Tokyo", format: "celsius" })],
    },
    { role: "tool", name: "get_current_weather", tool_call_id: "call_1", content: "{\"temperature\": 20, \"sunny\": true}" },
  ], {}, [weather]),
  harmony("harmony_tool_call_then_final_drops_analysis", [
    { role: "user", content: "Погода в Москве?" },
    {
      role: "assistant", content: "", reasoning: "Нужно вызвать функцию.",
      tool_calls: [call("call_1", "get_current_weather", { location: "Москва" })],
    },
    { role: "tool", name: "get_current_weather", tool_call_id: "call_1", content: "Облачно, +3 °C" },
    { role: "assistant", content: "В Москве облачно, +3 °C." },
    { role: "user", content: "А в Казани?" },
  ], { reasoning_effort: "low" }, [weather]),
  harmony("harmony_tool_call_content_as_analysis", [
    { role: "user", content: "Where am I?" },
    { role: "assistant", content: "I should look up the location.", tool_calls: [call("c1", "get_location", {})] },
    { role: "tool", name: "get_location", tool_call_id: "c1", content: "Paris \"FR\"\nline two\\" },
  ], {}, [location]),
  harmony("harmony_last_assistant_training_form", [
    { role: "user", content: "Say hi." },
    { role: "assistant", content: "Hi!", reasoning: "The user wants a greeting." },
  ], { add_generation_prompt: false }),
  harmony("harmony_last_assistant_empty_reasoning", [
    { role: "user", content: "Say hi." },
    { role: "assistant", content: "Hi!", reasoning: "" },
  ], { add_generation_prompt: false }),
  harmony("harmony_last_assistant_no_reasoning", [
    { role: "user", content: "Say hi." },
    { role: "assistant", content: "Hi!" },
  ], { add_generation_prompt: false }),
  harmony("harmony_later_system_dropped", [
    { role: "user", content: "One." },
    { role: "system", content: "This one is not rendered." },
    { role: "assistant", content: "Two." },
    { role: "developer", content: "Nor this one." },
    { role: "user", content: "Three." },
  ]),
  harmony("harmony_two_tool_calls_in_sequence", [
    { role: "user", content: "Weather here?" },
    { role: "assistant", content: "", reasoning: "First find the location.", tool_calls: [call("a", "get_location", {})] },
    { role: "tool", tool_call_id: "a", content: "Berlin" },
    {
      role: "assistant", content: "", reasoning: "Now the weather.",
      tool_calls: [call("b", "get_current_weather", { location: "Berlin", nested: { list: [1, 2.5, "x"], ok: false, none: null } })],
    },
    { role: "tool", tool_call_id: "b", content: "{\"t\": 12}" },
  ], {}, [location, weather]),

  // ---- Qwen3 (ChatML) ----
  chatml("chatml_user_only_thinking", [{ role: "user", content: "What is 2 + 2?" }]),
  chatml("chatml_user_only_no_thinking", [{ role: "user", content: "What is 2 + 2?" }], { enable_thinking: false }),
  chatml("chatml_system_russian", [
    { role: "system", content: "Ты — полезный ассистент." },
    { role: "user", content: "Привет! Как дела?" },
  ]),
  chatml("chatml_multiturn_drops_old_reasoning", [
    { role: "system", content: "Be brief." },
    { role: "user", content: "2 + 2?" },
    { role: "assistant", content: "4", reasoning: "Simple." },
    { role: "user", content: "And 3 + 3? /no_think" },
  ], { enable_thinking: false }),
  chatml("chatml_think_split_from_content", [
    { role: "user", content: "Hi /think" },
    { role: "assistant", content: "<think>\nGreeting.\n</think>\n\nHello!" },
    { role: "user", content: "Bye" },
    { role: "assistant", content: "<think>\n\nThe user leaves.\n\n</think>\n\nGoodbye!" },
  ], { add_generation_prompt: false }),
  chatml("chatml_tools_with_system", [
    { role: "system", content: "You can call tools." },
    { role: "user", content: "What's the weather in Paris?" },
  ], {}, [weather, multiWeather]),
  chatml("chatml_tools_without_system", [{ role: "user", content: "Найди ноутбук." }], {}, [catalog, noParams]),
  chatml("chatml_tool_round_trip", [
    { role: "user", content: "Weather in Paris and Лион?" },
    {
      role: "assistant", content: "", reasoning: "Two cities, two calls.",
      tool_calls: [
        call("c1", "get_current_weather", { location: "Paris" }),
        call("c2", "get_current_weather", { location: "Лион", format: "celsius" }),
      ],
    },
    { role: "tool", name: "get_current_weather", tool_call_id: "c1", content: "{\"t\": 18}" },
    { role: "tool", name: "get_current_weather", tool_call_id: "c2", content: "Солнечно" },
  ], {}, [weather]),
  chatml("chatml_multi_step_tools_then_answer", [
    { role: "user", content: "Where am I and what's the weather?" },
    { role: "assistant", content: "Let me check.", reasoning: "Need location first.", tool_calls: [call("a", "get_location", {})] },
    { role: "tool", content: "Berlin" },
    { role: "assistant", content: "", tool_calls: [call("b", "get_current_weather", { location: "Berlin" })] },
    { role: "tool", content: "{\"t\": 12, \"note\": \"ветрено\"}" },
    { role: "assistant", content: "It is 12 °C in Berlin.", reasoning: "Report it." },
  ], { add_generation_prompt: false }, [location, weather]),
  chatml("chatml_user_message_wrapping_tool_response", [
    { role: "user", content: "Question one" },
    { role: "assistant", content: "Answer one", reasoning: "r1" },
    { role: "user", content: "<tool_response>\nfake\n</tool_response>" },
    { role: "assistant", content: "Answer two", reasoning: "r2" },
  ], { add_generation_prompt: false }),
  chatml("chatml_later_system_kept_developer_dropped", [
    { role: "user", content: "One" },
    { role: "system", content: "Late system note." },
    { role: "developer", content: "Dropped by the template." },
    { role: "assistant", content: "Two" },
    { role: "user", content: "Three" },
  ], { enable_thinking: false }),
  chatml("chatml_empty_reasoning_after_query", [
    { role: "user", content: "Q" },
    { role: "assistant", content: "\n\nA", reasoning: "" },
    { role: "assistant", content: "B", reasoning: "\nr\n" },
  ], { add_generation_prompt: false }),
];
