"""The built-in indexers, embedders and answerer, registered through the same
hooks and entry-point group (``pocketmind``) as any third-party plugin."""

from __future__ import annotations

from .hookspecs import hookimpl


@hookimpl
def register_indexers(register):
    from pocketmind.indexers import builtin

    for indexer in builtin.all_indexers():
        register(indexer)


@hookimpl
def register_embedders(register):
    from .embeddings import MiniLMEmbedder, MultilingualUSEEmbedder

    register("minilm", MiniLMEmbedder)
    register("use-multilingual", MultilingualUSEEmbedder)


@hookimpl
def register_answerers(register):
    from .answer.extractive import ExtractiveOnly
    from .answer.llama import LlamaAnswerer

    def make(settings, paths):
        m = settings.models
        return LlamaAnswerer(m.llm_path, m.llm_threads, settings.answer_window(), m.max_answer_tokens, paths.cache_dir)

    register("llama", make)
    # No language model at all: every answer is from the data or a quoted span of it.
    register("extractive", lambda settings, paths: ExtractiveOnly())
