"""The ``ingest`` and ``remove`` subcommands (registered by assistant/cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.settings import Settings, get_settings


def add_parsers(sub: Any) -> None:
    ing = sub.add_parser(
        "ingest", help="add a measure (.docx, .pdf with text, .txt, .md) to the knowledge base"
    )
    ing.add_argument("path", type=Path, help="the document file")
    ing.add_argument(
        "--doc-id", required=True, help="document id: lowercase words joined by '-', ending with the year"
    )
    ing.add_argument(
        "--title", required=True, help="full official title, e.g. 绵阳市容错纠错实施办法（试行）"
    )
    ing.add_argument(
        "--jurisdiction", required=True, help="全国 or a province, e.g. 四川 (a city's measure: its province)"
    )
    ing.add_argument("--type", required=True, help="regulation | disclosure | case | commentary")
    ing.add_argument("--issuer", help="issuing body")
    ing.add_argument("--doc-number", help="文号, e.g. 绵委办发〔2018〕25号")
    ing.add_argument("--date", help="issued, YYYY-MM-DD")
    ing.add_argument("--short-title", help="the name an answer uses (default 《title》)")
    ing.add_argument("--status", help="现行有效 | 已修订 | 已废止 | 未知 (default 未知)")
    ing.add_argument("--dry-run", action="store_true", help="print the review table only; write nothing")
    ing.add_argument(
        "--paragraphs",
        action="store_true",
        help="take each paragraph as a unit (a document without numbering)",
    )
    ing.add_argument("--replace", action="store_true", help="replace a document added earlier under this id")

    rm = sub.add_parser("remove", help="remove a document added by ingest and rebuild the index")
    rm.add_argument("doc_id", help="the document id")


def _rebuild(settings: Settings) -> Any:
    """Build aside, open a whole Assistant on the build before it is swapped in (as `index` does)."""
    from assistant.http.holder import open_assistant
    from assistant.index import build_index

    return lambda: build_index(settings, validate=lambda folder: open_assistant(settings, folder))


def cmd_ingest(args: argparse.Namespace) -> int:
    from assistant.ingest import store
    from assistant.ingest.document import Metadata

    settings = get_settings()
    path: Path = args.path
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(f"不是文件：{path}")
        if size > settings.ingest_max_bytes:  # refused before reading a byte of it
            limit = settings.ingest_max_bytes / 1024 / 1024
            raise InputError(
                f"文件过大：{size / 1024 / 1024:.1f} MB，超过上限 {limit:.0f} MB（ASSISTANT_INGEST_MAX_BYTES）。"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文件：{path}（{exc.strerror or exc}）") from exc
    meta = Metadata(
        doc_id=args.doc_id,
        title=args.title,
        jurisdiction=args.jurisdiction,
        type=args.type,
        issuer=args.issuer,
        doc_number=args.doc_number,
        date=args.date,
        short_title=args.short_title,
        status=args.status,
    )
    try:
        prepared = store.prepare(path.name, data, meta, settings, args.paragraphs, args.replace)
    except store.IngestError as exc:
        print(exc.message, file=sys.stderr)
        for line in exc.found:  # what was found, so the user can decide (e.g. --paragraphs)
            print("  " + line, file=sys.stderr)
        return exc.exit_code
    print(prepared.table)
    if args.dry_run:
        print("（试运行：未写入。确认无误后去掉 --dry-run 再运行一次。）")
        return 0
    manifest = store.add(prepared, settings, _rebuild(settings))
    print(
        f"已导入 {prepared.doc_id}：{len(prepared.rows)} 个单元，写入 {settings.local_knowledge_dir}；"
        f"索引已重建（{manifest.get('units')} 个条文单元，知识库版本 {manifest.get('knowledge_version')}）。"
        "运行中的服务会自动加载新索引。"
    )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from assistant.ingest import store

    settings = get_settings()
    manifest = store.remove(args.doc_id, settings, _rebuild(settings))
    print(
        f"已删除 {args.doc_id}；索引已重建（{manifest.get('units')} 个条文单元，"
        f"知识库版本 {manifest.get('knowledge_version')}）。"
    )
    return 0


COMMANDS = {"ingest": cmd_ingest, "remove": cmd_remove}
