"""Answering a question over its search results (see :mod:`.pipeline`).

- :mod:`.pipeline`: the ask pipeline, one direction from results to answer;
- :mod:`.context`: which passages the model reads (relevance, conversation windows, token budget);
- :mod:`.grounded`: answers taken from the data (dates, calendar listings);
- :mod:`.abstain`: "not mentioned by X" when others said it;
- :mod:`.prompt`: instructions, worked example, quoted excerpts;
- :mod:`.llama`: the local GGUF answerer (llama-cpp-python), loaded safely.
"""

from .pipeline import ABSTAIN_DEPTH, AskOptions, answer_question
from .prompt import NOT_FOUND

__all__ = ["ABSTAIN_DEPTH", "AskOptions", "NOT_FOUND", "answer_question"]
