"""The WeChat Work (企业微信) self-built app: callback crypto, message formatting, the active message API."""
