"""Ingestion: a measure as .docx, .pdf (with text), .txt or .md becomes a document of the base.

``extract`` reads the file's text, ``structure`` finds its own units (articles, 款, 项, outlines),
``document`` checks the metadata and writes the YAML of the knowledge spec, ``store`` adds it to the
deployment's knowledge directory and rebuilds the index, or leaves everything as it was.
"""
