"""Reverse-mode automatic differentiation on NumPy arrays (NumPy only)."""

from .check import GradcheckError, StepSizeStudy, gradcheck, step_size_study
from .composite import log_softmax, logsumexp, softmax
from .nn_ops import linear, linear_relu, sigmoid_binary_cross_entropy, softmax_cross_entropy
from .functional import grad, hessian, value_and_grad
from .ops import (abs, add, clip, concatenate, cos, div, exp, getitem, leaky_relu, log, matmul, max,
                  maximum, mean, min, minimum, mul, neg, power, relu, reshape, sigmoid, sin, softplus, sqrt,
                  stack, sub, sum, tan, tanh, transpose, where)
from .tensor import Tensor, enable_grad, is_grad_enabled, no_grad

__all__ = [
    "GradcheckError", "StepSizeStudy", "gradcheck", "step_size_study",
    "Tensor", "no_grad", "enable_grad", "is_grad_enabled", "grad", "value_and_grad", "hessian",
    "abs", "add", "clip", "concatenate", "cos", "div", "exp", "getitem", "leaky_relu", "log", "matmul",
    "max", "maximum", "mean", "min", "minimum", "mul", "neg", "power", "relu", "reshape", "sigmoid", "sin",
    "softplus", "sqrt", "stack", "sub", "sum", "tan", "tanh", "transpose", "where",
    "logsumexp", "softmax", "log_softmax",
    "linear", "linear_relu", "softmax_cross_entropy", "sigmoid_binary_cross_entropy",
]
