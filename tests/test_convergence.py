"""The plateau rule, driven by scripted scores."""

from sk_softmax._convergence import GO_ON, LOWER_LR, STOP, PlateauRule


def rule(**changes):
    return PlateauRule(
        **{**dict(lower_is_better=True, tol=0.01, patience=2, lr_drops=0), **changes}
    )


def run(plateau, scores):
    """Feed ``scores`` one epoch at a time; the decisions until the stop."""
    decisions = []
    for score in scores:
        decisions.append(plateau.update(score))
        if decisions[-1] == STOP:
            break
    return decisions


def test_improvement_is_relative_to_the_best_loss():
    # 1 % of the best loss counts, whatever its scale: 1000 -> 995 is no improvement.
    for scale in (1e-3, 1.0, 1e3):
        decisions = run(rule(), [s * scale for s in (1.0, 0.98, 0.995, 0.975, 0.9, 0.8)])
        assert decisions == [GO_ON, GO_ON, GO_ON, STOP]  # 0.995, 0.975 miss 0.98 by 1 %


def test_a_small_gain_moves_the_best_but_does_not_reset_the_count():
    plateau = rule()
    assert len(run(plateau, [1.0, 0.999, 0.998, 0.5])) == 3
    assert plateau.best_score == 0.998 and plateau.best_epoch == 3 and plateau.is_best


def test_plateaus_lower_the_learning_rate_before_one_stops_training():
    plateau = rule(lr_drops=2)
    decisions = run(plateau, [1.0] * 20)
    assert decisions == [GO_ON, GO_ON, LOWER_LR, GO_ON, LOWER_LR, GO_ON, STOP]
    assert plateau.dropped_at == [3, 5]


def test_an_improvement_restarts_the_count():
    assert len(run(rule(), [1.0, 1.0, 0.9, 0.9, 0.8, 0.8, 0.8, 0.1])) == 7


def test_accuracy_is_higher_is_better():
    plateau = PlateauRule(lower_is_better=False, tol=0.0, patience=2, lr_drops=0)
    assert run(plateau, [0.5, 0.7, 0.6, 0.7]) == [GO_ON, GO_ON, GO_ON, STOP]
    assert plateau.best_epoch == 2 and not plateau.is_best
