"""The training step's arithmetic, in an order that no thread count changes.

Both engines take their steps here: the skorch net of
:class:`~sk_softmax.SoftmaxClassifier` (one model) and the stacked runs of
:class:`~sk_softmax.SoftmaxSearchCV` (many models side by side). A step is
the logits of a minibatch, each model's weighted cross-entropy plus its L2
penalty, and the gradient of that, written out.

A sum over the rows of a minibatch is where a thread count could change the
result: a BLAS library that splits it between threads adds the partial sums
in another order, and float32 rounding differs in the last bits (then, after
many steps, a model that differs, and sometimes another epoch count). Here
every such sum has a fixed shape. The logits are one batched product over
:func:`chunks` of the batch's rows, which depend only on its number of rows
(each row's logits are sums within that row). The weights' gradient, a sum
over the batch's rows, is one batched product over the same chunks, each
chunk's partial sum on one thread (a step runs its batched products on no
more threads than they have entries, at most 8), then one sum over the
chunks, entry by entry; the intercept's gradient and the loss are sums over
the rows of each chunk, then over the chunks. torch reduces an entry on
one thread unless it is a single entry of more values than its grain size,
which these never are, so no library splits a sum between threads. Every
other operation is elementwise or sums within a row. So the same minibatches
give the same model whether training runs on one thread or many, on a busy
or an idle machine: threads decide how fast, never what.
"""

import torch

from ._sparse import SparseRows

_MAX_CHUNKS = 8
_MIN_ROWS = 16


