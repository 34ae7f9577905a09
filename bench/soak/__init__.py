"""`make soak`: the service under faults and hostile input, on 127.0.0.1 only, in bounded runs.

Phases (each its own module): fuzzed requests on every endpoint (``fuzz``), 32 clients and memory over
distinct long questions (``load``), LLM faults at 100 concurrent requests (``faults``), a worker killed
with ``kill -9`` while a knowledge file on disk is broken (``kill``). ``python -m bench.soak`` prints
the figures and writes bench/out/soak.json.
"""
