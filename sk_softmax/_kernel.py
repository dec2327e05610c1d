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
over the batch's rows, is one batched product over :func:`feature_blocks`,
equal blocks of columns that depend only on the number of features: each
entry sums over all the rows of its block. Each entry of a batched product
is computed by one thread (a step runs on no more threads than the product
has entries, at most 8), so no library splits a sum between threads. Where
the features do not split into such blocks, the gradient is summed by row
chunks, whose partial results are added in their order. Every other
operation is elementwise or sums within a row. So the same minibatches
give the same model whether training runs on one thread or many, on a busy
or an idle machine: threads decide how fast, never what.
"""

from contextlib import contextmanager

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


def feature_blocks(n_features):
    """How many equal blocks of columns the weights' gradient is computed in (0: none).

    A function of ``n_features`` alone: the largest count from 8 down to 2
    that divides the features; 0 where none does (the gradient is then
    summed by row chunks).
    """
    return next((n for n in range(_MAX_CHUNKS, 1, -1) if n_features % n == 0), 0)


@contextmanager
def _one_thread_per_chunk(n_chunks):
    """Run the block on at most ``n_chunks`` threads: a batched product then gives
    each thread whole entries, and never splits one entry's sum between threads."""
    threads = torch.get_num_threads()
    if threads <= n_chunks:
        yield
        return
    torch.set_num_threads(n_chunks)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _padded(X, padding):
    if not padding:
        return X
    return torch.cat([X, X.new_zeros(padding, *X.shape[1:])])


def _add_in_order(parts):
    """``parts[0] + parts[1] + ...``, one elementwise sum at a time."""
    total = parts[0].clone()
    for part in parts[1:]:
        total.add_(part)
    return total


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
    with _one_thread_per_chunk(n_chunks):
        out = torch.baddbmm(
            intercept, X.view(n_chunks, per_chunk, -1), coef.T.expand(n_chunks, *coef.T.shape)
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
        with _one_thread_per_chunk(n_chunks):
            grad_intercept = _add_in_order(by_chunk.sum(1))
        return None, _weight_gradient(by_chunk, X), grad_intercept


def _weight_gradient(by_chunk, X):
    """``grad_logits.T @ X`` for the (padded) batch ``X``, ``grad_logits`` cut by row chunks.

    Over :func:`feature_blocks` of ``X``'s columns: one batched product
    whose entries each sum over every row of the batch for their block.
    Without such blocks, over the row chunks, added in their order.
    """
    n_chunks, per_chunk, n_outputs = by_chunk.shape
    n_rows, n_features = X.shape
    n_blocks = feature_blocks(n_features)
    if not n_blocks:
        with _one_thread_per_chunk(n_chunks):
            return _add_in_order(
                torch.bmm(by_chunk.transpose(1, 2), X.view(n_chunks, per_chunk, -1))
            )
    grad_t = by_chunk.view(n_rows, n_outputs).T.expand(n_blocks, n_outputs, n_rows)
    blocks = X.view(n_rows, n_blocks, n_features // n_blocks).transpose(0, 1)
    with _one_thread_per_chunk(n_blocks):
        by_block = torch.bmm(grad_t, blocks)  # (blocks, outputs, features per block)
    return by_block.transpose(0, 1).reshape(n_outputs, n_features)


def logits(X, coef, intercept):
    """``X @ coef.T + intercept`` for a batch ``X`` (dense rows or :class:`SparseRows`).

    Each row's logits are sums within that row. Dense rows go through one
    batched product over the batch's chunks, as the gradient does, so the
    library never splits a row's sum between threads; autograd's gradient
    (L-BFGS and optimizers from outside torch use it) is summed by chunk too.
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
        the model's rows in the batch (0 for rows that are not the model's).
    alphas : tensor of shape (models,)
        Each model's L2 penalty.
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
    on a step that is otherwise two products.
    """
    n_models, n_rows = scaled.shape
    sparse = isinstance(X, SparseRows)
    if sparse:
        out = X.rows @ coef.T + intercept
        n_chunks, per_chunk, padding = 1, n_rows, 0
    else:
        out, X, (n_chunks, per_chunk, padding) = _chunked_logits(X, coef, intercept)
        y, scaled = _padded(y, padding), torch.nn.functional.pad(scaled, (0, padding))
    n_padded = n_rows + padding
    # (rows, classes, models): torch's CPU softmax is several times faster
    # over this strided dim than over a contiguous dim of a few classes.
    by_class = out.view(n_padded, n_models, -1).transpose(1, 2)
    log_proba = torch.log_softmax(by_class, dim=1)
    labels = y.view(n_padded, 1, 1).expand(n_padded, 1, n_models)
    nll = -log_proba.gather(1, labels).squeeze(1)  # (rows, models)
    weighted = row_sums(scaled * nll.T)
    squares = coef.square().sum(1).view(n_models, -1).sum(1)
    loss = weighted + 0.5 * alphas * squares
    grad_logits = log_proba.exp_()
    grad_logits.scatter_add_(1, labels, torch.full_like(nll, -1.0).unsqueeze(1))
    grad_logits = grad_logits.mul_(scaled.T.unsqueeze(1)).transpose(1, 2).reshape(n_padded, -1)
    if sparse:
        grad_coef.copy_((X.rows_t @ grad_logits).T)
        grad_intercept.copy_(grad_logits.sum(0))
    else:
        by_chunk = grad_logits.view(n_chunks, per_chunk, -1)
        grad_coef.copy_(_weight_gradient(by_chunk, X))
        with _one_thread_per_chunk(n_chunks):
            grad_intercept.copy_(_add_in_order(by_chunk.sum(1)))
    grad_coef.addcmul_(coef, alphas.repeat_interleave(coef.shape[0] // n_models)[:, None])
    return loss, out[:n_rows]
