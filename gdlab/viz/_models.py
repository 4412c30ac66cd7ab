"""Models: data with the fitted curve, decision regions, digits with their predictions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import _style as S


def _plain(a):
    a = getattr(a, "data", a) if not isinstance(a, np.ndarray) else a
    return np.asarray(a)


def predict_with(model, X):
    """Predictions of a model (``.predict``) or a callable at the points X (m, d)."""
    fn = getattr(model, "predict", None)
    fn = fn if callable(fn) else model
    if not callable(fn):
        raise TypeError(f"expected a model with .predict or a callable, got {type(model).__name__}")
    try:
        out = _plain(fn(X))
    except Exception:
        if X.shape[1] != 1:
            raise
        out = _plain(fn(X[:, 0]))
    return out


def _as_1d_inputs(x):
    x = np.asarray(x, float)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"fit_curve draws one input variable: x must be (n,) or (n, 1), got {x.shape}")
    return x


def training_grid(x, resolution=None, pad=0.08):
    """The points to predict on for :func:`fit_curve`-style and :func:`decision_regions`-style
    figures and training animations: (resolution, 1) points along 1-D inputs (default 300), or
    a (resolution**2, 2) grid over 2-D inputs (default 150 per side), row by row."""
    x = np.asarray(x, float)
    if x.ndim == 1 or (x.ndim == 2 and x.shape[1] == 1):
        xs = x.reshape(-1)
        lo, hi = xs.min(), xs.max()
        span = hi - lo if hi > lo else 1.0
        return np.linspace(lo - pad * span, hi + pad * span, int(resolution or 300))[:, None]
    if x.ndim == 2 and x.shape[1] == 2:
        res = int(resolution or 150)
        lo, hi = x.min(0), x.max(0)
        span = np.where(hi > lo, hi - lo, 1.0)
        xs = np.linspace(lo[0] - pad * span[0], hi[0] + pad * span[0], res)
        ys = np.linspace(lo[1] - pad * span[1], hi[1] + pad * span[1], res)
        X, Y = np.meshgrid(xs, ys)
        return np.stack([X.ravel(), Y.ravel()], axis=1)
    raise ValueError(f"inputs must have 1 or 2 features to be drawn, got shape {x.shape}")


def _models(model):
    if isinstance(model, Mapping):
        return list(model.items())
    return [(None, model)]


@S.styled
def fit_curve(x, y, model=None, *, truth=None, resolution=300, ax=None, title=None, xlabel="x", ylabel="y",
              legend=True, figsize=None, dpi=None, path=None):
    """Regression: the data points and the fitted curve (seeds 001-003).

    ``model``: a model with ``.predict``, a callable x -> y, a dict ``label -> model`` for
    several fits, or an array of predictions at ``x``. ``truth``: an optional callable drawn
    dashed (the function that made the data). The legend gives each fit's MSE on the data; a
    fit's colour is the one :func:`history_curves` and :func:`loss_curves` give its label, so a
    fit and its training curve match. Returns the Figure.
    """
    xs = _as_1d_inputs(x)
    y = np.asarray(y, float).reshape(-1)
    if y.shape[0] != xs.shape[0]:
        raise ValueError(f"x and y differ in length: {xs.shape[0]} and {y.shape[0]}")
    fig, ax, own = S.own_or_new(ax, figsize=figsize or (6.4, 4.6), dpi=dpi)
    ax.scatter(xs, y, s=26, color="#5b6b80", edgecolors="white", linewidths=0.7, zorder=5, label="data")
    grid = training_grid(xs, resolution)
    if truth is not None:
        ax.plot(grid[:, 0], np.asarray(predict_with(truth, grid), float).reshape(-1), color="#888888", lw=1.6,
                ls="--", zorder=2, label="truth")
    if model is not None:
        fits = _models(model)
        # labelled fits take the colours loss_curves and history_curves give the same labels
        from ._data import Run
        colors = [S.CYCLE[1]] if fits[0][0] is None else \
            S.assign_colors([Run(label=str(label), params=np.zeros((1, 1, 1))) for label, _ in fits])
        for (label, m), color in zip(fits, colors):
            if not callable(m) and not callable(getattr(m, "predict", None)):
                pred = np.asarray(m, float).reshape(-1)
                if pred.shape[0] != xs.shape[0]:
                    raise ValueError("an array of predictions must have one value per data point")
                order = np.argsort(xs)
                gx, gy, at_x = xs[order], pred[order], pred
            else:
                gx = grid[:, 0]
                gy = np.asarray(predict_with(m, grid), float).reshape(len(grid), -1)[:, 0]
                at_x = np.asarray(predict_with(m, xs[:, None]), float).reshape(len(xs), -1)[:, 0]
            mse = float(np.mean((at_x - y) ** 2))
            name = label or "fit"
            ax.plot(gx, gy, color=color, lw=2.4, zorder=4, label=f"{name}  (MSE {mse:.3g})",
                    path_effects=S.halo(4.0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True)
    ax.set_title("data and fit" if title is None else title)
    if legend:
        S.legend_below(fig, ax, own=own)
    return S.finish(fig, path, dpi)


def class_scores(pred, n_classes=None):
    """(classes (m,), confidence (m,) in [0, 1]) from labels, binary probabilities or class scores."""
    p = np.asarray(pred)
    if p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]
    if p.ndim == 1:
        if np.issubdtype(p.dtype, np.integer) or np.all(np.mod(p, 1) == 0) and p.max(initial=0) > 1:
            return p.astype(int), np.ones(p.shape[0])
        pf = p.astype(float)
        if np.all((pf >= 0) & (pf <= 1)):
            cls = (pf >= 0.5).astype(int)
            return cls, np.abs(pf - 0.5) * 2
        return (pf >= 0).astype(int), np.tanh(np.abs(pf))
    pf = p.astype(float)
    rows = pf.sum(axis=1)
    if not (np.all(pf >= 0) and np.allclose(rows, 1.0, atol=1e-3)):
        e = np.exp(pf - pf.max(axis=1, keepdims=True))
        pf = e / e.sum(axis=1, keepdims=True)
    cls = np.argmax(pf, axis=1)
    k = pf.shape[1]
    top = pf.max(axis=1)
    conf = (top - 1.0 / k) / (1 - 1.0 / k) if k > 1 else np.ones_like(top)
    return cls, np.clip(conf, 0, 1)


def boundary_field(pred, cls):
    """(field, levels) whose contour is the decision boundary: the probability of class 1 at 0.5
    for two classes (a smooth line), the class index between classes otherwise."""
    p = np.asarray(pred)
    if p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]
    if p.ndim == 2 and p.shape[1] == 2:
        pf = p.astype(float)
        if not (np.all(pf >= 0) and np.allclose(pf.sum(axis=1), 1.0, atol=1e-3)):
            pf = pf - pf.max(axis=1, keepdims=True)
            pf = np.exp(pf) / np.exp(pf).sum(axis=1, keepdims=True)
        return pf[:, 1], [0.5]
    if p.ndim == 1 and not np.issubdtype(p.dtype, np.integer):
        pf = p.astype(float)
        if np.all((pf >= 0) & (pf <= 1)) and not np.all(np.mod(pf, 1) == 0):
            return pf, [0.5]
    return cls.astype(float), list(np.arange(int(cls.max())) + 0.5)


def region_image(cls, conf, shape, boundary=True):
    """RGB image (h, w, 3) of class regions: the class colour, paler where the model is unsure,
    dark pixels on the boundaries between classes."""
    from matplotlib.colors import to_rgb
    base = np.array([to_rgb(c) for c in S.CLASS_COLORS])
    cls = cls.reshape(shape)
    conf = conf.reshape(shape)
    col = base[cls % len(base)]
    strength = 0.12 + 0.36 * conf
    img = col * strength[..., None] + (1 - strength[..., None])
    if boundary:
        edge = np.zeros(shape, bool)
        edge[:, 1:] |= cls[:, 1:] != cls[:, :-1]
        edge[1:, :] |= cls[1:, :] != cls[:-1, :]
        img[edge] = img[edge] * 0.35 + 0.65 * np.array(to_rgb("#333333"))
    return img


@S.styled
def decision_regions(model, x, y=None, *, resolution=160, class_names=None, ax=None, title=None, legend=True,
                     labels=("x₁", "x₂"), figsize=None, dpi=None, path=None):
    """2-D classification: the regions each class gets, the boundary, and the data points.

    ``model``: a model with ``.predict`` or a callable on (m, 2) points returning class
    labels, probabilities (m, k) or a binary probability (m,). Regions fade where the model is
    unsure; points are coloured by their true class, misclassified ones ringed in black.
    The title gives the accuracy. Returns the Figure.
    """
    x = np.asarray(x, float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"decision_regions draws 2 input features; x has shape {x.shape}")
    grid = training_grid(x, resolution)
    raw = predict_with(model, grid)
    cls, conf = class_scores(raw)
    res = int(resolution)
    img = region_image(cls, conf, (res, res), boundary=False)
    fig, ax, own = S.own_or_new(ax, figsize=figsize or (6.2, 5.4), dpi=dpi)
    extent = (grid[:, 0].min(), grid[:, 0].max(), grid[:, 1].min(), grid[:, 1].max())
    ax.imshow(img, origin="lower", extent=extent, interpolation="bilinear", aspect="auto", zorder=0)
    if len(np.unique(cls)) > 1:
        field, lv = boundary_field(raw, cls)
        ax.contour(grid[:, 0].reshape(res, res), grid[:, 1].reshape(res, res), field.reshape(res, res),
                   levels=lv, colors="#333333", linewidths=1.2, zorder=1)
    acc = None
    if y is not None:
        y = np.asarray(y).reshape(-1).astype(int)
        pred_cls, _ = class_scores(predict_with(model, x))
        wrong = pred_cls != y
        acc = 1.0 - float(np.mean(wrong))
        classes = np.unique(np.concatenate([y, np.unique(cls)]))
        for c in classes:
            sel = y == c
            if not sel.any():
                continue
            name = class_names[c] if class_names is not None and c < len(class_names) else f"class {c}"
            ax.scatter(x[sel, 0], x[sel, 1], s=24, color=S.CLASS_COLORS[c % len(S.CLASS_COLORS)],
                       edgecolors="white", linewidths=0.7, zorder=3, label=name)
        if wrong.any():
            ax.scatter(x[wrong, 0], x[wrong, 1], s=70, facecolors="none", edgecolors="#111111", linewidths=1.3,
                       zorder=4, label=f"misclassified ({int(wrong.sum())})")
    else:
        ax.scatter(x[:, 0], x[:, 1], s=20, color="#333333", edgecolors="white", linewidths=0.6, zorder=3)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    if title is None:
        title = "decision regions" + (f": accuracy {100 * acc:.1f} %" if acc is not None else "")
    if title:
        ax.set_title(title)
    if legend and y is not None:
        S.legend_below(fig, ax, own=own)
    return S.finish(fig, path, dpi)


@S.styled
def digits(images, labels=None, predictions=None, *, ncols=10, max_images=50, errors_first=False, cmap="gray_r",
           title=None, figsize=None, dpi=None, path=None):
    """A grid of small images (8x8 digits) with their labels and predictions.

    ``images``: (n, h, w) or (n, h*w) with a square h*w. ``labels``: true classes;
    ``predictions``: predicted classes, or scores (n, k) (argmax is taken). Each image is titled
    with the prediction; wrong ones are red, framed in red and give the true label.
    ``errors_first=True`` shows the mistakes first. Returns the Figure.
    """
    imgs = np.asarray(images, float)
    if imgs.ndim == 2:
        side = int(round(np.sqrt(imgs.shape[1])))
        if side * side != imgs.shape[1]:
            raise ValueError(f"cannot make square images from rows of {imgs.shape[1]} values")
        imgs = imgs.reshape(-1, side, side)
    if imgs.ndim != 3:
        raise ValueError(f"images must be (n, h, w) or (n, h*w), got shape {np.shape(images)}")
    n = imgs.shape[0]
    lab = None if labels is None else np.asarray(labels).reshape(-1).astype(int)
    pred = None
    if predictions is not None:
        p = np.asarray(predictions)
        pred = np.argmax(p, axis=1) if p.ndim == 2 else p.reshape(-1).astype(int)
    order = np.arange(n)
    if errors_first and lab is not None and pred is not None:
        order = np.concatenate([np.nonzero(pred != lab)[0], np.nonzero(pred == lab)[0]])
    order = order[:max_images]
    m = len(order)
    ncols = max(1, min(ncols, m))
    nrows = int(np.ceil(m / ncols))
    fig, axs = S.new_figure(nrows, ncols, figsize=figsize or (1.05 * ncols, 1.22 * nrows + 0.6), dpi=dpi,
                            squeeze=False)
    for ax, i in zip(axs.flat, order):
        ax.imshow(imgs[i], cmap=cmap, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(True)
            side.set_color("#cccccc")
            side.set_linewidth(0.6)
        if pred is not None:
            right = lab is None or pred[i] == lab[i]
            text = f"{pred[i]}" if right else f"{pred[i]} (true {lab[i]})"
            ax.set_title(text, fontsize=9, color=S.INK if right else S.DIVERGED_COLOR, pad=2,
                         fontweight="normal" if right else "bold")
            if not right:
                for side in ax.spines.values():
                    side.set_color(S.DIVERGED_COLOR)
                    side.set_linewidth(2.0)
        elif lab is not None:
            ax.set_title(str(lab[i]), fontsize=9, pad=2, fontweight="normal")
    for ax in list(axs.flat)[m:]:
        ax.set_visible(False)
    if title is None:
        if pred is not None and lab is not None:
            right = int(np.sum(pred[order] == lab[order]))
            title = f"predictions: {right} of {m} right"
        else:
            title = ""
    if title:
        fig.suptitle(title, fontsize=12, fontweight="bold")
    return S.finish(fig, path, dpi)
