"""LLM mode: any OpenAI-compatible chat model writes the answer; code keeps it grounded.

The model sees the units retrieval and assessment chose (with their ids), the judgement the code made,
and the conversation (masked when the endpoint is not on this machine or a private network). Its
answer is checked in code (ids, exact quotes, verdict, injection echoes) before a user sees it;
anything that fails twice, or an endpoint that fails, gives way to the offline answer.
"""
