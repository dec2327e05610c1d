import torch

from sk_softmax import SoftmaxRegression


def test_returns_logits_of_the_affine_map():
    module = SoftmaxRegression(4, 3, random_state=0)
    X = torch.randn(5, 4)
    expected = X @ module.linear.weight.T + module.linear.bias
    torch.testing.assert_close(module(X), expected)


def test_flattens_images():
    module = SoftmaxRegression(28 * 28, 10, random_state=0)
    images = torch.rand(2, 28, 28)
    torch.testing.assert_close(module(images), module(images.reshape(2, -1)))


def test_initialisation_follows_init_std_and_zero_bias():
    module = SoftmaxRegression(784, 10, init_std=0.01, random_state=0)
    assert abs(module.linear.weight.std().item() - 0.01) < 0.001
    assert torch.count_nonzero(module.linear.bias) == 0


def test_seeded_init_is_reproducible_and_leaves_global_rng_alone():
    state = torch.get_rng_state()
    a = SoftmaxRegression(8, 3, random_state=1)
    b = SoftmaxRegression(8, 3, random_state=1)
    c = SoftmaxRegression(8, 3, random_state=2)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(a.linear.weight, b.linear.weight)
    assert not torch.equal(a.linear.weight, c.linear.weight)
