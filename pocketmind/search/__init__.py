"""Finding passages: reading the question, people, hybrid retrieval, full text.

- :mod:`.question`: a question's time window, people, places and kinds;
- :mod:`.people`: one person registry across chats and contacts;
- :mod:`.retrieval`: vector and full-text ranks fused, boosts, one result per document;
- :mod:`.fulltext`: the full-text form of text and queries (CJK bigrams).
"""
