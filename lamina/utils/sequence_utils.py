"""`pad_sequences`: a list of variable-length sequences as one padded NumPy array."""

import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pad (or truncate) sequences to one length and stack them into a 2D (or more) array.

    Args:
        sequences: A list of sequences (lists or arrays; items may themselves be arrays, all of
            one shape).
        maxlen: Length of the output's second axis. Defaults to the longest sequence.
        dtype: Output dtype; a string dtype (or `object`) allows string values.
        padding: "pre" or "post": pad before or after each sequence.
        truncating: "pre" or "post": drop values from the start or the end of sequences longer
            than `maxlen`.
        value: The padding value (a number, or a string with a string dtype).

    Returns:
        A NumPy array of shape `(len(sequences), maxlen, *item_shape)`.

    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
    [[2, 3], [0, 4]]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: `sequences` must be a list (or other sized iterable) "
                         f"of sequences. Received: {type(sequences).__name__}")
    for name, arg in (("padding", padding), ("truncating", truncating)):
        if arg not in ("pre", "post"):
            raise ValueError(f"pad_sequences: `{name}` must be 'pre' or 'post'. "
                             f"Received: {name}={arg!r}")
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer))
                               or maxlen < 0):
        raise ValueError("pad_sequences: `maxlen` must be None or a non-negative int. "
                         f"Received: maxlen={maxlen!r}")
    lengths, item_shape = [], ()
    found_item = False
    for i, seq in enumerate(sequences):
        if not hasattr(seq, "__len__"):
            raise ValueError(f"pad_sequences: every entry of `sequences` must be a sequence; "
                             f"entry {i} is {seq!r} of type {type(seq).__name__}.")
        lengths.append(len(seq))
        if len(seq) and not found_item:
            item_shape, found_item = np.asarray(seq).shape[1:], True
    maxlen = max(lengths, default=0) if maxlen is None else int(maxlen)
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and not is_text:
        raise ValueError(f"pad_sequences: `dtype` {dtype!r} cannot hold the string padding "
                         f"value {value!r}. Pass dtype=object (or a str dtype) for string data.")
    out = np.full((len(lengths), maxlen, *item_shape), value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq) or not maxlen:
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(f"pad_sequences: the items of sequence {i} have shape "
                             f"{kept.shape[1:]}, unlike the first non-empty sequence's "
                             f"{item_shape}. All items must share one shape.")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out
