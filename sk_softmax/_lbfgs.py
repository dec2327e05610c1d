"""L-BFGS that asks for one loss-and-gradient evaluation at a time.

An epoch of a full-batch fit is one pass over the data: one evaluation of the
loss and its gradient. :class:`Lbfgs` is written around that: it names the
point it wants evaluated next (:attr:`Lbfgs.trial`), is told the loss and
gradient there (:meth:`Lbfgs.tell`), and moves on, a line-search trial or a new
iteration, one evaluation per call. So ``max_epochs`` bounds evaluations, a
fit that runs out of them keeps the last accepted point (:attr:`Lbfgs.x`), and
models of a stacked run each take their own steps while one product evaluates
them all.

The method is the textbook one (Nocedal and Wright, *Numerical Optimization*,
algorithms 7.4 and 7.5 with 3.5 and 3.6), as in scikit-learn's solver
(scipy's L-BFGS-B) and torch's ``LBFGS``, whose strong-Wolfe line search this
follows step for step: a memory of the last 10 steps, the first step scaled
to ``min(1, 1 / ||g||_1)``, later ones starting at ``lr``. The vectors are
float64 numpy arrays (the model's weights are a few thousand numbers; numpy
is faster than a device round trip per operation); only the trial points go
back to the model, in float32.
"""

import numpy as np

MEMORY = 10
"""Steps remembered, as scipy's (and so ``LogisticRegression``'s) ``maxcor``."""
MAX_LINE_SEARCH = 25
"""Evaluations one line search may take, as torch's ``LBFGS``."""
_C1, _C2 = 1e-4, 0.9  # the sufficient-decrease and curvature constants of the Wolfe conditions
_TINY = 1e-9  # a change of the step or the loss below this is no change (torch's tolerance_change)
LOSS_TOLERANCE = float(np.finfo(np.float32).eps)
"""Relative decrease of the loss below which an iteration made no progress: the
float32 loss cannot show a smaller one (scipy's ``ftol`` test, at float32's
resolution)."""


