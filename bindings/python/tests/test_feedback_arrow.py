"""edupulse.feedback.sentiment on Arrow string columns (read in place through the Arrow PyCapsule
interface): every layout, slices, chunks, nulls, views, release of the exported memory, and the
same scores as the list path, bit for bit."""

import random

import numpy as np
import pandas as pd
import pytest

from edupulse import feedback
from edupulse.exceptions import ParameterError

pa = pytest.importorskip("pyarrow")

WORDS = [
    "muy", "bueno", "no", "me", "gustó", "nada", "¡Excelente", "explicación!", "aburrido", "😒",
    "pero", "útil", "jajaja", "Madrid", "GENIAL", "lento", "ñandú", "über", "", "   ", ":)", "?",
    "buenísimo", "el", "curso", "the", "weather", "x" * 13, "ÉXITO", "🎉🎉",
]


def _texts(n: int, seed: int = 7) -> list:
    """Short and long texts, empty ones, ASCII and not, ≤ 12 bytes (inline in a view) and more."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.choice([0, 1, 1, 2, 3, 6, 12, 30])
        out.append(" ".join(rng.choice(WORDS) for _ in range(k)))
    return out


TEXTS = _texts(3000)
WANT = feedback.sentiment(TEXTS)


def _same(df: pd.DataFrame, want: pd.DataFrame = WANT) -> None:
    assert np.array_equal(df["score"].to_numpy(), want["score"].to_numpy())  # bit for bit
    pd.testing.assert_frame_equal(df, want)


def test_texts_cover_inline_and_out_of_line_views():
    sizes = [len(t.encode()) for t in TEXTS]
    assert min(sizes) == 0 and any(0 < s <= 12 for s in sizes) and max(sizes) > 12
    assert any(not t.isascii() for t in TEXTS)


@pytest.mark.parametrize("kind", ["string", "large_string", "string_view"])
def test_every_string_layout_equals_the_list_path(kind):
    arr = pa.array(TEXTS, type=getattr(pa, kind)())
    _same(feedback.sentiment(arr))  # __arrow_c_array__
    _same(feedback.sentiment(pa.chunked_array([arr])))  # __arrow_c_stream__


@pytest.mark.parametrize("kind", ["string", "large_string", "string_view"])
def test_sliced_and_chunked_arrays(kind):
    arr = pa.array(TEXTS, type=getattr(pa, kind)())
    part = arr.slice(17, 1000)  # offset ≠ 0
    assert part.offset == 17
    _same(feedback.sentiment(part), feedback.sentiment(TEXTS[17:1017]))
    chunks = [arr.slice(0, 5), arr.slice(5, 0), arr.slice(5, 1200), arr.slice(1205)]
    chunked = pa.chunked_array(chunks, type=arr.type)
    assert chunked.num_chunks == 4
    _same(feedback.sentiment(chunked))
    assert feedback.sentiment(pa.chunked_array([], type=arr.type)).empty
    assert feedback.sentiment(pa.array([], type=arr.type)).empty


@pytest.mark.parametrize("kind", ["string", "large_string", "string_view"])
def test_a_null_is_a_missing_value_named_by_its_index(kind):
    t = getattr(pa, kind)()
    with pytest.raises(ParameterError) as e:
        feedback.sentiment(pa.array(["ok", "bien", None], type=t))
    assert e.value.parameter == "texts" and "index 2" in str(e.value)
    assert "missing value" in str(e.value)
    # In the third chunk, and in a slice that starts after a null (bitmap read at the offset).
    a = pa.array(["a", None, "b", "c", None], type=t)
    chunked = pa.chunked_array([a.slice(2, 2), pa.array(["x"] * 3, type=t), a.slice(3)])
    with pytest.raises(ParameterError) as e:
        feedback.sentiment(chunked)
    assert "index 6" in str(e.value)
    _same(feedback.sentiment(a.slice(2, 2)), feedback.sentiment(["b", "c"]))
    # The same message as a None in a list.
    with pytest.raises(ParameterError) as e2:
        feedback.sentiment(["ok", "bien", None])
    assert str(e2.value).replace("2", "6") == str(e.value).replace("2", "6")


def test_polars_series_chunks_slices_and_nulls():
    pl = pytest.importorskip("polars")
    s = pl.Series(TEXTS)
    _same(feedback.sentiment(s))
    many = pl.concat([pl.Series(TEXTS[:100]), pl.Series(TEXTS[100:2000]), pl.Series(TEXTS[2000:])],
                     rechunk=False)
    assert many.n_chunks() == 3
    _same(feedback.sentiment(many))
    _same(feedback.sentiment(s.slice(33, 500)), feedback.sentiment(TEXTS[33:533]))
    with pytest.raises(ParameterError) as e:
        feedback.sentiment(pl.Series(["ok", None, "bien"]))
    assert "index 1" in str(e.value)
    # A categorical column exports a dictionary: read as Python str instead, same scores.
    _same(feedback.sentiment(s.cast(pl.Categorical)))


def test_pandas_arrow_backed_series():
    for dtype in ("string[pyarrow]", pd.ArrowDtype(pa.string()), pd.ArrowDtype(pa.large_string())):
        _same(feedback.sentiment(pd.Series(TEXTS, dtype=dtype)))
    with pytest.raises(ParameterError) as e:
        feedback.sentiment(pd.Series(["ok", None], dtype="string[pyarrow]"))
    assert "index 1" in str(e.value)
    _same(feedback.sentiment(pd.Series(TEXTS, dtype=object)))


def test_any_pycapsule_exporter_and_non_text_columns():
    class Stream:
        def __init__(self, inner):
            self._inner = inner

        def __arrow_c_stream__(self, requested_schema=None):
            return self._inner.__arrow_c_stream__(requested_schema)

    class Array:
        def __init__(self, inner):
            self._inner = inner

        def __arrow_c_array__(self, requested_schema=None):
            return self._inner.__arrow_c_array__(requested_schema)

    arr = pa.array(TEXTS)
    _same(feedback.sentiment(Stream(pa.chunked_array([arr.slice(0, 9), arr.slice(9)]))))
    _same(feedback.sentiment(Array(arr.slice(0, 100))), feedback.sentiment(TEXTS[:100]))
    # A dictionary-encoded column is read as Python str: same scores.
    _same(feedback.sentiment(arr.dictionary_encode()))
    _same(feedback.sentiment(pa.chunked_array([arr.slice(0, 10).dictionary_encode(),
                                               arr.slice(10).dictionary_encode()])))
    # Numbers are not text: the list path names the first item.
    with pytest.raises(ParameterError) as e:
        feedback.sentiment(pa.array([1, 2]))
    assert e.value.parameter == "texts" and "index 0" in str(e.value)

    capsule = pa.chunked_array([arr]).__arrow_c_stream__()

    class Once:
        def __arrow_c_stream__(self, requested_schema=None):
            return capsule

    _same(feedback.sentiment(Once()))
    with pytest.raises(ParameterError) as e:  # the capsule's stream was moved out and released
        feedback.sentiment(Once())
    assert "already consumed" in str(e.value)

    class Broken:
        def __arrow_c_array__(self, requested_schema=None):
            return ("not", "capsules")

    with pytest.raises(ParameterError) as e:
        feedback.sentiment(Broken())
    assert e.value.parameter == "texts" and "PyCapsule" in str(e.value)


def test_invalid_utf8_and_malformed_offsets_are_named():
    data = pa.py_buffer(b"okbien\xff")
    offsets = pa.py_buffer(np.array([0, 2, 6, 7], dtype=np.int32).tobytes())
    bad = pa.Array.from_buffers(pa.string(), 3, [None, offsets, data])
    with pytest.raises(ParameterError) as e:
        feedback.sentiment(bad)
    assert "index 2" in str(e.value) and "UTF-8" in str(e.value)
    backwards = pa.py_buffer(np.array([0, 2, 1, 6], dtype=np.int32).tobytes())
    bad = pa.Array.from_buffers(pa.string(), 3, [None, backwards, data])
    with pytest.raises(ParameterError) as e:
        feedback.sentiment(bad)
    assert "index 1" in str(e.value) and "malformed" in str(e.value)


def test_exported_memory_is_released():
    import gc

    gc.collect()
    base = pa.total_allocated_bytes()
    for make in (lambda: pa.array(TEXTS), lambda: pa.chunked_array([pa.array(TEXTS)] * 3),
                 lambda: pa.array(TEXTS, type=pa.string_view())):
        x = make()
        assert pa.total_allocated_bytes() > base
        for _ in range(3):
            feedback.sentiment(x)
        del x
        gc.collect()
        assert pa.total_allocated_bytes() == base
