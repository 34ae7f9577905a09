"""The soak's fuzzer (bench/soak/fuzz.py) against the app over real HTTP: hostile JSON, raw bytes,
wrong content types, unknown methods, unparsable HTTP, signed and unsigned WeChat callbacks. No 5xx,
no dropped connection, every stream ends with [DONE], every error is JSON."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from assistant.pipeline import Assistant
from assistant.server import create_app
from assistant.settings import Settings
from bench.soak import fuzz
from tests.fakes.wecom_crypto import WeComPeer
from tests.fakes.wecom_server import fake_wecom
from tests.serving import running

pytestmark = pytest.mark.integration
CORP, SECRET, CALLBACK_TOKEN = "ww-fuzz", "fuzz-secret", "fuzz-cb-token"


def test_fuzzed_requests_never_make_a_5xx_or_drop_a_stream(
    settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    aes = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    questions = [
        "三个区分开来具体是哪三个？",
        "为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗",
        "村主任修村道时收了施工方两万块辛苦费",
        "形象工程能容错吗",
    ]
    with fake_wecom(CORP, SECRET) as (_, api_base):
        own = settings.model_copy(
            update={
                "data_dir": tmp_path,
                "api_token": fuzz.TOKEN,
                "wecom_corp_id": CORP,
                "wecom_agent_id": "1000002",
                "wecom_secret": SECRET,
                "wecom_token": CALLBACK_TOKEN,
                "wecom_aes_key": aes,
                "wecom_api_base": api_base,
            }
        )
        with running(create_app(own, assistant)) as url:
            tally = fuzz.run(url, questions, WeComPeer(CALLBACK_TOKEN, aes, CORP), n=800, threads=4, seed=3)
    assert not [s for s in tally.statuses if s >= 500], tally.examples
    assert tally.dropped == 0 and tally.streams_cut == 0 and tally.non_json_errors == 0, tally.examples
    assert tally.streams > 0 and tally.statuses[200] > 0  # answers and streams were reached, not only errors
