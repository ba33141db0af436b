// o200k_harmony's special tokens, as tiktoken_ext/openai_public.py defines them:
// o200k_base's two, harmony's named tokens, and <|reserved_N|> for the rest up to
// 201087 (200018 answers to both <|endofprompt|> and <|reserved_200018|>).
export function harmonySpecials() {
  const s = {
    "<|endoftext|>": 199999,
    "<|endofprompt|>": 200018,
    "<|startoftext|>": 199998,
    "<|reserved_200000|>": 200000,
    "<|reserved_200001|>": 200001,
    "<|return|>": 200002,
    "<|constrain|>": 200003,
    "<|reserved_200004|>": 200004,
    "<|channel|>": 200005,
    "<|start|>": 200006,
    "<|end|>": 200007,
    "<|message|>": 200008,
    "<|reserved_200009|>": 200009,
    "<|reserved_200010|>": 200010,
    "<|reserved_200011|>": 200011,
    "<|call|>": 200012,
  };
  for (let id = 200013; id < 201088; ++id) s[`<|reserved_${id}|>`] = id;
  return s;
}
