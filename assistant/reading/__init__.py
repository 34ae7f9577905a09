"""Reading a cadre's story: every turn of a conversation in, typed facts with the user's words out.

The assessor decides on what this stage returns and reads nothing itself.
"""

from assistant.reading.facts import Fact, Facts, Sighting
from assistant.reading.reader import Reader

__all__ = ["Fact", "Facts", "Reader", "Sighting"]
