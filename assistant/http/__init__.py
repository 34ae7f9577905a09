"""The HTTP layer: request parsing and guards, the answer endpoints, the OpenAI-compatible API."""
