"""Write the example notebooks, each in English (NAME.ipynb) and Chinese (NAME.zh.ipynb).

    python examples/make_notebooks.py          # rewrites examples/*.ipynb, stored without outputs

One source per notebook: a list of cells, markdown as (English, Chinese) pairs and code as one
string, so both languages run the same code. tests/test_examples.py checks that the stored
notebooks are what this script writes, runs every one on a fresh kernel and looks for the
seeds' numbers in the outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

SETUP = """import numpy as np

import gdlab
from gdlab import datasets, functions, nn, optim, viz"""

# ---------------------------------------------------------------------------------------------
# 000: gradient descent written by hand

N000 = [
    ("# Seed 000: gradient descent written by hand\n\n"
     "The article minimises the loss $y = x^2$ with its derivative $2x$: start at $w = -5$, move against the "
     "gradient, $w \\leftarrow w - \\eta \\cdot 2w$, with learning rate $\\eta = 0.1$ for 150 epochs. "
     "Here every experiment is one gdlab call; the numbers are the article's, with its mistakes corrected.",
     "# 种子文章 000：亲手实现梯度下降\n\n"
     "文章用导数 $2x$ 求损失函数 $y = x^2$ 的最小值：从 $w = -5$ 出发，沿梯度的反方向更新，"
     "$w \\leftarrow w - \\eta \\cdot 2w$，学习率 $\\eta = 0.1$，训练 150 个周期。"
     "这里每个实验都只是一次 gdlab 调用；数字与文章一致，文章的错误在文中更正。"),
    SETUP,
    ("The loss function, as gdlab's catalog knows it (a notebook shows its formula, minimum and bounds):",
     "gdlab 函数库中的这个损失函数（笔记本会显示它的公式、最小值和范围）："),
    'f = functions.get("square")\nf',
    ("Gradient descent from $w = -5$. The history holds epochs + 1 values: the start and one point per update. "
     "Each step keeps $1 - 2\\eta = 80\\%$ of $w$.",
     "从 $w = -5$ 开始做梯度下降。记录共有 周期数 + 1 个值：起点加上每次更新后的点。"
     "每一步保留 $w$ 的 $1 - 2\\eta = 80\\%$。"),
    'run = gdlab.minimize(f, -5.0, optimizer="gd", lr=0.1, steps=150)\n'
    'w = run.params.reshape(-1)\n'
    'print("history length:", len(w))\n'
    'print("first points:", np.round(w[:6], 4))\n'
    'print(f"after 150 epochs: w = {w[-1]:.2e}")',
    ("The article says that, rounded to 2 decimals, $w$ reaches 0.00 after about 32 epochs. Exactly: "
     "$|{-5} \\cdot 0.8^t| < 0.005$ first holds at $t = 31$ (printed as `-0.0`).",
     "文章说，四舍五入到两位小数后，大约 32 个周期后 $w$ 变为 0.00。精确地说："
     "$|{-5} \\cdot 0.8^t| < 0.005$ 在 $t = 31$ 时第一次成立（打印为 `-0.0`）。"),
    'first = int(np.argmax(np.round(w, 2) == 0))\n'
    'print(f"first epoch that prints as 0.00: {first} (w = {w[first]:.5f})")',
    ("The article's figure: the parabola, the visited points joined in red, the direction of the updates.",
     "文章的图：抛物线、用红线连接的经过点，以及更新的方向。"),
    'viz.path_1d(f, run, xlim=(-6, 6), numbers=5, xlabel="w", ylabel="Loss")',
    ("## A tiny learning rate\n\nStart 5, $\\eta = 0.001$, 15000 epochs: each step keeps 99.8% of $w$. "
     "It still reaches 0 ($5 \\cdot 0.998^{15000} \\approx 4.5 \\cdot 10^{-13}$), a thousand times slower.",
     "## 很小的学习率\n\n从 5 出发，$\\eta = 0.001$，15000 个周期：每一步保留 $w$ 的 99.8%。"
     "它仍然到达 0（$5 \\cdot 0.998^{15000} \\approx 4.5 \\cdot 10^{-13}$），只是慢了一千倍。"),
    'slow = gdlab.minimize(f, 5.0, optimizer="gd", lr=0.001, steps=15000)\n'
    'print(f"final w = {slow.final[0]:.2e}")\n'
    'viz.loss_curves({"lr 0.1, w0 = -5": run, "lr 0.001, w0 = 5": slow}, logy=True)',
    ("## The Keras way: Celsius to Fahrenheit\n\n"
     "The article's earlier chapters hide gradient descent in `model.fit`: `compile(optimizer=Adam(0.1), "
     "loss='mse')`, then `fit(c, f, epochs=500)`. gdlab's `nn` has the same calls. "
     "**Correction:** the article also asks for `metrics=['accuracy']`, which means nothing for a regression; "
     "the mean absolute error (`mae`) is used here.",
     "## Keras 的写法：摄氏转华氏\n\n"
     "文章前几篇把梯度下降藏在 `model.fit` 里：`compile(optimizer=Adam(0.1), loss='mse')`，"
     "然后 `fit(c, f, epochs=500)`。gdlab 的 `nn` 提供同样的调用。"
     "**更正：**文章还指定了 `metrics=['accuracy']`，这对回归问题没有意义；这里改用平均绝对误差（`mae`）。"),
    'c, fahrenheit = datasets.get("celsius")\n'
    'model = nn.Sequential(nn.Linear(1, 1, seed=0, dtype="float64"))\n'
    'model.compile(optimizer=optim.Adam(0.1), loss="mse", metrics=["mae"])\n'
    'history = model.fit(c, fahrenheit[:, None], epochs=500, verbose=0, seed=0)\n'
    'history',
    ("After 500 epochs the weight is close to 1.8 but the bias is still climbing towards 32: Adam moves each "
     "weight by at most about $\\eta = 0.1$ per step. `fit` continues where it stopped:",
     "500 个周期后权重已接近 1.8，但偏置还在向 32 爬升：Adam 每一步对每个权重的移动最多约为 "
     "$\\eta = 0.1$。`fit` 会从上次停下的地方继续："),
    'def weights():\n'
    '    layer = model.layers[0]\n'
    '    return float(layer.weight.data.reshape(-1)[0]), float(layer.bias.data.reshape(-1)[0])\n\n'
    'print("after 500 epochs:  w = %.4f, b = %.4f" % weights())\n'
    'model.fit(c, fahrenheit[:, None], epochs=1500, verbose=0, seed=0)\n'
    'print("after 2000 epochs: w = %.4f, b = %.4f" % weights())\n'
    'print("predict(100 °C) = %.2f °F" % model.predict(np.array([[100.0]]))[0, 0])',
    ("For several classes the article switches the loss to the sparse categorical cross-entropy; gdlab's name "
     "for the same loss on logits is `sparse_categorical_crossentropy_from_logits` (see `training.ipynb`).",
     "对多类别问题，文章把损失函数换成稀疏分类交叉熵；gdlab 对 logits 的同一损失函数名为 "
     "`sparse_categorical_crossentropy_from_logits`（见 `training.ipynb`）。"),
]

# ---------------------------------------------------------------------------------------------
# 001: gradient descent and backpropagation

N001 = [
    ("# Seed 001: gradient descent and backpropagation\n\n"
     "Three experiments: gradient descent on $y = 3x^2 + 2x + 1$, a linear regression whose gradients are "
     "recorded as the loss is computed (automatic differentiation), and backpropagation worked by hand on a "
     "1-2-1 sigmoid network, where the article makes a sign error.",
     "# 种子文章 001：梯度下降与反向传播\n\n"
     "三个实验：在 $y = 3x^2 + 2x + 1$ 上做梯度下降；一个线性回归，在计算损失函数时记录梯度（自动微分）；"
     "以及在 1-2-1 的 sigmoid 网络上手算反向传播——文章在这里犯了一个符号错误。"),
    SETUP,
    ("## $y = 3x^2 + 2x + 1$ from $x = -10$\n\n$x \\leftarrow x - 0.2 \\cdot (6x + 2)$ for 1000 iterations. "
     "The step overshoots (factor $1 - 0.2 \\cdot 6 = -0.2$): the path zig-zags onto the minimum $2/3$ at "
     "$x = -1/3$.",
     "## 从 $x = -10$ 出发求 $y = 3x^2 + 2x + 1$ 的最小值\n\n$x \\leftarrow x - 0.2 \\cdot (6x + 2)$，"
     "迭代 1000 次。每一步都越过了最小值（系数 $1 - 0.2 \\cdot 6 = -0.2$）：路径来回折返，"
     "落在 $x = -1/3$ 处的最小值 $2/3$。"),
    'f = functions.get("quadratic")\n'
    'run = gdlab.minimize(f, -10.0, optimizer="gd", lr=0.2, steps=1000)\n'
    'print(f"final y = {run.final_loss:.4f} at x = {run.final[0]:.4f}")\n'
    'viz.path_1d(f, run, xlim=(-11, 4), numbers=4, arrows=3)',
    ("## Linear regression with recorded gradients\n\n"
     "Five points, $\\hat y = aX + b$, loss = sum of squared errors. The loss is computed with gdlab Tensors, so "
     "`backward()` gives $\\partial L/\\partial a$ and $\\partial L/\\partial b$ (the article's GradientTape); "
     "plain SGD with $\\eta = 5 \\cdot 10^{-4}$ for 100 epochs.",
     "## 记录梯度的线性回归\n\n"
     "五个点，$\\hat y = aX + b$，损失函数为误差平方和。用 gdlab 的 Tensor 计算损失，"
     "`backward()` 就给出 $\\partial L/\\partial a$ 和 $\\partial L/\\partial b$（相当于文章的 GradientTape）；"
     "随机梯度下降，学习率 $\\eta = 5 \\cdot 10^{-4}$，100 个周期。"),
    'points = datasets.get("seed001_points")\n'
    'X, y = points.x[:, 0], points.y\n'
    'a = gdlab.Tensor(0.0, requires_grad=True)\n'
    'b = gdlab.Tensor(0.0, requires_grad=True)\n'
    'opt = optim.SGD([a, b], lr=5e-4)\n'
    'losses = []\n'
    'for epoch in range(100):\n'
    '    opt.zero_grad()\n'
    '    loss = ((a * X + b - y) ** 2).sum()\n'
    '    loss.backward()\n'
    '    opt.step()\n'
    '    losses.append(loss.item())\n'
    'print(f"a = {a.item():.4f}, b = {b.item():.4f}")\n'
    'print("least squares (where it would end):", np.round(np.polyfit(X, y, 1), 4))\n'
    'viz.loss_curves({"SGD lr 5e-4": np.array(losses)})',
    ("## Backpropagation by hand\n\n"
     "The 1-2-1 network: $x = 2$, $w_{11} = 1$, $w_{12} = -1$, $b_1 = 3$, $w_{21} = 2$, $w_{22} = 1$, $b_2 = 0$, "
     "target 1, $E = \\frac12 (y - \\hat y)^2$, $\\alpha = 0.2$. `nn.explain_backprop` prints every factor of "
     "the chain rule and checks it against `backward()`.",
     "## 手算反向传播\n\n"
     "1-2-1 网络：$x = 2$，$w_{11} = 1$，$w_{12} = -1$，$b_1 = 3$，$w_{21} = 2$，$w_{22} = 1$，$b_2 = 0$，"
     "目标值 1，$E = \\frac12 (y - \\hat y)^2$，$\\alpha = 0.2$。`nn.explain_backprop` 打印链式法则的每一个因子，"
     "并与 `backward()` 的结果核对。"),
    'from gdlab.demo.seeds.seed001 import seed001_network\n\n'
    'net = seed001_network()\n'
    'ex = nn.explain_backprop(net, [[2.0]], [[1.0]], lr=0.2, print_fn=None)\n'
    'print(ex.text)',
    ("Forward: hidden 0.9933 and 0.7311, output $\\hat y = 0.9381$ (the article rounds it to 0.93; it is 0.94). "
     "Backward: $\\partial E/\\partial w_{21} = (\\hat y - y)\\,\\hat y(1 - \\hat y)\\,h_1 \\approx -0.003575$.\n\n"
     "**Correction:** the article updates $w_{21}$ to 1.9992, i.e. $w + \\alpha \\cdot$ grad. Gradient descent "
     "subtracts: $w_{21} - \\alpha \\cdot \\text{grad} = 2.000715$.",
     "正向：隐藏层 0.9933 和 0.7311，输出 $\\hat y = 0.9381$（文章四舍五入成 0.93，应为 0.94）。"
     "反向：$\\partial E/\\partial w_{21} = (\\hat y - y)\\,\\hat y(1 - \\hat y)\\,h_1 \\approx -0.003575$。\n\n"
     "**更正：**文章把 $w_{21}$ 更新为 1.9992，即 $w + \\alpha \\cdot$ 梯度。梯度下降应当减去梯度："
     "$w_{21} - \\alpha \\cdot \\text{梯度} = 2.000715$。"),
    'print(f"y_pred = {ex.forward[\'y_pred\']:.4f}")\n'
    'print(f"dE/dw21 = {ex.gradients[\'w21\']:.6f}")\n'
    'print(f"w21 after one step = {ex.updated[\'w21\']:.6f}")\n'
    'print(f"hand chain rule vs backward(): {ex.max_abs_error:.1e}")',
    ("A mini-batch loss is the mean of the per-sample losses (`reduce_mean`); the regression above sums them.",
     "小批量的损失是各样本损失的平均值（`reduce_mean`）；上面的回归则是求和。"),
    'zero = gdlab.Tensor(np.zeros((len(X), 1)))\n'
    'per_sample = nn.losses.get("mse", reduction="none")(zero, y[:, None]).numpy().reshape(-1)\n'
    'print(per_sample, "mean:", per_sample.mean(), "batch loss:", nn.losses.get("mse")(zero, y[:, None]).item())',
]

# ---------------------------------------------------------------------------------------------
# 002: GD, SGD and mini-batch SGD

N002 = [
    ("# Seed 002: GD, SGD and mini-batch SGD\n\n"
     "The model $y = w \\cdot x$ (no bias), $w = 1$, learning rate 0.01, mean squared error. Batch gradient "
     "descent uses the whole data set per update, stochastic gradient descent one sample, mini-batch SGD a few.",
     "# 种子文章 002：批量梯度下降、随机梯度下降与小批量随机梯度下降\n\n"
     "模型 $y = w \\cdot x$（无偏置），$w = 1$，学习率 0.01，均方误差。批量梯度下降每次更新用整个数据集，"
     "随机梯度下降用一个样本，小批量随机梯度下降用几个样本。"),
    SETUP,
    'def line_model():\n'
    '    """y = w·x with w starting at 1."""\n'
    '    return nn.Sequential(nn.Linear(1, 1, bias=False, init=nn.init.Constant(1.0), dtype="float64"))\n\n\n'
    'def w_of(model):\n'
    '    return float(model.layers[0].weight.data.reshape(-1)[0])',
    ("## Batch gradient descent\n\n$x = [1, 2, 3]$, $y = [2, 4, 6]$, one update per epoch from the mean gradient "
     "$2x(xw - y)$, 100 epochs. Before training `predict(4)` is 4.0; after, about 8.0 ($w = 2 - 0.9067^{100}$).",
     "## 批量梯度下降\n\n$x = [1, 2, 3]$，$y = [2, 4, 6]$，每个周期用平均梯度 $2x(xw - y)$ 更新一次，"
     "100 个周期。训练前 `predict(4)` 为 4.0；训练后约为 8.0（$w = 2 - 0.9067^{100}$）。"),
    'x, y = datasets.get("seed002_gd")\n'
    'model = line_model()\n'
    'print("predict(4) before:", model.predict(np.array([[4.0]]))[0, 0])\n'
    'model.compile(optimizer=optim.SGD(lr=0.01), loss="mse")\n'
    'history = model.fit(x, y[:, None], epochs=100, verbose=0)\n'
    'print(f"predict(4) after: {model.predict(np.array([[4.0]]))[0, 0]:.5f}, w = {w_of(model):.5f}")\n'
    'print(f"cost at epoch 0: {history.history[\'loss\'][0]:.4f}")\n'
    'viz.history_curves(history, logy=True)',
    ("## Stochastic gradient descent\n\n$x = [1, 2, 3]$, $y = [4, 5, 6]$, one update per sample (3 per epoch). "
     "These points lie on $y = x + 3$: no line through the origin fits them, so $w$ settles near the "
     "least-squares $16/7 \\approx 2.2857$ and the loss never reaches 0.",
     "## 随机梯度下降\n\n$x = [1, 2, 3]$，$y = [4, 5, 6]$，每个样本更新一次（每周期 3 次）。"
     "这些点落在 $y = x + 3$ 上：没有过原点的直线能拟合它们，因此 $w$ 停在最小二乘解 "
     "$16/7 \\approx 2.2857$ 附近，损失函数也不会降到 0。"),
    'data = datasets.get("seed002_sgd")\n'
    'model = line_model()\n'
    'model.compile(optimizer=optim.SGD(lr=0.01), loss="mse")\n'
    'history = model.fit(data.x, data.y[:, None], epochs=100, batch_size=1, shuffle=False, verbose=0)\n'
    'print(f"updates: {len(history.step_losses)}, w = {w_of(model):.4f}, 16/7 = {16 / 7:.4f}")\n'
    'history',
    ("## The three regimes side by side\n\nSame data, model and learning rate; only the samples per update "
     "change. More updates per epoch reach $w = 2$ in fewer epochs.",
     "## 三种方式对比\n\n数据、模型和学习率都相同，只改变每次更新用的样本数。每个周期更新越多，"
     "到达 $w = 2$ 所需的周期越少。"),
    'x, y = datasets.get("seed002_gd")\n'
    'histories = {}\n'
    'for label, batch in (("GD (batch 3)", None), ("mini-batch (batch 2)", 2), ("SGD (batch 1)", 1)):\n'
    '    model = line_model()\n'
    '    model.compile(optimizer=optim.SGD(lr=0.01), loss="mse")\n'
    '    histories[label] = model.fit(x, y[:, None], epochs=30, batch_size=batch, seed=0, verbose=0)\n'
    '    print(f"{label:22s} w after 30 epochs = {w_of(model):.4f}")\n'
    'viz.history_curves(histories, logy=True)',
]

# ---------------------------------------------------------------------------------------------
# 003: visualising gradient descent algorithms

N003 = [
    ("# Seed 003: visualising gradient descent algorithms\n\n"
     "Optimizer paths on the loss surface of $y = w_1 x_1 + w_2 x_2$ (noise 0.2), the failure of plain gradient "
     "descent at learning rate 1, the saddle point of $x^2 - y^2$, and a 1-H-1 ReLU network fitting $2x^2$.",
     "# 种子文章 003：梯度下降算法的可视化\n\n"
     "$y = w_1 x_1 + w_2 x_2$（噪声 0.2）的损失函数曲面上各优化器的路径、学习率为 1 时普通梯度下降的失败、"
     "$x^2 - y^2$ 的鞍点，以及用 1-H-1 ReLU 网络拟合 $2x^2$。"),
    SETUP,
    ("## Paths on the loss surface\n\nThe seed's surface $\\frac12 \\sum_i (w_1 x_{i1} + w_2 x_{i2} - y_i)^2$ "
     "(100 samples, true $w = (2, -3)$, seeded: the article's data were not), from $w = (-10, 10)$. "
     "The seed's SGD steps with one sample's $\\frac12 r^2$; gdlab's mini-batch gradient is the unbiased "
     "estimate of the whole sum, so the article's lr $10^{-4}$ is $10^{-4}/N$ here.",
     "## 损失函数曲面上的路径\n\n种子文章的曲面 $\\frac12 \\sum_i (w_1 x_{i1} + w_2 x_{i2} - y_i)^2$"
     "（100 个样本，真实 $w = (2, -3)$，固定随机种子：文章的数据没有固定种子），从 $w = (-10, 10)$ 出发。"
     "文章的随机梯度下降用单个样本的 $\\frac12 r^2$；gdlab 的小批量梯度是整个和的无偏估计，"
     "所以文章的学习率 $10^{-4}$ 在这里是 $10^{-4}/N$。"),
    'from gdlab.demo.seeds.seed003 import seed003_loss\n\n'
    'f = seed003_loss()\n'
    'start = [-10.0, 10.0]\n'
    'runs = {\n'
    '    "Momentum lr 0.01": gdlab.minimize(f, start, optimizer="momentum", lr=0.01, momentum=0.9, steps=500),\n'
    '    "GD lr 1e-4": gdlab.minimize(f, start, optimizer="gd", lr=1e-4, steps=500),\n'
    '    "GD lr 0.01": gdlab.minimize(f, start, optimizer="gd", lr=0.01, steps=100),\n'
    '    "SGD lr 1e-4": gdlab.minimize(f, start, optimizer="sgd", lr=1e-4 / f.n_samples, steps=1000,\n'
    '                                  batch_size=1, seed=0),\n'
    '    "Adagrad lr 1": gdlab.minimize(f, start, optimizer="adagrad", lr=1.0, steps=500),\n'
    '}\n'
    'print("least-squares w (the star):", np.round(f.minima[0], 4))\n'
    'for label, run in runs.items():\n'
    '    print(f"{label:18s} final w = {np.round(run.final, 4)}  ({run.status})")\n'
    'viz.contour(f, runs, bounds=[[-11, 11], [-11, 11]], labels=("w1", "w2"))',
    ("**Correction:** the article's \"momentum\" averages the current and the previous gradient with "
     "$\\gamma = 0.01$, which is almost plain gradient descent; gdlab's is heavy-ball momentum "
     "($\\beta = 0.9$, as `torch.optim.SGD`).\n\n"
     "## Learning rate 1\n\nThe curvature of this surface is about $N = 100$, so gradient descent is stable "
     "only for $\\eta < 2/L$. At $\\eta = 1$ it explodes; Adagrad divides each step by the root of the summed "
     "squared gradients and converges.",
     "**更正：**文章所谓的\"动量\"是用 $\\gamma = 0.01$ 对当前和前一次梯度取平均，几乎就是普通梯度下降；"
     "gdlab 的是重球动量（$\\beta = 0.9$，与 `torch.optim.SGD` 相同）。\n\n"
     "## 学习率为 1\n\n这个曲面的曲率约为 $N = 100$，所以梯度下降只有在 $\\eta < 2/L$ 时才稳定。"
     "$\\eta = 1$ 时它会发散；Adagrad 用累积梯度平方和的平方根去除每一步，因而收敛。"),
    'report = gdlab.stability(f, "gd", lr=1.0, x=start)\n'
    'print(f"largest stable lr of GD: {report.max_stable_lr:.4g}; lr 1 stable: {report.stable}")\n'
    'gd = gdlab.minimize(f, start, optimizer="gd", lr=1.0, steps=500)\n'
    'ada = gdlab.minimize(f, start, optimizer="adagrad", lr=1.0, steps=500)\n'
    'print(f"GD: {gd.status} at step {gd.stopped_at}; Adagrad: {ada.status}, w = {np.round(ada.final, 4)}")',
    ("## The saddle point of $x^2 - y^2$\n\nFrom $(10, 0)$ the $y$-gradient $-2y$ is exactly 0 forever: gradient "
     "descent slides to the saddle $(0, 0)$ and stops. Start at $(10, 0.01)$, or add a little gradient noise, "
     "and $y$ grows by 0.8% a step: it escapes.",
     "## $x^2 - y^2$ 的鞍点\n\n从 $(10, 0)$ 出发，$y$ 方向的梯度 $-2y$ 永远是 0：梯度下降滑到鞍点 $(0, 0)$ 就停住了。"
     "从 $(10, 0.01)$ 出发，或者加一点梯度噪声，$y$ 每一步增长 0.8%：它就逃离了鞍点。"),
    'saddle = functions.get("saddle")\n'
    'runs = {\n'
    '    "(10, 0), lr 0.2": gdlab.minimize(saddle, [10.0, 0.0], optimizer="gd", lr=0.2, steps=500),\n'
    '    "(10, 0.01), lr 0.004": gdlab.minimize(saddle, [10.0, 0.01], optimizer="gd", lr=0.004, steps=500),\n'
    '    "(10, 0) + noise": gdlab.minimize(saddle, [10.0, 0.0], optimizer="gd", lr=0.004, steps=500,\n'
    '                                      noise=0.01, seed=0),\n'
    '}\n'
    'for label, run in runs.items():\n'
    '    print(f"{label:22s} final point = {np.round(run.final, 4)}")\n'
    'viz.side_by_side(saddle, runs, bounds=[[-11, 11], [-11, 11]])',
    ("Momentum, RMSProp ($\\gamma = 0.2$, torch's `alpha`) and Adagrad from $(10, 0)$ with the same tiny "
     "perturbation (the article gives no learning rates; these are gdlab's choice):",
     "动量、RMSProp（$\\gamma = 0.2$，即 torch 的 `alpha`）和 Adagrad 从 $(10, 0)$ 出发，加同样微小的扰动"
     "（文章没有给出学习率；这里的学习率是 gdlab 选的）："),
    'race = gdlab.race(saddle, [10.0, 0.0], {\n'
    '    "momentum": {"lr": 0.01, "momentum": 0.9},\n'
    '    "rmsprop": {"lr": 0.1, "alpha": 0.2},\n'
    '    "adagrad": {"lr": 1.0},\n'
    '}, steps=100, noise=0.01, seed=0)\n'
    'race',
    ("## A 1-H-1 ReLU network fits $y = 2x^2$\n\nBatch gradient descent for 300 epochs on "
     "$\\frac12 \\sum (\\hat y - y)^2$, with $x$ and $y$ standardised. **Correction:** the article maps the "
     "prediction back with $x$'s mean and standard deviation; it must be $y$'s: "
     "$\\hat y \\cdot \\mathrm{std}(y) + \\mathrm{mean}(y)$.",
     "## 1-H-1 ReLU 网络拟合 $y = 2x^2$\n\n用批量梯度下降在 $\\frac12 \\sum (\\hat y - y)^2$ 上训练 300 个周期，"
     "$x$ 和 $y$ 都做标准化。**更正：**文章用 $x$ 的均值和标准差把预测值还原；应该用 $y$ 的："
     "$\\hat y \\cdot \\mathrm{std}(y) + \\mathrm{mean}(y)$。"),
    'data = datasets.get("seed003_quadratic")\n'
    'sx, sy = datasets.Standardizer().fit(data.x), datasets.Standardizer().fit(data.y)\n'
    'net = nn.mlp([1, 20, 1], activation="relu", seed=0, dtype="float64")\n'
    'net.compile(optimizer=optim.SGD(lr=0.002), loss="half_sse")\n'
    'history = net.fit(sx.transform(data.x), sy.transform(data.y)[:, None], epochs=300, verbose=0)\n\n\n'
    'def predict(x):\n'
    '    """Standardise x, predict, map back with y\'s statistics."""\n'
    '    return sy.inverse_transform(net.predict(sx.transform(np.asarray(x).reshape(-1, 1))).reshape(-1))\n\n\n'
    'print(f"mse in original units: {np.mean((predict(data.x) - data.y) ** 2):.4f}")\n'
    'viz.fit_curve(data.x, data.y, {"standardised": predict}, truth=lambda v: 2 * np.asarray(v) ** 2)',
]

