"""Answering a question over its search results (see :mod:`.pipeline`).

- :mod:`.pipeline`: the ask pipeline, one direction from results to an answer card;
- :mod:`.context`: which passages the model reads (relevance, conversation windows, token budget);
- :mod:`.grounded`, :mod:`.typed`, :mod:`.summary`: answers taken from the data (dates, calendar
  listings, contact fields, places, authors, dated lists);
- :mod:`.verify`: every specific of a generated answer checked against its citations;
- :mod:`.extractive`: the best span of the passages, when the model's answer fails the check;
- :mod:`.evidence`: the quoted line of each cited passage; :mod:`.words`: a question's subject words;
- :mod:`.abstain`: "not mentioned by X" when others said it;
- :mod:`.prompt`: instructions, worked example, quoted excerpts;
- :mod:`.llama`: the local GGUF answerer (llama-cpp-python), loaded safely.
"""

from .pipeline import ABSTAIN_DEPTH, AskOptions, answer_question
from .prompt import NOT_FOUND

__all__ = ["ABSTAIN_DEPTH", "AskOptions", "NOT_FOUND", "answer_question"]
