"""gdlab, the Gradient Descent Lab: gradients from first principles, every classic
gradient method, and figures that show what happens.

``import gdlab`` loads NumPy and nothing heavier; plotting, the command line and the
optional layers are imported on first use.
"""

from .autodiff import (Tensor, abs, clip, concatenate, cos, enable_grad, exp, grad, hessian, leaky_relu,
                       log, log_softmax, logsumexp, maximum, minimum, no_grad, relu, sigmoid, sin,
                       softmax, softplus, sqrt, stack, tan, tanh, value_and_grad, where)

__version__ = "0.1.0"
