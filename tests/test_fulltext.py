"""CJK-aware full-text forms (pure functions; the store tests run them through FTS5)."""

from pocketmind.search.fulltext import index_form, match_expression, query_terms


def test_cjk_runs_become_unigrams_bigrams_and_marked_words():
    assert index_form("去爬长城") .split() == ["去", "爬", "长", "城", "去爬", "爬长", "长城", "zh长城"]
    assert index_form("plain English") == "plain English"


def test_query_terms_drop_stopwords_and_keep_cjk_words():
    assert query_terms("When did Anna say she was moving?") == ["anna", "moving"]
    assert query_terms("长城 trip") == ["长城", "trip"]


def test_match_expression_takes_a_cjk_word_or_every_one_of_its_bigrams():
    assert match_expression("万里长城") == '("zh万里长城" OR ("万里" AND "里长" AND "长城"))'
    assert match_expression('say "hi" Anna') == '"hi" OR "anna"'


def test_a_latin_word_or_number_ends_where_a_cjk_run_starts():
    # Indexed text splits there too ("Dmitry在WhatsApp上" -> dmitry / 在 / whatsapp / 上): glued to
    # the run, "Steph" matched nothing and a question starting "2025年..." lost its whole run.
    assert query_terms("我和Steph开会时讨论了哪本书？") == ["我和", "steph", "开会时讨论了哪本书"]
    assert query_terms("2025年劳动节的补班日是哪天？") == ["2025", "年劳动节的补班日是哪天"]
    assert query_terms("Dmitry在WhatsApp上分享了哪个地点") == ["dmitry", "在", "whatsapp", "上分享了哪个地点"]
    assert index_form("Dmitry在WhatsApp上").split()[0] == "Dmitry"