class Lbfgs:
    """One model's L-BFGS, one evaluation per :meth:`tell`.

    Parameters
    ----------
    x0 : ndarray of shape (n,)
        The starting point, evaluated first.
    lr : float
        The step each line search tries first (1 for Newton-like steps).
    gtol : float
        Convergence: no gradient entry above this at an accepted point.

    Attributes
    ----------
    trial : ndarray of shape (n,) or None
        The point to evaluate next; None once converged.
    x, f : ndarray, float
        The last accepted point and its loss (the start before any step).
    converged : str or None
        Why it stopped: ``"gradient"`` (no entry above ``gtol``), ``"loss"`` (an
        iteration improved the loss by less than the float32 loss can show),
        ``"line search"`` (no step along the direction lowered the loss), or
        ``"not finite"`` (the loss at the start is not finite); None while it
        goes on.
    """

    def __init__(self, x0, lr, gtol):
        self.x = np.asarray(x0, dtype=np.float64)
        self.f = np.inf
        self.converged = None
        self._lr, self._gtol = lr, gtol
        self._steps = self._iterations()
        self.trial = next(self._steps)

    def tell(self, f, g):
        """The loss ``f`` and gradient ``g`` at :attr:`trial`; sets the next trial."""
        self.trial = self._steps.send((float(f), np.asarray(g, dtype=np.float64)))

    # --------------------------------------------------------------- iterations

    def _iterations(self):
        f, g = yield self.x
        self.f = f
        if not (np.isfinite(f) and np.isfinite(g).all()):
            yield from self._stop("not finite")
        if np.abs(g).max() <= self._gtol:
            yield from self._stop("gradient")
        memory = []  # (s, y, 1 / y.s) of the last MEMORY accepted steps
        direction, scale, first = -g, 1.0, True
        while True:
            step = min(1.0, 1.0 / np.abs(g).sum()) * self._lr if first else self._lr
            slope = g @ direction
            if slope > -_TINY:
                yield from self._stop("line search")  # not a descent direction any more
            t, f_new, g_new = yield from self._line_search(f, g, direction, step, slope)
            if t == 0.0:
                yield from self._stop("line search")
            s, y = t * direction, g_new - g
            self.x, previous, self.f = self.x + s, f, f_new
            f, g, first = f_new, g_new, False
            if np.abs(g).max() <= self._gtol:
                yield from self._stop("gradient")
            if previous - f <= LOSS_TOLERANCE * max(abs(previous), abs(f), 1.0):
                yield from self._stop("loss")
            ys = y @ s
            if ys > 1e-10:
                memory = [*memory[-(MEMORY - 1) :], (s, y, 1.0 / ys)]
                scale = ys / (y @ y)
            direction = _two_loop(g, memory, scale)

    def _stop(self, reason):
        self.converged = reason
        while True:
            yield None

    def _evaluate(self, direction, t):
        """Evaluate the point ``t`` along ``direction`` (one epoch): ``(f, g, g . direction)``."""
        f, g = yield self.x + t * direction
        return f, g, g @ direction

    def _line_search(self, f, g, direction, t, slope):
        """Strong-Wolfe line search from the accepted point (torch's ``_strong_wolfe``).

        Returns ``(t, f, g)`` of the accepted step; ``t`` is 0 where no step
        along ``direction`` lowered the loss.
        """
        size = np.abs(direction).max()
        f_new, g_new, slope_new = yield from self._evaluate(direction, t)
        t_prev, f_prev, g_prev, slope_prev = 0.0, f, g, slope
        bracket, tries = None, 0  # evaluations after the first
        while tries < MAX_LINE_SEARCH:
            rises = f_new > f + _C1 * t * slope or (tries > 1 and f_new >= f_prev)
            if np.isfinite(f_new) and not rises and abs(slope_new) <= -_C2 * slope:
                return t, f_new, g_new  # the strong Wolfe conditions hold
            if not np.isfinite(f_new) or rises or slope_new >= 0:
                bracket = [(t_prev, f_prev, g_prev, slope_prev), (t, f_new, g_new, slope_new)]
                break
            t_next = _cubic_minimum(
                t_prev, f_prev, slope_prev, t, f_new, slope_new, (t + 0.01 * (t - t_prev), t * 10)
            )
            t_prev, f_prev, g_prev, slope_prev = t, f_new, g_new, slope_new
            t = t_next
            f_new, g_new, slope_new = yield from self._evaluate(direction, t)
            tries += 1
        if bracket is None:  # out of evaluations while still going down
            bracket = [(0.0, f, g, slope), (t, f_new, g_new, slope_new)]
        return (yield from self._zoom(f, slope, direction, size, bracket, tries))

    def _zoom(self, f, slope, direction, size, bracket, tries):
        """Narrow ``bracket`` (two points around a step that satisfies the Wolfe conditions)."""
        low = 0 if bracket[0][1] <= bracket[1][1] else 1
        stuck = False
        while tries < MAX_LINE_SEARCH:
            (t0, f0, _, d0), (t1, f1, _, d1) = bracket
            if not (np.isfinite(f0) and np.isfinite(f1)) or abs(t1 - t0) * size < _TINY:
                break
            t = _cubic_minimum(t0, f0, d0, t1, f1, d1)
            t, stuck = _away_from_the_ends(t, min(t0, t1), max(t0, t1), stuck)
            f_new, g_new, slope_new = yield from self._evaluate(direction, t)
            tries += 1
            high = 1 - low
            if not np.isfinite(f_new) or f_new > f + _C1 * t * slope or f_new >= bracket[low][1]:
                bracket[high] = (t, f_new, g_new, slope_new)
                low = 0 if bracket[0][1] <= bracket[1][1] else 1
                continue
            if abs(slope_new) <= -_C2 * slope:
                return t, f_new, g_new
            if slope_new * (bracket[high][0] - bracket[low][0]) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = (t, f_new, g_new, slope_new)
        t, f_low, g_low, _ = bracket[low]
        return (t, f_low, g_low) if f_low < f else (0.0, f, None)


def _two_loop(g, memory, scale):
    """``-H g``, H the L-BFGS inverse Hessian of the remembered steps (algorithm 7.4)."""
    q = -g
    alphas = []
    for s, y, rho in reversed(memory):
        alpha = rho * (s @ q)
        q = q - alpha * y
        alphas.append(alpha)
    r = q * scale
    for (s, y, rho), alpha in zip(memory, reversed(alphas), strict=True):
        r = r + s * (alpha - rho * (y @ r))
    return r


def _cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimum of the cubic through two points with their slopes, within ``bounds``."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    square = d1 * d1 - g1 * g2
    if square < 0:
        return (low + high) / 2.0
    d2 = np.sqrt(square)
    if x1 <= x2:
        minimum = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        minimum = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return float(min(max(minimum, low), high))


def _away_from_the_ends(t, low, high, stuck):
    """Keep a zoom trial at least a tenth of the bracket from its ends when it stalls."""
    margin = 0.1 * (high - low)
    if min(high - t, t - low) >= margin:
        return t, False
    if not (stuck or t >= high or t <= low):
        return t, True
    return (high - margin if abs(t - high) < abs(t - low) else low + margin), False
