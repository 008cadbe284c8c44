"""Proposals: the same idea said in different words, found by clustering free texts."""

from __future__ import annotations

from collections.abc import Sequence

from nlu.text import words

# Cosine distance under which two texts (or groups of texts, on average) say the same idea.
THRESHOLD = 0.8
# Words that carry no idea: two texts sharing only these are not alike.
FILLER_WORDS = """
a au aux avec ce ces c d de des du en est et il ils j je l la le les leur leurs m ma mais me mes
moi mon n ne nos notre nous on ou par pas plus pour qu que qui s sa se ses son sur t ta te tes
toi ton tu un une vos votre vous y faut faudrait voudrais veux veut aimerais souhaite il faut
ca cela c est etre avoir fait faire tres tout tous toutes aussi donc car quand comme
"""
FILLER = frozenset(FILLER_WORDS.split())


def folded(text: str) -> str:
    """Return a text's idea words: accents, case, SMS spelling folded; filler dropped."""
    return " ".join(w for w in words(text) if w not in FILLER)


def cluster(texts: Sequence[str], threshold: float = THRESHOLD) -> list[list[int]]:
    """Group the indices of texts saying the same idea; largest groups first, then first said."""
    if len(texts) < 2:
        return [[i] for i in range(len(texts))]
    from sklearn.cluster import AgglomerativeClustering  # scikit-learn: only when a page clusters
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    ideas = [folded(t) or t.lower() for t in texts]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(ideas)
    distances = cosine_distances(vectors)  # n x n from the sparse vectors: no dense vocabulary matrix
    labels = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
    ).fit_predict(distances)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))