def chunks(n_rows):
    """``(n_chunks, rows_per_chunk, padding)``: how a batch of ``n_rows`` rows is cut.

    A function of ``n_rows`` alone. Chunks are equal; where no count up to
    8 divides the rows into chunks of at least 16, the batch is padded with
    zero rows (``padding`` of them, fewer than the chunks).
    """
    for n_chunks in range(min(_MAX_CHUNKS, n_rows // _MIN_ROWS), 1, -1):
        if n_rows % n_chunks == 0:
            return n_chunks, n_rows // n_chunks, 0
    if n_rows <= 2 * _MIN_ROWS:
        return 1, n_rows, 0
    n_chunks = min(_MAX_CHUNKS, -(-n_rows // (2 * _MIN_ROWS)))
    per_chunk = -(-n_rows // n_chunks)
    return n_chunks, per_chunk, n_chunks * per_chunk - n_rows


def _one_thread_per_chunk(n_chunks, product, *args, **kwargs):
    """``product(*args, **kwargs)`` on at most ``n_chunks`` threads: a batched product
    then gives each thread whole entries, and never splits one entry's sum between
    threads."""
    threads = torch.get_num_threads()
    if threads <= n_chunks:
        return product(*args, **kwargs)
    torch.set_num_threads(n_chunks)
    try:
        return product(*args, **kwargs)
    finally:
        torch.set_num_threads(threads)


def _padded(X, padding):
    if not padding:
        return X
    return torch.cat([X, X.new_zeros(padding, *X.shape[1:])])


def row_sums(matrix):
    """The sums of the rows of a 2-D tensor, each added in chunks of a fixed shape."""
    n_chunks, per_chunk, padding = chunks(matrix.shape[1])
    padded = torch.nn.functional.pad(matrix, (0, padding))
    return padded.view(len(matrix), n_chunks, per_chunk).sum(2).sum(1)


def fixed_sum(values):
    """The sum of a 1-D tensor, added in chunks of a fixed shape."""
    return row_sums(values.view(1, -1))[0]


def _chunked_logits(X, coef, intercept):
    """``X @ coef.T + intercept`` over the row chunks of dense ``X``, one batched product.

    Returns the logits of the padded rows, the padded ``X`` and its
    :func:`chunks` (the padding rows' logits are the intercept).
    """
    n_chunks, per_chunk, padding = chunks(len(X))
    X = _padded(X, padding)
    weights = coef.T.expand(n_chunks, *coef.T.shape)
    out = _one_thread_per_chunk(
        n_chunks, torch.baddbmm, intercept, X.view(n_chunks, per_chunk, -1), weights
    )
    return out.view(n_chunks * per_chunk, -1), X, (n_chunks, per_chunk, padding)


class _ChunkedLinear(torch.autograd.Function):
    """``X @ coef.T + intercept`` over the chunks of ``X``, and its gradient the same way."""

    @staticmethod
    def forward(ctx, X, coef, intercept):
        out, padded, (n_chunks, per_chunk, _) = _chunked_logits(X, coef, intercept)
        ctx.save_for_backward(padded.view(n_chunks, per_chunk, -1))
        ctx.n_rows = len(X)
        return out[: len(X)]

    @staticmethod
    def backward(ctx, grad):
        (stacked,) = ctx.saved_tensors
        n_chunks, per_chunk, _ = stacked.shape
        padding = n_chunks * per_chunk - ctx.n_rows
        by_chunk = _padded(grad.contiguous(), padding).view(n_chunks, per_chunk, -1)
        X = stacked.view(n_chunks * per_chunk, -1)
        grad_intercept = by_chunk.sum(1).sum(0)
        return None, _weight_gradient(by_chunk, X), grad_intercept


def _weight_gradient(by_chunk, X, out=None):
    """``grad_logits.T @ X`` for the (padded) batch ``X``, ``grad_logits`` cut by row chunks.

    One batched product gives each chunk's partial sum (each on one thread),
    and one sum over the chunks adds them, entry by entry. Written into
    ``out`` where given.
    """
    n_chunks, per_chunk, _ = by_chunk.shape
    rows = X.view(n_chunks, per_chunk, -1)
    partial = _one_thread_per_chunk(n_chunks, torch.bmm, by_chunk.transpose(1, 2), rows)
    return torch.sum(partial, 0, out=out)


def _sum_over_rows(values, n_chunks, per_chunk, out=None):
    """The sums over the rows of ``values`` (rows, k), by row chunks of a fixed shape.

    Each output entry is summed by one thread, so no thread count changes it
    (torch splits a reduction between threads only for one output entry of
    more than its grain size, which chunks of at most 4,096 rows never are).
    Written into ``out`` where given.
    """
    padding = n_chunks * per_chunk - len(values)
    if padding:
        values = torch.nn.functional.pad(values, (0, 0, 0, padding))
    return torch.sum(values.view(n_chunks, per_chunk, -1).sum(1), 0, out=out)


_MINUS_ONE = {}


def _minus_one(device):
    """A tensor holding -1.0 on ``device`` (made once per device)."""
    if device not in _MINUS_ONE:
        _MINUS_ONE[device] = torch.full((1, 1, 1), -1.0, device=device)
    return _MINUS_ONE[device]


def logits(X, coef, intercept):
    """``X @ coef.T + intercept`` for a batch ``X`` (dense rows or :class:`SparseRows`).

    Each row's logits are sums within that row. Dense rows go through one
    batched product over the batch's chunks, as the gradient does, so the
    library never splits a row's sum between threads; autograd's gradient
    (the module's, trained by a plain skorch net) is summed by chunk too.
    """
    if isinstance(X, SparseRows):
        return X.rows @ coef.T + intercept
    return _ChunkedLinear.apply(X, coef, intercept)


def loss_and_gradients(X, y, coef, intercept, scaled, alphas, grad_coef, grad_intercept):
    """Each model's loss on one minibatch; its gradients written into ``grad_*``.

    Parameters
    ----------
    X : float32 tensor of shape (rows, features), or :class:`SparseRows`
    y : int64 tensor of shape (rows,)
        Encoded labels.
    coef : tensor of shape (models * classes, features)
        The models' weights, one block of ``classes`` rows per model.
    intercept : tensor of shape (models * classes,)
    scaled : tensor of shape (models, rows)
        Each row's weight in each model's loss: its sample weight divided by
        the number of rows in the batch.
    alphas : tensor of shape (models,), or None
        Each model's L2 penalty; None when no model has one.
    grad_coef, grad_intercept : tensors shaped like ``coef``, ``intercept``
        Written with the gradients.

    Returns
    -------
    loss : tensor of shape (models,)
        ``sum(scaled * cross_entropy) + alphas / 2 * ||coef||^2`` per model.
    logits : tensor of shape (rows, models * classes)

    The gradient is the textbook one of softmax regression: the logits'
    gradient is ``scaled * (softmax - one_hot)``, the weights' that times
    ``X`` plus ``alphas * coef``. Written out, it saves autograd's bookkeeping
    on a step that is otherwise two products, and it takes a few whole-tensor
    operations for all the models at once.
    """
    n_models, n_rows = scaled.shape
    n_outputs = coef.shape[0]
    sparse = isinstance(X, SparseRows)
    if sparse:
        out = torch.addmm(intercept, X.rows, coef.T)
        n_chunks, per_chunk, _ = chunks(n_rows)  # for the sums over rows
        padding = 0
    else:
        out, X, (n_chunks, per_chunk, padding) = _chunked_logits(X, coef, intercept)
        if padding:
            y, scaled = _padded(y, padding), torch.nn.functional.pad(scaled, (0, padding))
    n_padded = n_rows + padding
    logits = out.view(n_padded, n_models, -1)
    labels = y.view(n_padded, 1, 1).expand(n_padded, n_models, 1)
    # The softmax of each model's logits, and the log of its normaliser.
    top = logits.amax(2, keepdim=True)
    proba = torch.sub(logits, top).exp_()
    norm = proba.sum(2, keepdim=True)
    proba.div_(norm)
    weights = scaled.T
    nll = norm.log_().add_(top).sub_(logits.gather(2, labels)).view(n_padded, n_models)
    loss = _sum_over_rows(nll.mul_(weights), n_chunks, per_chunk)
    if alphas is not None:
        squares = coef.square().sum(1).view(n_models, -1).sum(1)
        loss.add_(squares.mul_(alphas), alpha=0.5)
    # The logits' gradient, then the weights'.
    proba.scatter_add_(2, labels, _minus_one(proba.device).expand(n_padded, n_models, 1))
    grad_logits = proba.mul_(weights.unsqueeze(2)).view(n_padded, n_outputs)
    if sparse:
        grad_coef.copy_((X.rows_t @ grad_logits).T)
    else:
        _weight_gradient(grad_logits.view(n_chunks, per_chunk, -1), X, out=grad_coef)
    _sum_over_rows(grad_logits, n_chunks, per_chunk, out=grad_intercept)
    if alphas is not None:
        grad_coef.view(n_models, -1).addcmul_(coef.view(n_models, -1), alphas.view(-1, 1))
    return loss, out[:n_rows]
