"""Turning the ``device`` parameter into a :class:`torch.device`."""

import torch


def resolve_device(device):
    """Return the :class:`torch.device` that ``device`` asks for.

    ``"auto"`` means CUDA when it is available, else the CPU. Asking for a
    CUDA device on a machine without one is an error rather than a silent
    fall-back to the CPU.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a device torch knows. Use 'cpu', 'cuda', "
            "'cuda:N', 'mps' or 'auto'."
        ) from exc
    if resolved.type not in ("cpu", "cuda", "mps"):
        raise ValueError(
            f"device={device!r} is a {resolved.type!r} device, which SoftmaxClassifier "
            "does not support. Use 'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'."
        )
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} asks for CUDA, but torch finds no CUDA device here "
            f"(torch {torch.__version__}, built with CUDA {torch.version.cuda}). "
            "Use device='cpu', or device='auto' to take CUDA only when present."
        )
    if resolved.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"device={device!r} asks for Apple's MPS, which is not available here. "
            "Use device='cpu' or device='auto'."
        )
    return resolved
