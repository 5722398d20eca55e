"""tracemask: fast, accurate masking of personal data and secrets in LLM traces."""
