"""Evaluation of the assistant on a labelled set: set checker, metrics, naive baseline, report.

Nothing is imported here on purpose: ``assistant eval`` and the tests import the submodules they
need, and the runner pulls in the whole pipeline, which a set check does not need.
"""
