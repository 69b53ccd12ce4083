"""Chinese words (jieba) for full-text search, and the function words a question leaves out.

Bigrams find any two-character sequence, including accidents across a word
boundary (表弟 inside 代表弟弟). jieba's dictionary splits a run into words
(表弟 / 下个月 / 杭州 / 结婚), which the full-text index holds beside the
bigrams as marked tokens (``WORD_MARK`` + word), so a passage containing the
word ranks above one that only contains its characters.

jieba builds its prefix dictionary on first use (~1-5 s on these machines) and
keeps it as a cache file; that file goes to the user's cache folder
(:func:`use_cache_dir`, set by the engine), never the package or a shared /tmp.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

# unicode61 keeps Latin letters and CJK characters in one token: "zh表弟" is one
# term no text or query can produce, since CJK runs are always split from Latin.
WORD_MARK = "zh"

# Words that shape a question rather than say what it is about: they must not
# drive ranking (jieba's words, and what remains of its longer splits).
FUNCTION_WORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 哦 嘛 么 是 在 有 和 与 也 都 就 还 又 才 很 太 最 过 着 被 把 给 让 对 从 跟 向 于 之
    我 你 您 他 她 它 我们 你们 他们 她们 咱们 自己 大家 人家
    什么 时候 什么时候 是什么 为什么 怎么 怎么样 怎样 如何 哪 哪个 哪些 哪里 哪儿 哪天 哪年 多少 几 几号 几点 谁
    这 那 这个 那个 这些 那些 这里 那里 这样 那样 一个 一些 一下 一点 有没有 没有 是不是 不是 可以 能 会 要 想
    知道 还是 就是 只是 但是 因为 所以 如果 然后 而且 或者 已经 正在 时间 记得 告诉 请问 一起 还有 觉得 应该 真的
    呃 嗯 啦 哈 哈哈 呵呵 吗 呗 咯 喔""".split()
)

_CACHE_DIR: Path | None = None
_LOCK = threading.Lock()


def use_cache_dir(folder: Path) -> None:
    """Where jieba keeps its dictionary cache (the engine's cache folder)."""
    global _CACHE_DIR
    _CACHE_DIR = Path(folder)


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it announces building its dictionary on stderr
    tokenizer = jieba.Tokenizer()
    folder = _CACHE_DIR
    if folder is None:
        from pocketmind.paths import resolve_paths

        folder = resolve_paths().cache_dir
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.tmp_dir = str(folder)
    with _LOCK:
        tokenizer.initialize()
    return tokenizer


def words(run: str) -> list[str]:
    """jieba's words of a CJK run, in order (HMM off: no invented words)."""
    return _tokenizer().lcut(run, HMM=False)


def index_words(run: str) -> list[str]:
    """The words of a run worth a marked token: two characters or more, and the
    shorter dictionary words inside longer ones (国庆 in 国庆节)."""
    return [w for w in _tokenizer().lcut_for_search(run, HMM=False) if len(w) > 1]


def content_words(run: str) -> list[str]:
    """The words of a query's CJK run that say what it is about. Single characters
    that are not function words and stand together (a name jieba does not know,
    小王 -> 小 / 王) are joined back into one word."""
    out: list[str] = []
    loose = ""
    for word in words(run) + [""]:
        if len(word) == 1 and word not in FUNCTION_WORDS:
            loose += word
            continue
        if loose:
            out.append(loose)
            loose = ""
        if word and word not in FUNCTION_WORDS:
            out.append(word)
    return out