# ---------------------------------------------------------------------------------------------
# 004: numerical differentiation and learning

N004 = [
    ("# Seed 004: numerical differentiation and learning\n\n"
     "Notes on chapter 4 of *Deep Learning from Scratch*: the central difference with $h = 10^{-4}$, partial "
     "derivatives and the gradient, gradient descent with three learning rates, and the learning loop "
     "(mini-batch, gradient, update, repeat) on handwritten digits.",
     "# 种子文章 004：数值微分与学习\n\n"
     "《深度学习入门》第 4 章的笔记：$h = 10^{-4}$ 的中心差分、偏导数与梯度、三种学习率下的梯度下降，"
     "以及在手写数字上的学习循环（小批量、梯度、更新、重复）。"),
    SETUP,
    ("## The numerical derivative\n\n$f(x) = 0.01x^2 + 0.1x$; exact $f'(x) = 0.02x + 0.1$: 0.2 at 5 and 0.3 at 10. "
     "The central difference $(f(x+h) - f(x-h))/2h$ gets them to about 12 digits.",
     "## 数值导数\n\n$f(x) = 0.01x^2 + 0.1x$；精确导数 $f'(x) = 0.02x + 0.1$：在 5 处为 0.2，在 10 处为 0.3。"
     "中心差分 $(f(x+h) - f(x-h))/2h$ 大约准确到 12 位。"),
    'from gdlab.numdiff import numerical_diff, numerical_gradient\n\n\n'
    'def function_1(x):\n'
    '    return 0.01 * x ** 2 + 0.1 * x\n\n\n'
    'print(repr(numerical_diff(function_1, 5.0)), repr(numerical_diff(function_1, 10.0)))\n'
    'viz.tangents(functions.get("gentle_quadratic"), [5.0, 10.0], xlim=(0.0, 20.0))',
    ("## Partial derivatives and the gradient\n\n$f(x_0, x_1) = x_0^2 + x_1^2$ at $(3, 4)$, one variable fixed: "
     "6.00000000000378 and 7.999999999999119 (the article's digits), then the whole gradient at three points.",
     "## 偏导数与梯度\n\n$f(x_0, x_1) = x_0^2 + x_1^2$ 在 $(3, 4)$ 处，固定一个变量："
     "6.00000000000378 和 7.999999999999119（文章的数字），然后求三个点上的完整梯度。"),
    'print(repr(numerical_diff(lambda x0: x0 * x0 + 4.0 ** 2.0, 3.0)))\n'
    'print(repr(numerical_diff(lambda x1: 3.0 ** 2.0 + x1 * x1, 4.0)))\n\n\n'
    'def function_2(x):\n'
    '    return (x ** 2).sum()\n\n\n'
    'for point in ([3.0, 4.0], [0.0, 2.0], [3.0, 0.0]):\n'
    '    print(point, np.round(numerical_gradient(function_2, np.array(point)), 6))\n'
    'viz.gradient_field(functions.get("paraboloid"), bounds=[[-2, 2], [-2, 2]], labels=("x0", "x1"))',
    ("## Gradient descent from $(-3, 4)$\n\n100 steps of $x \\leftarrow x - \\eta \\nabla f$: $\\eta = 0.1$ reaches "
     "$(-6.1 \\cdot 10^{-10}, 8.1 \\cdot 10^{-10})$ ($0.8^{100}$ times the start), $\\eta = 10$ diverges (each step "
     "multiplies $x$ by $-19$), $\\eta = 10^{-10}$ barely moves.",
     "## 从 $(-3, 4)$ 出发的梯度下降\n\n$x \\leftarrow x - \\eta \\nabla f$ 迭代 100 步：$\\eta = 0.1$ 到达 "
     "$(-6.1 \\cdot 10^{-10}, 8.1 \\cdot 10^{-10})$（起点乘以 $0.8^{100}$），$\\eta = 10$ 发散（每一步把 $x$ 乘以 "
     "$-19$），$\\eta = 10^{-10}$ 几乎不动。"),
    'f = functions.get("paraboloid")\n'
    'runs = {f"lr = {lr:g}": gdlab.minimize(f, [-3.0, 4.0], optimizer="gd", lr=lr, steps=100)\n'
    '        for lr in (0.1, 10.0, 1e-10)}\n'
    'for label, run in runs.items():\n'
    '    print(f"{label:12s} {run.status:9s} final x = ({run.final[0]:.2g}, {run.final[1]:.2g})")\n'
    'print("lr 10 is stable:", gdlab.stability(f, "gd", lr=10).stable)\n'
    'viz.side_by_side(f, runs, bounds=[[-4.5, 4.5], [-4.5, 4.5]])',
    ("The gradient of a loss with respect to a $2 \\times 3$ weight matrix has the weight's shape:",
     "损失函数对 $2 \\times 3$ 权重矩阵的梯度与权重形状相同："),
    'W = np.random.default_rng(0).standard_normal((2, 3))\n'
    'x, t = np.array([0.6, 0.9]), np.array([0.0, 0.0, 1.0])\n\n\n'
    'def loss(weights):\n'
    '    return -(gdlab.log_softmax(gdlab.Tensor(x) @ weights) * t).sum()\n\n\n'
    'numerical = gdlab.numdiff.gradient(lambda w: loss(gdlab.Tensor(w)).item(), W)\n'
    'print("shape:", numerical.shape, "| numerical vs autodiff:", f"{np.abs(numerical - gdlab.grad(loss)(W)).max():.1e}")',
    ("## The learning loop on handwritten digits\n\nRepeat: draw a mini-batch of 100, compute the gradient by "
     "backpropagation, update. A 64-50-10 sigmoid network on the 8×8 digits, plain SGD, train and test accuracy "
     "after every epoch (the book reaches about 0.95 on MNIST).",
     "## 手写数字上的学习循环\n\n重复：抽取 100 个样本的小批量，用反向传播计算梯度，更新。"
     "8×8 手写数字上的 64-50-10 sigmoid 网络，普通随机梯度下降，每个周期测量训练和测试准确率"
     "（书中在 MNIST 上大约达到 0.95）。"),
    'x, y = datasets.load_digits(scale=True)\n'
    'x_train, x_test, y_train, y_test = datasets.train_test_split(x, y, test_size=0.2, seed=0)\n'
    'model = nn.mlp([64, 50, 10], activation="sigmoid", seed=0)\n'
    'model.compile(optimizer=optim.SGD(lr=0.5), loss="sparse_categorical_crossentropy_from_logits",\n'
    '              metrics=["accuracy"])\n'
    'history = model.fit(x_train, y_train, epochs=40, batch_size=100, validation_data=(x_test, y_test),\n'
    '                    seed=0, verbose=0)\n'
    'print(f"test accuracy after 40 epochs: {history.history[\'val_accuracy\'][-1]:.4f}")\n'
    'history',
]

