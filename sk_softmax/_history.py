"""A fitted model's epoch history, indexed as skorch indexes its own, without torch."""

_MISSING = object()


def _value(row, key):
    if isinstance(key, tuple):
        return tuple(row[k] for k in key) if all(k in row for k in key) else _MISSING
    return row.get(key, _MISSING)


def _values(rows, key):
    values = [_value(row, key) for row in rows]
    return [value for value in values if value is not _MISSING]


class History(list):
    """One dict per epoch, indexed as :class:`skorch.history.History` is.

    ``history[-1]`` is the last epoch's dict; ``history[:, "train_loss"]`` a
    list of one column, ``history[:, ("train_loss", "lr")]`` of tuples;
    ``history[-1, "batches", :, "train_loss"]`` a column of the last epoch's
    batches (a fitted model's history holds its batches; a loaded model's or
    a search candidate's does not). Epochs without a requested key are left
    out, and a key that no epoch has raises ``KeyError``, as in skorch. A
    plain list otherwise: skorch's indexing without importing torch, so that
    a loaded model answers it.

    Examples
    --------
    >>> history = History([{"epoch": 1, "train_loss": 0.9}, {"epoch": 2, "train_loss": 0.5}])
    >>> history[:, "train_loss"]
    [0.9, 0.5]
    >>> history[-1, ("epoch", "train_loss")]
    (2, 0.5)
    """

    def __getitem__(self, index):
        if not isinstance(index, tuple):
            item = list.__getitem__(self, index)
            return History(item) if isinstance(index, slice) else item
        epochs, key, batches, batch_key = (*index, None, None, None)[:4]
        if batches is not None and key != "batches":
            raise KeyError(
                f"History indexing beyond the 2nd level is only possible if key 'batches' "
                f"is used, found key {key!r}."
            )
        single = isinstance(epochs, int)
        rows = list.__getitem__(self, epochs)
        rows = [rows] if single else rows
        if batches is not None:
            rows = [row["batches"][batches] for row in rows]
            key = batch_key
        if key is None:
            return rows[0] if single else rows
        if batches is not None and isinstance(batches, slice):
            items = [_values(row, key) for row in rows]
            found = any(items)
        else:
            items = _values(rows, key)
            found = bool(items) or (key == "batches")
        if not found:
            raise KeyError(f"Key {key!r} was not found in history.")
        return items[0] if single else items
