"""Scale: index build time, peak memory and query latency on a synthetic base of N units (default
100,000) made by recombining sentences of the shipped base. Run: `python -m bench scale [--units N]`."""

from __future__ import annotations

import random
import re
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from assistant.embedder import HashingEmbedder
from assistant.index import SearchIndex, unit_document
from assistant.knowledge import KnowledgeBase, load_knowledge
from assistant.lexical import LexicalIndex
from assistant.normalize import normalize_question
from assistant.retrieve import Retriever
from assistant.settings import Settings
from assistant.textseg import Tokenizer, tokenize_corpus
from assistant.vectorstore import ChromaStore, chroma_client

QUERIES = [
    "为了赶汛期没走政府采购就先找人修了闸门，事后补了手续",
    "村支书收了施工方两万块好处费",
    "三个区分开来具体是哪三个",
    "容错从申请到认定一般要走哪些环节",
    "上级明令禁止后依然我行我素能容错吗",
    "集体研究决定的改革试点出了偏差，已经整改",
    "违规发放津补贴能不能从轻",
    "被人诬告了怎么澄清",
]


def synthetic_base(kb: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """``size`` units whose texts are 2–4 sentences drawn from the real base (ids syn-N:i)."""
    rng = random.Random(seed)
    sentences = [s for u in kb for s in re.split(r"(?<=[。；;])", u.text) if len(s) > 8]
    template = next(iter(kb))
    units = {}
    for i in range(size):
        text = "".join(rng.sample(sentences, rng.randint(2, 4)))
        doc = f"syn-{i // 1000}"
        uid = f"{doc}:{i}"
        units[uid] = replace(template, id=uid, doc_id=template.doc_id, local_id=str(i), text=text)
    return KnowledgeBase(documents=kb.documents, units={**kb.units, **units}, version="synthetic")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(size: int = 100_000) -> None:
    settings = Settings()
    kb = synthetic_base(load_knowledge(settings.knowledge_dir), size)
    unit_ids = list(kb.units)
    print(f"\nsynthetic base: {len(unit_ids):,} units (shipped units + {size:,} recombined)")
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer = Tokenizer(settings.knowledge_dir, Path(tmp) / "cache")
        embedder = HashingEmbedder()
        t0 = time.perf_counter()
        documents = [unit_document(kb, u) for u in unit_ids]
        lexical = LexicalIndex.build(tokenize_corpus(tokenizer, documents))
        t1 = time.perf_counter()
        vectors = embedder.embed(documents)
        t2 = time.perf_counter()
        store = ChromaStore(chroma_client(path=Path(tmp) / "chroma"), "scale", embedder, create=True)
        store.add(unit_ids, vectors, [{"doc_id": kb.units[u].doc_id} for u in unit_ids])
        t3 = time.perf_counter()
        print(
            f"build: lexical {t1 - t0:.1f} s, embeddings {t2 - t1:.1f} s, chroma {t3 - t2:.1f} s, "
            f"total {t3 - t0:.1f} s; peak RSS {_peak_mb():,.0f} MB"
        )
        index = SearchIndex(kb, tokenizer, lexical, store, embedder, unit_ids, {"units": len(unit_ids)})
        retriever = Retriever.from_index(index, settings.knowledge_dir)
        questions = [normalize_question(q, settings.knowledge_dir, 10_000) for q in QUERIES]
        for q in questions:  # warm caches once
            retriever.search(q, 10)
        times = []
        for _ in range(5):
            for q in questions:
                started = time.perf_counter()
                retriever.search(q, 10)
                times.append((time.perf_counter() - started) * 1000)
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        print(
            f"query latency over {len(times)} queries: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
        )


if __name__ == "__main__":
    main()