# ---------------------------------------------------------------------------------------------
# optimizers: the race, tuning, basins, the stability bound

NOPT = [
    ("# Optimizers: the race, tuning, basins and the stability bound\n\n"
     "Every classic optimizer, with the numbers of `torch.optim`, on the Rosenbrock valley and friends. "
     "Results display themselves: a race is a table with a thumbnail, a tuning result the best settings.",
     "# 优化器：比赛、调参、吸引域与稳定性界\n\n"
     "所有经典优化器（数值与 `torch.optim` 一致）在 Rosenbrock 山谷等函数上的表现。"
     "结果会自己显示：比赛是一张带缩略图的表格，调参结果是最佳设置。"),
    SETUP,
    'f = functions.get("rosenbrock")\nf',
    ("## The race\n\nThree optimizers from the same start, each with its own learning rate:",
     "## 比赛\n\n三个优化器从同一个起点出发，各自使用自己的学习率："),
    'race = gdlab.race(f, [-1.2, 1.0], {\n'
    '    "gd": {"lr": 1e-3},\n'
    '    "momentum": {"lr": 1e-3, "momentum": 0.95},\n'
    '    "adam": {"lr": 0.05},\n'
    '}, steps=500)\n'
    'race',
    ("## A fair comparison: tune each optimizer's learning rate\n\n`gdlab.tune` sweeps a grid of learning rates "
     "for every optimizer (all in one array program) and keeps each one's best:",
     "## 公平比较：为每个优化器调学习率\n\n`gdlab.tune` 为每个优化器扫描一组学习率（全部在一个数组程序中完成），"
     "保留各自最好的一个："),
    'tuned = gdlab.tune(f, [-1.2, 1.0], ["gd", "momentum", "rmsprop", "adam"], steps=300)\n'
    'tuned',
    ("One optimizer over the learning rates, divergence marked:", "单个优化器在各学习率下的结果，发散处有标记："),
    'gdlab.lr_sweep(f, [-1.2, 1.0], "gd", steps=300)',
    ("## Basins of attraction\n\nHimmelblau's function has four minima. Start gradient descent from a 25 × 25 grid "
     "and colour each start by the minimum it reaches:",
     "## 吸引域\n\nHimmelblau 函数有四个最小值。从 25 × 25 的网格上每个点出发做梯度下降，"
     "按它到达的最小值给起点上色："),
    'h = functions.get("himmelblau")\n'
    'starts = gdlab.runs.grid_starts(h.bounds, 25)\n'
    'grid_run = gdlab.minimize(h, starts, optimizer="gd", lr=0.01, steps=200)\n'
    'basins = gdlab.runs.basins(grid_run)\n'
    'print("share of starts per minimum:", np.round(basins.share, 3))\n'
    'viz.basin_map(grid_run)',
    ("## The stability bound\n\nOn a quadratic with largest curvature $L$, gradient descent converges only for "
     "$\\eta < 2/L$ (momentum: $(2 + 2\\beta)/L$). Just below and just above the bound:",
     "## 稳定性界\n\n在最大曲率为 $L$ 的二次函数上，梯度下降只有在 $\\eta < 2/L$ 时收敛"
     "（动量：$(2 + 2\\beta)/L$）。界的两侧各试一次："),
    'bowl = functions.get("elongated_bowl")\n'
    'bound = gdlab.stability(bowl, "gd").max_stable_lr\n'
    'print(f"2/L = {bound:g}; with momentum 0.9: {gdlab.stability(bowl, \'momentum\').max_stable_lr:g}")\n'
    'below = gdlab.minimize(bowl, bowl.start, optimizer="gd", lr=0.95 * bound, steps=200)\n'
    'above = gdlab.minimize(bowl, bowl.start, optimizer="gd", lr=1.05 * bound, steps=200)\n'
    'print("0.95 x bound:", below.status, "| 1.05 x bound:", above.status)',
    ("## Watch it move\n\nAn animation shows itself in the notebook as a small player (no file needed):",
     "## 看它运动\n\n动画在笔记本里显示为一个小播放器（不需要文件）："),
    'viz.animate(race, frames=12, resolution=60)',
    ("## Try it yourself\n\n`gdlab.widgets.explore` puts the race under sliders: an optimizer per lane, the "
     "learning rate on a log scale, its momentum or $\\beta_1$, the steps and the start (click the map). "
     "Each change reruns the race in about a tenth of a second.",
     "## 自己试试\n\n`gdlab.widgets.explore` 把比赛放到滑块下：每条赛道一个优化器，学习率用对数刻度，"
     "还有它的动量或 $\\beta_1$、步数和起点（点击地图即可）。每次改变都会在约十分之一秒内重跑比赛。"),
    'from gdlab import widgets\n\n'
    'explorer = widgets.explore(f, {"gd": {"lr": 1e-3}, "momentum": {"lr": 1e-3}, "adam": {"lr": 0.05}}, steps=500)\n'
    'explorer',
]

