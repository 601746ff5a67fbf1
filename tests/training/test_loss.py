"""The completion loss gives the same value and gradients whether or not it is computed in chunks."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="the [train] extra (CI installs it)")

from edgecall.training.trainer import completion_loss  # noqa: E402


def _loss_and_grads(budget: int) -> tuple[float, object, object]:
    torch.manual_seed(0)
    head = torch.nn.Linear(8, 50, bias=False)
    hidden = torch.randn(37, 8, requires_grad=True)
    labels = torch.randint(0, 50, (37,))
    loss = completion_loss(head, hidden, labels, budget=budget)
    loss.backward()
    return float(loss.detach()), hidden.grad.clone(), head.weight.grad.clone()


def test_chunked_loss_matches_the_single_pass() -> None:
    whole = _loss_and_grads(budget=37 * 50)  # fits: one pass
    chunked = _loss_and_grads(budget=5 * 50)  # 5 positions per chunk, the last chunk shorter
    assert whole[0] == pytest.approx(chunked[0], rel=1e-6)
    assert torch.allclose(whole[1], chunked[1], atol=1e-6)  # gradient into the model (LoRA's path)
    assert torch.allclose(whole[2], chunked[2], atol=1e-6)  # gradient into the LM head (full fine-tuning's)


def test_chunked_loss_is_the_mean_cross_entropy() -> None:
    torch.manual_seed(1)
    head = torch.nn.Linear(4, 11, bias=False)
    hidden, labels = torch.randn(9, 4), torch.randint(0, 11, (9,))
    expected = torch.nn.functional.cross_entropy(head(hidden), labels)
    assert float(completion_loss(head, hidden, labels, budget=11)) == pytest.approx(float(expected), rel=1e-6)
