"""WeChat Work's callback encryption written out independently of wechatpy, playing WeChat's side in tests.

The wire format: base64(AES-256-CBC(key, iv=key[:16], PKCS#7 to 32-byte blocks)(16 random bytes ||
uint32 big-endian length || message || corp id)); msg_signature = sha1 of the sorted token, timestamp,
nonce and ciphertext, concatenated.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class WeComPeer:
    """Encrypts what WeChat sends and decrypts what the app answers."""

    def __init__(self, token: str, aes_key: str, corp_id: str) -> None:
        self.token = token
        self.key = base64.b64decode(aes_key + "=")
        self.corp_id = corp_id

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return hashlib.sha1("".join(sorted([self.token, timestamp, nonce, encrypted])).encode()).hexdigest()

    def encrypt(self, plain: str) -> str:
        body = (
            os.urandom(16) + struct.pack(">I", len(plain.encode())) + plain.encode() + self.corp_id.encode()
        )
        pad = 32 - len(body) % 32
        body += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(encryptor.update(body) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        body = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        body = body[: -body[-1]]
        (length,) = struct.unpack(">I", body[16:20])
        assert body[20 + length :].decode() == self.corp_id, "reply encrypted for another corp id"
        return body[20 : 20 + length].decode()

    def text_message(self, user: str, content: str, msg_id: str, agent_id: str = "1000002") -> str:
        """The plain XML of a text message a user sends to the app."""
        return (
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>1700000000</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id}</MsgId><AgentID>{agent_id}</AgentID></xml>"
        )

    def envelope(self, plain: str, timestamp: str, nonce: str) -> tuple[str, str]:
        """The POST body WeChat sends and its msg_signature."""
        encrypted = self.encrypt(plain)
        body = (
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"
        )
        return body, self.signature(timestamp, nonce, encrypted)

    def open_reply(self, xml: str) -> str:
        """Check the signature of the app's encrypted reply and return the plain reply XML."""
        encrypted = _tag(xml, "Encrypt")
        timestamp, nonce = _tag(xml, "TimeStamp"), _tag(xml, "Nonce")
        assert _tag(xml, "MsgSignature") == self.signature(timestamp, nonce, encrypted), "bad reply signature"
        return self.decrypt(encrypted)


def _tag(xml: str, name: str) -> str:
    m = re.search(rf"<{name}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{name}>", xml, re.S)
    assert m, f"no <{name}> in {xml[:200]}"
    return m.group(1)


def reply_content(plain_xml: str) -> str:
    """The Content of a plain reply XML."""
    return _tag(plain_xml, "Content")