# ---------------------------------------------------------------------------------------------
# training: compile/fit, a PyTorch-style loop, saving

NTRAIN = [
    ("# Training networks: Keras style, PyTorch style, saving\n\n"
     "`gdlab.nn` trains with `compile`/`fit` like Keras or with an explicit loop like PyTorch; both use the "
     "same optimizers and the same reverse-mode backpropagation.",
     "# 训练神经网络：Keras 风格、PyTorch 风格与保存\n\n"
     "`gdlab.nn` 可以像 Keras 一样用 `compile`/`fit` 训练，也可以像 PyTorch 一样写显式循环；"
     "两者使用相同的优化器和相同的反向传播。"),
    SETUP,
    'data = datasets.get("moons", seed=0)\n'
    'x_train, x_test, y_train, y_test = datasets.train_test_split(data.x, data.y, test_size=0.25, seed=0)\n'
    'model = nn.mlp([2, 16, 16, 2], activation="tanh", seed=0)\n'
    'model.summary()',
    ("## Keras style: compile and fit\n\nAdam, the cross-entropy loss on logits, accuracy, validation data; "
     "the History shows its last epoch and the loss curves:",
     "## Keras 风格：compile 与 fit\n\nAdam 优化器、基于 logits 的交叉熵损失函数、准确率、验证数据；"
     "History 显示最后一个周期和损失曲线："),
    'model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], lr=0.01)\n'
    'history = model.fit(x_train, y_train, epochs=150, batch_size=32, validation_data=(x_test, y_test),\n'
    '                    seed=0, verbose=0)\n'
    'print(f"test accuracy: {model.evaluate(x_test, y_test, verbose=0)[\'accuracy\']:.3f}")\n'
    'history',
    'viz.decision_regions(model, data.x, data.y)',
    ("## PyTorch style: the loop written out\n\nZero the gradients, forward, loss, `backward()`, `step()`: the "
     "same network trained by hand with momentum SGD on mini-batches of 32.",
     "## PyTorch 风格：把循环写出来\n\n梯度清零、正向计算、损失、`backward()`、`step()`："
     "同样的网络，用带动量的随机梯度下降在 32 个样本的小批量上手动训练。"),
    'net = nn.mlp([2, 16, 16, 2], activation="tanh", seed=0)\n'
    'opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)\n'
    'loss_fn = nn.losses.get("cross_entropy")\n'
    'rng = np.random.default_rng(0)\n'
    'for epoch in range(100):\n'
    '    order = rng.permutation(len(x_train))\n'
    '    for i in range(0, len(order), 32):\n'
    '        batch = order[i:i + 32]\n'
    '        opt.zero_grad()\n'
    '        loss = loss_fn(net(gdlab.Tensor(x_train[batch].astype("float32"))), y_train[batch])\n'
    '        loss.backward()\n'
    '        opt.step()\n'
    'accuracy = np.mean(net(gdlab.Tensor(x_test.astype("float32"))).numpy().argmax(axis=1) == y_test)\n'
    'print(f"hand loop: last batch loss {loss.item():.4f}, test accuracy {accuracy:.3f}")',
    ("## Saving and loading\n\n`model.save` writes the architecture, the weights, the optimizer state and the "
     "compile settings to one `.npz`; `nn.load_model` gives the model back, ready to continue training.",
     "## 保存与加载\n\n`model.save` 把结构、权重、优化器状态和编译设置写进一个 `.npz` 文件；"
     "`nn.load_model` 取回模型，可以直接继续训练。"),
    'import tempfile\nfrom pathlib import Path\n\n'
    'folder = Path(tempfile.mkdtemp())\n'
    'model.save(folder / "moons.npz")\n'
    'again = nn.load_model(folder / "moons.npz")\n'
    'same = np.array_equal(again.predict(x_test), model.predict(x_test))\n'
    'print("same predictions after loading:", same)',
    ("## Try it yourself\n\n`gdlab.widgets.explore_training` trains a small network with controls for the hidden "
     "widths, activation, optimizer, learning rate, epochs and batch size, and draws the decision boundary:",
     "## 自己试试\n\n`gdlab.widgets.explore_training` 提供隐藏层宽度、激活函数、优化器、学习率、周期数和批量大小的"
     "控件来训练一个小网络，并画出决策边界："),
    'from gdlab import widgets\n\n'
    'widgets.explore_training("moons", hidden=(8, 8), epochs=100)',
]

NOTEBOOKS = {
    "000_gradient_descent_by_hand": N000,
    "001_backpropagation": N001,
    "002_gd_sgd_minibatch": N002,
    "003_visualising_optimizers": N003,
    "004_numerical_differentiation": N004,
    "optimizers": NOPT,
    "training": NTRAIN,
}

LANGUAGES = {"en": "", "zh": ".zh"}


def build(cells, lang):
    """The notebook of ``cells`` in ``lang`` ("en" or "zh"), without outputs."""
    index = 0 if lang == "en" else 1
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    for cell in cells:
        if isinstance(cell, tuple):
            nb.cells.append(nbformat.v4.new_markdown_cell(cell[index]))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(cell))
    for i, cell in enumerate(nb.cells):  # stable ids: the stored files do not change from run to run
        cell["id"] = f"{lang}-{i:02d}"
    return nb


def paths():
    """{(name, lang): path} of every notebook this script writes."""
    return {(name, lang): HERE / f"{name}{suffix}.ipynb" for name in NOTEBOOKS for lang, suffix in LANGUAGES.items()}


def main(argv=None):
    for (name, lang), path in paths().items():
        text = nbformat.writes(build(NOTEBOOKS[name], lang)) + "\n"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main(sys.argv[1:])
