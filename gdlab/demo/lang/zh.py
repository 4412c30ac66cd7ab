"""The gallery in Chinese (simplified), in the seed articles' terms: 梯度下降, 学习率, 动量, 随机梯度下降,
小批量, 反向传播, 鞍点, 损失函数, 训练周期 ...

``UI``: the page's and the terminal's own words (the keys of ``en.UI``). ``TEXT``: the experiments'
English text -> Chinese. ``PATTERNS``: English templates with ``{}`` holes (text with numbers in it)
-> Chinese with ``{0}``, ``{1}`` ... (each hole translated again where this table knows it).
"""

UI = {
    "html_lang": "zh-CN",
    "page_title": "gdlab 图集",
    "page_lead": "五篇种子文章的每一个实验，都用 gdlab 重现、由 gdlab 绘图，并列出文章给出的数字——"
                 "还有几个教程里没有的内容。点击图片可以放大查看。",
    "chip_experiments": "{n} 个实验",
    "chip_files": "{n} 张图和报告",
    "chip_reproduced": "重现了 {n} 个种子文章的数字 ✓",
    "chip_corrected": "更正了 {n} 处种子文章的错误",
    "chip_failed": "{n} 个失败",
    "chip_quick": "快速模式",
    "chip_full": "完整模式",
    "legend_match": "gdlab 重现了文章打印的数字",
    "legend_corrected": "文章的数字有误；注释说明原因",
    "legend_new": "文章没有给出的数字",
    "mark_match": "✓",
    "mark_approx": "≈ ✓",
    "mark_corrected": "已更正",
    "mark_new": "新增",
    "mark_mismatch": "✗ 不一致",
    "badge_failed": "失败",
    "badge_mismatch": "不一致",
    "badge_corrected": "已更正文章",
    "col_quantity": "量",
    "col_seed": "种子文章",
    "col_gdlab": "gdlab",
    "interactive_report": "交互式报告",
    "open_report": "打开交互式报告 ↗",
    "lightbox_hint": "点击或按 Esc 关闭",
    "missing_file": "（缺失）",
    "footer": "由 <code>{command}</code> 生成。数字都是 gdlab 在生成本页时自己算出的；“种子文章”一栏引用文章原文。"
              "本页不从网络加载任何内容。",
    "live_lead": "在浏览器实验室里亲手试一试：运行 {command}，然后打开",
    "live_optimizers": "优化器",
    "live_optimizers_tip": "在地形上让各个优化器赛跑",
    "live_networks": "神经网络",
    "live_networks_tip": "在二维数据上训练小型神经网络，各个优化器并排比较",
    "live_note": "（实验室在你自己的机器上运行：运行时这些链接才能打开）",
    "summary_title": "gdlab demo：重现种子文章的数字",
    "figures_only": "（只有图）",
    "failed": "失败",
    "font_hint": "没有找到中文字体：图中的中文会显示为方框。请安装一个，例如 "
                 "sudo apt-get install fonts-wqy-zenhei（或 fonts-noto-cjk）；macOS 和 Windows 自带中文字体。"
                 "图集仍然照常写出。",
}

TEXT = {
    # ------------------------------------------------------------------ groups (the page's sections)
    "Seed 000 · gradient descent written by hand": "种子文章 000 · 亲手实现梯度下降",
    "Seed 001 · gradient descent and backpropagation": "种子文章 001 · 梯度下降与反向传播",
    "Seed 002 · GD, SGD and mini-batch SGD": "种子文章 002 · 批量梯度下降、随机梯度下降与小批量随机梯度下降",
    "Seed 003 · visualising gradient descent algorithms": "种子文章 003 · 梯度下降算法的可视化",
    "Seed 004 · numerical differentiation and learning": "种子文章 004 · 数值微分与学习",
    "Beyond the seeds · showcases": "种子文章之外 · 展示",
    "Gradient descent written by hand on y = x²: the visited points, the direction of the updates, the learning rate.":
        "在 y = x² 上亲手实现梯度下降：经过的点、更新的方向、学习率。",
    "One-variable descent, a linear regression with recorded gradients, and backpropagation worked by hand.":
        "单变量的梯度下降、记录梯度的线性回归，以及手算反向传播。",
    "The three regimes: the whole data set per update (GD), one sample (SGD), a few samples (mini-batch).":
        "三种方式：每次更新用整个数据集（批量梯度下降）、一个样本（随机梯度下降）、几个样本（小批量）。",
    "Optimizer paths on a regression's loss surface, the saddle point x² − y², and a small ReLU network.":
        "回归问题损失函数曲面上的优化器路径、鞍点 x² − y²，以及一个小的 ReLU 网络。",
    "Central differences against autodiff, the gradient field, the learning rate's effect, and a digits classifier.":
        "中心差分与自动微分的对比、梯度场、学习率的影响，以及一个手写数字分类器。",
    "What no tutorial shows: tuned optimizer races, basins of attraction, a decision boundary as it learns.":
        "教程里没有的内容：调好学习率的优化器比赛、吸引域、边学习边变化的决策边界。",

    # ------------------------------------------------------------------ seed 000
    "Gradient descent on y = x² from w = −5": "从 w = −5 出发在 y = x² 上做梯度下降",
    "w ← w − 0.1·2w for 150 epochs: each step keeps 80% of w, so the red dotted path runs down the parabola to 0; "
    "the green arrow shows the direction of the updates.":
        "w ← w − 0.1·2w，训练 150 个周期：每一步保留 w 的 80%，所以红色点线沿抛物线一路降到 0；绿色箭头表示更新的方向。",
    "history length (epochs + 1)": "记录长度（周期数 + 1）",
    "epochs until w prints as 0.00": "w 打印为 0.00 所需的周期数",
    "about 32": "大约 32",
    "w after 150 epochs (2 decimals)": "150 个周期后的 w（2 位小数）",
    "the visited points (red, dotted), the green arrow toward the 4th point": "经过的点（红色点线），指向第 4 个点的绿色箭头",
    "gradient descent on y = x²": "y = x² 上的梯度下降",
    "update direction": "更新方向",
    "Loss": "损失",
    "A tiny learning rate: start 5, lr 0.001, 15000 epochs": "很小的学习率：从 5 出发，学习率 0.001，15000 个周期",
    "With lr 0.001 each step keeps 99.8% of w: 15000 epochs still bring w from 5 to 0, slowly — the same minimum, "
    "a thousand times more steps.":
        "学习率为 0.001 时每一步保留 w 的 99.8%：15000 个周期仍然把 w 从 5 带到 0，只是很慢——同样的最小值，步数多了一千倍。",
    "final w (2 decimals)": "最终的 w（2 位小数）",
    "epochs to halve w": "w 减半所需的周期数",
    "loss against epoch (log scale): lr 0.1 from −5 and lr 0.001 from 5":
        "损失随周期的变化（对数刻度）：学习率 0.1 从 −5 出发，学习率 0.001 从 5 出发",
    "lr = 0.1, w₀ = −5": "学习率 0.1，w₀ = −5",
    "lr = 0.001, w₀ = 5": "学习率 0.001，w₀ = 5",
    "Keras-style fit: Celsius to Fahrenheit with Adam(0.1)": "Keras 风格的 fit：用 Adam(0.1) 学习摄氏转华氏",
    "compile(optimizer=Adam(0.1), loss='mse') then fit(c, f, epochs=500): a single Linear(1, 1) is close (w 1.82, "
    "b 29.2: b is still climbing); 1500 more epochs give f = 1.8·c + 32 exactly.":
        "compile(optimizer=Adam(0.1), loss='mse')，然后 fit(c, f, epochs=500)：单个 Linear(1, 1) 已经接近"
        "（w 1.82，b 29.2：b 还在上升）；再训练 1500 个周期就精确得到 f = 1.8·c + 32。",
    "w after 500 epochs (true 1.8)": "500 个周期后的 w（真值 1.8）",
    "b after 500 epochs (true 32)": "500 个周期后的 b（真值 32）",
    "Adam moves each weight by at most about lr = 0.1 per step: b is still on its way":
        "Adam 每一步对每个权重的移动最多约为学习率 0.1：b 还在路上",
    "w, b after 2000 epochs": "2000 个周期后的 w、b",
    "predict(100 °C) after 2000 epochs": "2000 个周期后的 predict(100 °C)",
    "exact: 212 °F": "精确值：212 °F",
    "The seed compiles with metrics=['accuracy'], which means nothing for a regression; gdlab reports the mean "
    "absolute error instead.":
        "文章编译时用了 metrics=['accuracy']，这对回归问题没有意义；gdlab 改为报告平均绝对误差。",
    "the seven points and the learned line": "七个点和学到的直线",
    "mse loss and mae per epoch (500 epochs, then 1500 more)": "每个周期的 mse 损失和 mae（500 个周期，再加 1500 个）",
    "data": "数据",
    "data and fit": "数据与拟合",
    "truth": "真实关系",
    "fit": "拟合",
    "loss": "损失",
    "epoch": "周期",
    "step": "步",
    "training": "训练",
    "validation": "验证",
    "accuracy": "准确率",

    # ------------------------------------------------------------------ seed 001
    "Gradient descent on y = 3x² + 2x + 1 from x = −10": "从 x = −10 出发在 y = 3x² + 2x + 1 上做梯度下降",
    "x ← x − 0.2·(6x + 2) for 1000 iterations: the step overshoots (factor 1 − 0.2·6 = −0.2), zig-zags, and lands "
    "on the minimum y = 2/3 at x = −1/3.":
        "x ← x − 0.2·(6x + 2)，迭代 1000 次：每一步都越过最小值（系数 1 − 0.2·6 = −0.2），来回折返，"
        "最后落在 x = −1/3 处的最小值 y = 2/3。",
    "final y": "最终的 y",
    "the minimum is 2/3": "最小值是 2/3",
    "final x": "最终的 x",
    "the minimiser is −1/3": "最小值点是 −1/3",
    "steps until |x + 1/3| < 1e-6": "直到 |x + 1/3| < 1e-6 的步数",
    "the first iterations zig-zag across the minimum": "最初几次迭代在最小值两侧来回折返",
    "y = 3x² + 2x + 1, lr 0.2": "y = 3x² + 2x + 1，学习率 0.2",
    "Linear regression with recorded gradients (GradientTape style)": "记录梯度的线性回归（GradientTape 风格）",
    "y_pred = a·X + b on five points, loss = sum of squared errors, gradients by gdlab's autodiff, plain SGD with "
    "lr 5e-4 for 100 epochs — far from converged, as in the article.":
        "五个点上的 y_pred = a·X + b，损失函数为误差平方和，梯度由 gdlab 的自动微分计算，用普通随机梯度下降，"
        "学习率 5e-4，训练 100 个周期——和文章一样，离收敛还很远。",
    "a after 100 epochs": "100 个周期后的 a",
    "b after 100 epochs": "100 个周期后的 b",
    "batch loss at a = b = 0 = mean of the per-sample losses": "a = b = 0 时批量的损失 = 各样本损失的平均值",
    "reduce_mean of the losses": "损失的 reduce_mean",
    "this regression itself sums them (reduce_sum): 2.0936": "这个回归本身是对它们求和（reduce_sum）：2.0936",
    "least-squares line": "最小二乘直线",
    "where SGD would end: lr 5e-4 × 100 epochs is far too little": "随机梯度下降最终会到达的地方：学习率 5e-4 × 100 个周期远远不够",
    "the five points, the line after 1, 10, 50 and 100 epochs, and the least-squares line":
        "五个点，训练 1、10、50、100 个周期后的直线，以及最小二乘直线",
    "sum of squared errors per epoch": "每个周期的误差平方和",
    "least squares": "最小二乘",
    "SGD lr 5e-4": "随机梯度下降，学习率 5e-4",
    "Backpropagation by hand: a 1-2-1 sigmoid network": "手算反向传播：1-2-1 的 sigmoid 网络",
    "Forward: hidden 0.9933 and 0.7311, output 0.9381; backward by the chain rule: dE/dw21 = (ŷ − y)·ŷ(1 − ŷ)·h1 "
    "≈ −0.00357. A gradient-descent step subtracts α·grad: w21 grows to 2.000715.":
        "正向：隐藏层 0.9933 和 0.7311，输出 0.9381；按链式法则反向：dE/dw21 = (ŷ − y)·ŷ(1 − ŷ)·h1 ≈ −0.00357。"
        "梯度下降的一步减去 α·梯度：w21 增大到 2.000715。",
    "hidden 1: σ(x·w11 + b1)": "隐藏单元 1：σ(x·w11 + b1)",
    "hidden 2: σ(x·w12 + b1)": "隐藏单元 2：σ(x·w12 + b1)",
    "the seed adds the rounded 0.99·2 + 0.73; unrounded it is 2.7177": "文章把四舍五入后的 0.99·2 + 0.73 相加；不四舍五入是 2.7177",
    "output ŷ = σ(y_temp)": "输出 ŷ = σ(y_temp)",
    "σ(2.7177) = 0.9381, which rounds to 0.94, not 0.93": "σ(2.7177) = 0.9381，四舍五入是 0.94，不是 0.93",
    "follows from the rounded 0.93; with ŷ = 0.9381 it is −0.0619": "来自四舍五入的 0.93；用 ŷ = 0.9381 应为 −0.0619",
    "w21 after one step (α = 0.2)": "一步之后的 w21（α = 0.2）",
    "the seed writes w21 + α·grad (a sign error); gradient descent is w21 − α·grad = 2.000715":
        "文章写的是 w21 + α·梯度（符号错误）；梯度下降是 w21 − α·梯度 = 2.000715",
    "chain rule vs backward()": "链式法则与 backward() 的对比",
    "largest difference between the hand products and gdlab's autodiff": "手算乘积与 gdlab 自动微分之间的最大差",
    "gdlab.nn.explain_backprop: every chain-rule factor, number by number": "gdlab.nn.explain_backprop：链式法则的每个因子，逐个数字列出",
    "the network: forward values on the nodes, ∂E/∂w on the edges": "网络：节点上是正向计算的值，边上是 ∂E/∂w",
    "b1 = 3 (both hidden units), b2 = 0, sigmoid everywhere": "b1 = 3（两个隐藏单元），b2 = 0，全部使用 sigmoid",

    # ------------------------------------------------------------------ seed 002
    "Batch gradient descent on y = w·x": "y = w·x 上的批量梯度下降",
    "x = [1, 2, 3], y = [2, 4, 6], w = 1, lr 0.01, cost = mean squared error, one update per epoch from the mean "
    "gradient 2x(xw − y): w → 2 and predict(4) → 8.":
        "x = [1, 2, 3]，y = [2, 4, 6]，w = 1，学习率 0.01，代价为均方误差，每个周期用平均梯度 2x(xw − y) 更新一次："
        "w → 2，predict(4) → 8。",
    "predict(4) before training": "训练前的 predict(4)",
    "predict(4) after 100 epochs": "100 个周期后的 predict(4)",
    "cost at epoch 0 (w = 1)": "第 0 个周期的代价（w = 1）",
    "final w": "最终的 w",
    "cost against epoch (the seed's plot; log scale)": "代价随周期的变化（文章的图；对数刻度）",
    "batch GD: cost per epoch": "批量梯度下降：每个周期的代价",
    "Stochastic gradient descent: one update per sample": "随机梯度下降：每个样本更新一次",
    "x = [1, 2, 3], y = [4, 5, 6]: three updates per epoch, in order. No line through the origin fits these points "
    "(they lie on y = x + 3), so w settles near the least-squares 16/7 and the per-sample loss never reaches 0.":
        "x = [1, 2, 3]，y = [4, 5, 6]：每个周期按顺序更新三次。没有过原点的直线能拟合这些点（它们在 y = x + 3 上），"
        "所以 w 停在最小二乘解 16/7 附近，单个样本的损失永远到不了 0。",
    "updates per epoch": "每个周期的更新次数",
    "least squares without a bias: 16/7 = 2.2857": "无偏置的最小二乘：16/7 = 2.2857",
    "predict(4) after training": "训练后的 predict(4)",
    "the points' own line y = x + 3 gives 7": "这些点自己的直线 y = x + 3 给出 7",
    "loss against epoch": "损失随周期的变化",
    "SGD: loss per epoch": "随机梯度下降：每个周期的损失",
    "GD, SGD and mini-batch SGD side by side": "批量梯度下降、随机梯度下降和小批量随机梯度下降的对比",
    "The same data, model and learning rate; only the samples per update change: all 3 (GD, 1 update per epoch), "
    "1 (SGD, 3 updates) or 2 (mini-batch, 2 updates). More updates per epoch reach w = 2 in fewer epochs.":
        "数据、模型和学习率都相同，只改变每次更新所用的样本数：全部 3 个（批量梯度下降，每个周期更新 1 次）、"
        "1 个（随机梯度下降，3 次）或 2 个（小批量，2 次）。每个周期更新越多，到达 w = 2 所需的周期越少。",
    "GD (batch 3)": "批量梯度下降（批量 3）",
    "mini-batch (batch 2)": "小批量（批量 2）",
    "SGD (batch 1)": "随机梯度下降（批量 1）",
    "loss per epoch for the three regimes (log scale)": "三种方式每个周期的损失（对数刻度）",
    "the data and each model's line after 30 epochs": "数据和每个模型训练 30 个周期后的直线",
    "GD vs mini-batch vs SGD": "批量梯度下降、小批量与随机梯度下降",
    "predictions after 30 epochs": "30 个周期后的预测",

    # ------------------------------------------------------------------ seed 003
    "Optimizer paths on the loss surface of y = w1·x1 + w2·x2": "y = w1·x1 + w2·x2 的损失函数曲面上的优化器路径",
    "From w = (−10, 10): batch GD with lr 1e-4 creeps, with lr 0.01 it jumps almost at once; SGD follows single "
    "samples; Adagrad takes lr 1 in its stride; momentum overshoots and settles. The star is the least-squares w.":
        "从 w = (−10, 10) 出发：学习率 1e-4 的批量梯度下降缓慢爬行，学习率 0.01 则几乎一步到位；随机梯度下降跟着单个样本走；"
        "Adagrad 从容应对学习率 1；动量法冲过头后再稳定下来。星号是最小二乘解 w。",
    "least-squares w (the star)": "最小二乘解 w（星号）",
    "data drawn with true w = (2, −3), noise 0.2": "数据由真实 w = (2, −3) 生成，噪声 0.2",
    "Momentum lr 0.01, 500 epochs": "动量，学习率 0.01，500 个周期",
    "GD lr 1e-4, 500 epochs": "梯度下降，学习率 1e-4，500 个周期",
    "GD lr 0.01, 100 epochs": "梯度下降，学习率 0.01，100 个周期",
    "SGD lr 1e-4, 1000 steps": "随机梯度下降，学习率 1e-4，1000 步",
    "Adagrad lr 1, 500 epochs": "Adagrad，学习率 1，500 个周期",
    "The seed's momentum averages the current and previous gradient with γ = 0.01 (almost plain GD); gdlab's is "
    "heavy-ball momentum, β = 0.9, as torch.optim.SGD.":
        "文章的动量是用 γ = 0.01 对当前和前一次梯度取平均（几乎就是普通梯度下降）；gdlab 的是重球动量，β = 0.9，"
        "与 torch.optim.SGD 相同。",
    "The seed's data were unseeded and its true w not shown: gdlab uses w = (2, −3), 100 samples, seed 0.":
        "文章的数据没有固定随机种子，也没有给出真实的 w：gdlab 使用 w = (2, −3)、100 个样本、随机种子 0。",
    "the five paths on the contour map of the loss": "损失函数等高线图上的五条路径",
    "loss against step, log scale": "损失随步数的变化，对数刻度",
    "0.5·Σ(w1·x1 + w2·x2 − y)²: five optimizers": "0.5·Σ(w1·x1 + w2·x2 − y)²：五个优化器",
    "0.5·Σ(w1·x1 + w2·x2 − y)² against step": "0.5·Σ(w1·x1 + w2·x2 − y)² 随步数的变化",
    "The 3-D loss surface, animated step by step": "3-D 损失函数曲面，逐步动画",
    "Batch GD (lr 1e-4) drawn on the surface 0.5·Σ(w·x − y)², one frame per few steps, with the gradient (g_w1, "
    "g_w2) and the loss written on each frame — the seed's GIF.":
        "在曲面 0.5·Σ(w·x − y)² 上画出批量梯度下降（学习率 1e-4），每隔几步一帧，每帧写出梯度 (g_w1, g_w2) 和损失——"
        "即文章的 GIF。",
    "gradient at the start (g_w1, g_w2)": "起点处的梯度 (g_w1, g_w2)",
    "loss at the start → after 500 epochs": "起点的损失 → 500 个周期后",
    "contour and surface side by side": "等高线图与曲面并排",
    "animated: the path on the surface with g and loss on every frame": "动画：曲面上的路径，每帧都有梯度和损失",
    "batch GD, lr 1e-4, 500 epochs": "批量梯度下降，学习率 1e-4，500 个周期",
    "batch GD, lr 1e-4": "批量梯度下降，学习率 1e-4",
    "Learning rate 1: plain GD fails, Adagrad copes": "学习率 1：普通梯度下降失败，Adagrad 能应对",
    "On this surface the curvature is about N = 100, so GD is stable only for lr < 2/100: at lr 1 it explodes. "
    "Adagrad divides each step by the root of the summed squared gradients and converges.":
        "这个曲面的曲率约为 N = 100，所以梯度下降只有在学习率 < 2/100 时才稳定：学习率为 1 时会发散。"
        "Adagrad 用累积梯度平方和的平方根去除每一步，因而收敛。",
    "largest stable lr of GD, 2/L": "梯度下降的最大稳定学习率 2/L",
    "GD, lr 1": "梯度下降，学习率 1",
    "very poor": "很差",
    "Adagrad, lr 1": "Adagrad，学习率 1",
    "converges": "收敛",
    "GD and Adagrad at lr 1, same start": "学习率 1 下的梯度下降和 Adagrad，同一起点",
    "The saddle x² − y²: stuck on a line, or away": "鞍点 x² − y²：困在一条线上，还是逃离",
    "From (10, 0) the y-gradient −2y is exactly 0 forever: GD slides to the saddle (0, 0) and stops. Start at "
    "(10, 0.01) or add a little gradient noise, and y grows by 0.8% a step: it escapes.":
        "从 (10, 0) 出发，y 方向的梯度 −2y 永远恰好为 0：梯度下降滑到鞍点 (0, 0) 就停住了。从 (10, 0.01) 出发，"
        "或加一点梯度噪声，y 每一步增长 0.8%：它就逃离了鞍点。",
    "GD lr 0.2 from (10, 0): y": "学习率 0.2 的梯度下降从 (10, 0) 出发：y",
    "y = 0 at all 501 points": "全部 501 个点上 y = 0",
    "stays 0 (dy = −2y = 0)": "保持为 0（dy = −2y = 0）",
    "GD lr 0.2 from (10, 0): final point": "学习率 0.2 的梯度下降从 (10, 0) 出发：终点",
    "the saddle, not a minimum": "鞍点，不是最小值",
    "GD lr 1 from (10, 0): x": "学习率 1 的梯度下降从 (10, 0) 出发：x",
    "±10 forever (x ← −x)": "永远是 ±10（x ← −x）",
    "oscillates": "振荡",
    "GD lr 0.004 from (10, 0.01): final y": "学习率 0.004 的梯度下降从 (10, 0.01) 出发：最终的 y",
    "escapes": "逃离",
    "GD lr 0.004 from (10, 0) with noise 0.01: |final y|": "学习率 0.004 的梯度下降从 (10, 0) 出发、噪声 0.01：|最终的 y|",
    "the three runs on the contour map of x² − y²": "x² − y² 等高线图上的三次运行",
    "animated: the nudged run leaving the saddle, with g and loss on every frame": "动画：受到扰动的运行离开鞍点，每帧都有梯度和损失",
    "(10, 0), lr 0.2": "(10, 0)，学习率 0.2",
    "(10, 0.01), lr 0.004": "(10, 0.01)，学习率 0.004",
    "(10, 0) + noise, lr 0.004": "(10, 0) + 噪声，学习率 0.004",
    "Momentum, RMSProp and Adagrad at the saddle": "鞍点处的动量、RMSProp 和 Adagrad",
    "All three from (10, 0) with the seed's tiny gradient perturbation: momentum (β 0.9) swings through the saddle "
    "and gathers speed along y, RMSProp (γ 0.2) and Adagrad rescale each coordinate so the minute y-gradient gets a "
    "full-size step.":
        "三者都从 (10, 0) 出发，带着文章里微小的梯度扰动：动量（β 0.9）冲过鞍点并沿 y 方向加速，RMSProp（γ 0.2）"
        "和 Adagrad 对每个坐标重新缩放，使微小的 y 方向梯度也得到完整大小的一步。",
    "Momentum (β 0.9), lr 0.01": "动量（β 0.9），学习率 0.01",
    "RMSProp (γ 0.2), lr 0.1": "RMSProp（γ 0.2），学习率 0.1",
    "The article does not give these learning rates; gdlab picks them. RMSProp's γ is torch's alpha.":
        "文章没有给出这些学习率；由 gdlab 选定。RMSProp 的 γ 就是 torch 的 alpha。",
    "the three paths from (10, 0)": "从 (10, 0) 出发的三条路径",
    "inside the optimizers: velocity and accumulated squares along the paths": "优化器内部：沿路径的速度和累积平方",
    "A 1-H-1 ReLU network fits y = 2x², with and without normalisation": "1-H-1 ReLU 网络拟合 y = 2x²，标准化与不标准化",
    "Batch GD for 300 epochs on 0.5·Σ(ŷ − y)². Standardising x and y puts the loss on a scale where one learning "
    "rate suits every weight; raw targets up to 18 make the same network crawl or blow up.":
        "在 0.5·Σ(ŷ − y)² 上用批量梯度下降训练 300 个周期。把 x 和 y 标准化后，损失函数的尺度让同一个学习率适合每个权重；"
        "原始目标值高达 18，同样的网络要么爬得很慢，要么发散。",
    "raw x, y": "原始 x、y",
    "standardised": "标准化后",
    "de-normalising the prediction": "把预测值还原（反标准化）",
    "the article's plot maps the prediction back with x's statistics; gdlab uses y's":
        "文章的图用 x 的统计量还原预测值；gdlab 用 y 的",
    "the data and both fits": "数据和两个拟合",
    "training loss per epoch, both in y's units (the standardised one mapped back)":
        "每个周期的训练损失，都以 y 的单位表示（标准化的那个已还原）",
    "training loss 0.5·Σ(ŷ − y)², in y's units": "训练损失 0.5·Σ(ŷ − y)²，以 y 的单位表示",
    "y = 2x² + noise, 1-H-1 ReLU": "y = 2x² + 噪声，1-H-1 ReLU",
    "contour map": "等高线图",
    "surface": "曲面",

    # ------------------------------------------------------------------ seed 004
    "Numerical derivative and tangent lines": "数值导数与切线",
    "The central difference (f(x+h) − f(x−h)) / 2h with h = 1e-4 on y = 0.01x² + 0.1x, and the partial "
    "derivatives of x0² + x1² at (3, 4), against autodiff's exact values.":
        "在 y = 0.01x² + 0.1x 上用 h = 1e-4 的中心差分 (f(x+h) − f(x−h)) / 2h，以及 x0² + x1² 在 (3, 4) 处的偏导数，"
        "与自动微分的精确值对比。",
    "f'(5), f = 0.01x² + 0.1x": "f'(5)，f = 0.01x² + 0.1x",
    "∂f/∂x0 at (3, 4), f = x0² + x1²": "(3, 4) 处的 ∂f/∂x0，f = x0² + x1²",
    "∂f/∂x1 at (3, 4)": "(3, 4) 处的 ∂f/∂x1",
    "y = 0.01x² + 0.1x with its tangents at x = 5 and x = 10 (slopes 0.2 and 0.3)":
        "y = 0.01x² + 0.1x 及其在 x = 5 和 x = 10 处的切线（斜率 0.2 和 0.3）",
    "f(x0, x1) = x0² + x1² (the book's figure 4-8)": "f(x0, x1) = x0² + x1²（书中图 4-8）",
    "numerical (h = 1e-4) against exact (autodiff) derivatives: all digits": "数值导数（h = 1e-4）与精确导数（自动微分）：全部位数",
    "y = 0.01x² + 0.1x: tangent lines": "y = 0.01x² + 0.1x：切线",
    "The gradient as a field of arrows": "用箭头场表示梯度",
    "numerical_gradient of x0² + x1² at three points; the negative gradient everywhere points to the minimum, and "
    "its length grows with the distance.":
        "x0² + x1² 在三个点上的 numerical_gradient；负梯度处处指向最小值，长度随距离增大。",
    "shape of ∂L/∂W for a 2×3 W": "2×3 的 W 对应的 ∂L/∂W 的形状",
    "−∇f of x0² + x1² on [−2, 2]² (the book's figure 4-9)": "x0² + x1² 在 [−2, 2]² 上的 −∇f（书中图 4-9）",
    "paraboloid: −∇f, arrows normalised": "paraboloid：−∇f，箭头已归一化",
    "Gradient descent from (−3, 4): the learning rate matters": "从 (−3, 4) 出发的梯度下降：学习率很重要",
    "100 steps of x ← x − lr·∇f on x0² + x1²: lr 0.1 reaches the minimum, lr 10 diverges, lr 1e-10 barely moves.":
        "在 x0² + x1² 上做 100 步 x ← x − lr·∇f：学习率 0.1 到达最小值，学习率 10 发散，学习率 1e-10 几乎不动。",
    "lr 0.1, 100 steps: final x": "学习率 0.1，100 步：最终的 x",
    "−3·0.8¹⁰⁰ and 4·0.8¹⁰⁰ exactly": "精确地是 −3·0.8¹⁰⁰ 和 4·0.8¹⁰⁰",
    "lr 10": "学习率 10",
    "diverges to a huge value": "发散到一个巨大的值",
    "each step multiplies x by 1 − 2·10 = −19": "每一步把 x 乘以 1 − 2·10 = −19",
    "lr 1e-10": "学习率 1e-10",
    "barely moves": "几乎不动",
    "the three runs on the contour map of x0² + x1²": "x0² + x1² 等高线图上的三次运行",
    "gradient descent from (−3, 4), 100 steps": "从 (−3, 4) 出发的梯度下降，100 步",
    "The learning loop: a two-layer network reads handwritten digits": "学习循环：两层网络识别手写数字",
    "Repeat: draw a mini-batch of 100, compute the gradient, step. A 64-50-10 sigmoid network on the 8×8 digits, "
    "plain SGD; train and test accuracy are measured after every epoch.":
        "重复：抽取 100 个样本的小批量，计算梯度，更新一步。8×8 手写数字上的 64-50-10 sigmoid 网络，普通随机梯度下降；"
        "每个周期之后测量训练和测试准确率。",
    "train accuracy after 40 epochs": "40 个周期后的训练准确率",
    "test accuracy after 40 epochs": "40 个周期后的测试准确率",
    "the book reaches about 0.95 on MNIST; these are the 8×8 UCI digits": "书中在 MNIST 上约为 0.95；这里是 8×8 的 UCI 手写数字",
    "train − test accuracy": "训练准确率 − 测试准确率",
    "the two curves stay close: no overfitting": "两条曲线靠得很近：没有过拟合",
    "loss and accuracy per epoch, train and test": "每个周期的损失和准确率，训练集与测试集",
    "test digits with the network's predictions (red: wrong)": "测试集手写数字及网络的预测（红色：错误）",

    # ------------------------------------------------------------------ beyond the seeds
    "A fair race on Rosenbrock's banana valley": "Rosenbrock 香蕉形山谷上的公平比赛",
    "Every optimizer gets its own best learning rate (gdlab.tune, same step budget), then all start at (−1.5, 2): "
    "plain GD crawls along the curved valley, momentum and Adam run down it, L-BFGS (a step is one function "
    "evaluation) is at the minimum first. Rprop, Adafactor and Muon (each point a 1 x 2 matrix) join them.":
        "每个优化器都有自己最好的学习率（gdlab.tune，相同的步数预算），然后都从 (−1.5, 2) 出发："
        "普通梯度下降沿着弯曲的山谷缓慢爬行，动量法和 Adam 一路跑下去，L-BFGS（一步是一次函数求值）最先到达最小值。"
        "Rprop、Adafactor 和 Muon（每个点是一个 1 x 2 矩阵）也加入比赛。",
    "the tuned optimizers' paths (log-spaced contours)": "调好学习率的优化器的路径（对数间隔的等高线）",
    "loss against step (log scale)": "损失随步数的变化（对数刻度）",
    "the race, animated": "比赛的动画",
    "Rastrigin: tuning cannot make a local method global": "Rastrigin：调参无法让局部方法变成全局方法",
    "An egg-box with a local minimum near every integer point. Each optimizer is tuned on the same random starts "
    "(mean final loss), then run from all of them: every one settles in the pit it starts in — only starts already "
    "in the central basin reach the global minimum. The five rows are the same on purpose: each optimizer ends at "
    "the same 64 points, the bottoms of the starts' own pits, so the counts and the median loss cannot differ; a "
    "larger lr only throws runs into higher pits or out of bounds, which is why tuning picks a small one.":
        "一个蛋托形的函数，每个整数点附近都有一个局部最小值。每个优化器都在同样的随机起点上调参（最终损失的平均值），"
        "然后从所有起点运行：每一个都停在它起步的那个坑里——只有本来就在中央吸引域里的起点才到达全局最小值。"
        "五行结果相同是必然的：每个优化器都停在同样的 64 个点，即各起点所在坑的坑底，所以计数和损失中位数不可能不同；"
        "更大的学习率只会把运行抛进更高的坑或抛出边界，所以调参会选一个小的学习率。",
    "starts inside the global minimum's basin": "在全局最小值吸引域内的起点",
    "the basin around (0, 0) is about the square |x|, |y| < 0.5": "(0, 0) 周围的吸引域大约是正方形 |x|, |y| < 0.5",
    "not within the budget": "不在预算之内",
    "Learning-rate sweep on an ill-conditioned valley": "病态山谷上的学习率扫描",
    "Final loss after 200 steps against the learning rate on 0.5·(x² + 100y²): GD diverges past 2/L = 0.02, "
    "momentum stays stable up to (2 + 2β)/L = 0.038, Adam's scale-free steps tolerate far more.":
        "在 0.5·(x² + 100y²) 上 200 步后的最终损失随学习率的变化：梯度下降在超过 2/L = 0.02 后发散，"
        "动量法直到 (2 + 2β)/L = 0.038 都保持稳定，Adam 与尺度无关的步长能承受大得多的学习率。",
    "theory: GD stable below 2/L": "理论：学习率低于 2/L 时梯度下降稳定",
    "final loss against learning rate; crosses mark divergence": "最终损失随学习率的变化；叉号表示发散",
    "learning rate": "学习率",
    "final loss": "最终损失",
    "0.5·(x² + 100y²): final loss after 200 steps from (1, 1)": "0.5·(x² + 100y²)：从 (1, 1) 出发 200 步后的最终损失",
    "Escaping a saddle: who leaves first?": "逃离鞍点：谁先离开？",
    "From (1, 1e-6), a hair off the ridge of x² − y², GD's y-step is proportional to y itself and grows only "
    "geometrically; Adam and RMSProp normalise it and leave at once.":
        "从 (1, 1e-6) 出发，离 x² − y² 的脊线只有一丝之遥，梯度下降在 y 方向的步长与 y 本身成正比，只能按几何级数增长；"
        "Adam 和 RMSProp 把它归一化，立刻离开。",
    "contour and surface with the four paths": "带四条路径的等高线图和曲面",
    "|y|, the distance from the ridge, against step (log scale)": "|y|（到脊线的距离）随步数的变化（对数刻度）",
    "distance |y| from the ridge y = 0": "到脊线 y = 0 的距离 |y|",
    "Basins of attraction on Himmelblau's function": "Himmelblau 函数的吸引域",
    "Gradient descent from every point of a grid: the colour says which of the four minima the start ends in, the "
    "shade how many steps it took. Basin borders run along the ridges.":
        "从网格的每个点出发做梯度下降：颜色表示起点最终落入四个最小值中的哪一个，深浅表示用了多少步。吸引域的边界沿着山脊分布。",
    "which minimum each start reaches (colour) and how fast (shade)": "每个起点到达哪个最小值（颜色）以及有多快（深浅）",
    "steps to reach (deep = fast)": "到达所需的步数（越深越快）",
    "converged": "收敛",
    "minimum": "最小值",
    "A decision boundary learning, epoch by epoch": "逐个周期学习的决策边界",
    "A 2-16-16-2 ReLU network trained by Adam (lr 0.01) on two interleaving moons; the animation shows the predicted "
    "regions after each epoch bending around the data.":
        "用 Adam（学习率 0.01）在两个交错的月牙形数据上训练 2-16-16-2 的 ReLU 网络；动画显示每个周期之后预测区域如何绕着数据弯曲。",
    "training accuracy": "训练准确率",
    "epoch 0 → last accuracy": "第 0 个周期 → 最后的准确率",
    "the learned regions and the data": "学到的区域和数据",
    "the regions after each epoch, with the loss curve": "每个周期之后的区域，以及损失曲线",
    "class 0": "类别 0",
    "class 1": "类别 1",
    "An interactive report: rotate, hover, zoom": "交互式报告：旋转、悬停、缩放",
    "The Rosenbrock race as one HTML page that works offline: the contour and the 3-D surface with every step "
    "hoverable (step, loss, gradient), the loss curves, and a step slider with play/pause that moves the three runs "
    "over all of them.":
        "把 Rosenbrock 上的比赛做成一个离线可用的 HTML 页面：等高线图和 3-D 曲面，每一步都可以悬停查看（步数、损失、梯度），"
        "还有损失曲线，以及一个带播放/暂停的步数滑块，让三次运行同时在所有图上移动。",
    "report size": "报告大小",
    "the report: map, surface and loss curves, every step hoverable, a step slider":
        "报告：地图、曲面和损失曲线，每一步都可悬停查看，还有步数滑块",

    # ------------------------------------------------------------------ figure words
    "lr 1 from w = (−10, 10) on 0.5·Σ(w·x − y)²": "学习率 1，从 w = (−10, 10) 出发，在 0.5·Σ(w·x − y)² 上",
    "start": "起点",
    "square": "平方函数",
    "training loss": "训练损失",
    "decision regions by epoch": "逐周期的决策区域",
    "end": "终点",
    "diverged": "发散",
    "nominal lr": "名义学习率",
    "effective step size |Δxᵢ| / |gᵢ|": "有效步长 |Δxᵢ| / |gᵢ|",
    "step length ‖Δx‖": "步长 ‖Δx‖",
    "momentum_buffer": "momentum_buffer（速度）",
    "square_avg": "square_avg（平方平均）",
    "sum": "sum（累积和）",
    "optimizer internals on saddle": "鞍点上优化器的内部状态",
    "paraboloid": "paraboloid（抛物面）",
    "saddle": "鞍点",
    # ------------------------------------------------------------------ landscapes and the edge of stability
    "The landscape around a trained network, and the way training came": "训练好的网络周围的地形，以及训练走过的路",
    "A 2-16-16-2 ReLU net on the moons, trained by Adam. Left: the loss on a plane of two random directions "
    "normalised per filter (Li et al. 2018) around the trained weights. Then the plane of the training path's two "
    "principal directions, with the path; and one plane through the shared start and the endpoints of GD with "
    "momentum and Adam, so both paths lie on one map.":
        "用 Adam 在月牙形数据上训练的 2-16-16-2 ReLU 网络。左：训练好的权重周围、由两个按滤波器归一化的随机方向"
        "（Li et al. 2018）张成的平面上的损失函数。然后是训练路径两个主方向张成的平面及其路径；以及经过共同起点和"
        "带动量的梯度下降与 Adam 两个终点的平面，让两条路径落在同一张图上。",
    "loss around the trained weights on two filter-normalised random directions":
        "训练好的权重周围、两个按滤波器归一化的随机方向上的损失",
    "the training path (Adam, one point per epoch) on the plane of its principal directions":
        "训练路径（Adam，每个周期一个点）在其主方向平面上",
    "GD with momentum and Adam from one start: the plane through the start and both ends":
        "带动量的梯度下降和 Adam 从同一起点出发：经过起点和两个终点的平面",
    "open the interactive landscape": "打开交互式地形图",
    "21×21 slice": "21×21 的切片",
    "loss at the centre of the slice": "切片中心的损失",
    "loss at the corners (span 1)": "切片四角的损失（跨度 1）",
    "one filter norm away the valley has risen far above the centre": "离开一个滤波器范数，山谷就已升到远高于中心的位置",
    "vectorised: every grid point's forward pass in one batch": "向量化：所有网格点的正向计算在一个批次中完成",
    "path variance in the PCA plane": "PCA 平面中的路径方差",
    "momentum / Adam final loss": "动量 / Adam 的最终损失",
    "loss landscape: two filter-normalised random directions": "损失地形：两个按滤波器归一化的随机方向",
    "loss landscape in the plane of the training path (PCA)": "训练路径平面（PCA）中的损失地形",
    "loss landscape through the start and two trained endpoints": "经过起点和两个训练终点的损失地形",
    "d₁ (filter-normalised)": "d₁（按滤波器归一化）",
    "d₂ (filter-normalised)": "d₂（按滤波器归一化）",
    "toward momentum": "朝向动量法的终点",
    "toward Adam (⊥)": "朝向 Adam 的终点（⊥）",
    "the model's weights": "模型的权重",
    "log₁₀ loss": "log₁₀ 损失",
    "surface (paths on the floor)": "曲面（路径画在底面）",
    "init": "初始",
    "trained": "训练后",
    "From init to trained: the loss along a straight line": "从初始到训练后：沿直线的损失",
    "Goodfellow et al.'s test on the digits network of seed 004 (64-64-10 ReLU, SGD lr 0.1, 20 epochs): evaluate "
    "θ(α) = (1 − α)·θ_init + α·θ_trained. The loss falls all the way, with no bump to climb: the hard part of "
    "training is not a barrier in the way.":
        "在种子文章 004 的手写数字网络（64-64-10 ReLU，随机梯度下降，学习率 0.1，20 个周期）上做 Goodfellow 等人的检验："
        "计算 θ(α) = (1 − α)·θ_init + α·θ_trained。损失一路下降，没有要翻越的坡：训练的难处不是路上的一道屏障。",
    "loss (solid, log scale) and accuracy (dashed) along the line init → trained and beyond":
        "沿直线 初始 → 训练后 及更远处的损失（实线，对数刻度）和准确率（虚线）",
    "loss along the segment": "沿线段的损失",
    "falls at every step": "每一步都在下降",
    "no barrier (Goodfellow et al. 2015)": "没有屏障（Goodfellow et al. 2015）",
    "training loss at init → trained": "初始 → 训练后的训练损失",
    "test accuracy at α = 0, 1, 1.5": "α = 0、1、1.5 处的测试准确率",
    "past the trained weights (α > 1) the loss rises again: the line leaves the valley":
        "越过训练好的权重（α > 1）后损失又上升：直线离开了山谷",
    "digits 64-64-10: the loss on the segment init → trained": "手写数字 64-64-10：线段 初始 → 训练后 上的损失",
    "α   (θ = (1 − α)·θ[init] + α·θ[trained])": "α   (θ = (1 − α)·θ[初始] + α·θ[训练后])",
    "cross-entropy": "交叉熵",
    "cross-entropy (log scale)": "交叉熵（对数刻度）",
    "train (loss)": "训练集（损失）",
    "test (loss)": "测试集（损失）",
    "train (accuracy)": "训练集（准确率）",
    "test (accuracy)": "测试集（准确率）",
    "The edge of stability: sharpness rises to 2/η and stays there": "稳定性的边缘：锐度升到 2/η 并停在那里",
    "Full-batch gradient descent on a 1-16-16-1 tanh net fitting sin(2x) (mean squared error), at three learning "
    "rates. The top Hessian eigenvalue grows until it reaches 2/η, then hovers there while the loss keeps falling, "
    "unsteadily (Cohen et al. 2021). Seed 004's lr 10 diverged because 2/η = 0.2 was below the bowl's curvature 2 "
    "(seed004_descent); a network instead shapes its own curvature to the step.":
        "在拟合 sin(2x) 的 1-16-16-1 tanh 网络上（均方误差）用三种学习率做全批量梯度下降。Hessian 的最大特征值不断增大，"
        "直到达到 2/η，然后在那里徘徊，而损失继续不平稳地下降（Cohen et al. 2021）。种子文章 004 中学习率 10 发散，"
        "是因为 2/η = 0.2 低于碗形函数的曲率 2（seed004_descent）；而网络会按步长塑造自己的曲率。",
    "training loss (top) and sharpness (bottom) against updates; dashed: 2/η":
        "训练损失（上）和锐度（下）随更新次数的变化；虚线：2/η",
    "full-batch GD: the sharpness climbs to 2/η and stays at the edge": "全批量梯度下降：锐度爬升到 2/η 并停在边缘",
    "sharpness λ_max (top Hessian eigenvalue)": "锐度 λ_max（Hessian 的最大特征值）",
    "stability limit 2/η (dashed)": "稳定性极限 2/η（虚线）",
    "loss per update": "每次更新的损失",
    "update": "更新次数",

    # ------------------------------------------------------------------ the interactive (plotly) reports
    "function": "函数",
    "weights": "权重",
    "surface (drag to rotate)": "曲面（拖动可旋转）",
    "▶ play": "▶ 播放",
    "❚❚ pause": "❚❚ 暂停",
}

PATTERNS = [
    # run labels and legends with numbers
    ("{}  f = {}", "{0}  f = {1}"),
    ("{}  (MSE {})", "{0}（MSE {1}）"),
    ("{} (train)", "{0}（训练）"),
    ("{} (diverged)", "{0}（发散）"),
    ("{} (best lr {})", "{0}（最佳学习率 {1}）"),
    ("{} (tuned lr {}): starts reaching the global minimum", "{0}（调好的学习率 {1}）：到达全局最小值的起点"),
    ("{} (tuned lr {})", "{0}（调好的学习率 {1}）"),
    ("{} (tuned) from every start: each path drops into the nearest pit", "{0}（调好学习率）从每个起点出发：每条路径都掉进最近的坑"),
    ("{} ({} starts)", "{0}（{1} 个起点）"),
    ("end {} after {} steps", "终点 {0}，{1} 步之后"),
    ("diverged at step {}", "发散，第 {0} 步"),
    ("epoch {}", "第 {0} 个周期"),
    ("best epoch {}", "最佳周期 {0}"),
    ("tangent at x = {}: slope {}", "x = {0} 处的切线：斜率 {1}"),
    ("decision regions: accuracy {} %", "决策区域：准确率 {0} %"),
    ("misclassified ({})", "分类错误（{0}）"),
    ("predictions: {} of {} right", "预测：{1} 个中对了 {0} 个"),
    ("himmelblau: basins of attraction (gd, {} starts)", "himmelblau：吸引域（gd，{0} 个起点）"),
    ("rastrigin: {}, {} starts", "rastrigin：{0}，{1} 个起点"),
    ("Rosenbrock: {} tuned optimizers, {} steps", "Rosenbrock：{0} 个调好学习率的优化器，{1} 步"),
    ("{}: {} runs", "{0}：{1} 次运行"),
    ("{}: loss", "{0}：损失"),
    ("{} loss {} ‖g‖ {}", "{0}  损失 {1}  ‖g‖ {2}"),
    ("step {} / {}", "第 {0} / {1} 步"),
    # the interactive reports: hover templates (the holes are plotly's %{...} placeholders) and header rows
    ("step {}", "第 {0} 步"),
    ("point {}", "第 {0} 个点"),
    ("gradient ({}, {})", "梯度 ({0}, {1})"),
    ("‖gradient‖ {}", "‖梯度‖ {0}"),
    ("{}, from ({}), {}, final loss {}", "{0}，从 ({1}) 出发，{2}，最终损失 {3}"),
    ("{} steps", "{0} 步"),
    ("accuracy {}", "准确率 {0}"),
    ("saddle: {}, lr = {}", "鞍点：{0}，lr = {1}"),
    ("PC1 ({}% of the path)", "PC1（路径的 {0}%）"),
    ("{}: sharpness over the last quarter (median)", "{0}：最后四分之一的锐度（中位数）"),
    ("{} epochs; the ends equal model.evaluate: {}", "{0} 个周期；两端等于 model.evaluate：{1}"),
    ("Adam ends at {} in the plane's units (momentum's end is {})", "Adam 终点在平面单位下为 {0}（动量法的终点是 {1}）"),
    ("PC1 {}%, PC2 {}%: the path is nearly flat in {} of {} dimensions", "PC1 {0}%，PC2 {1}%：路径在 {3} 维中的 {2} 维里几乎是平的"),
    ("largest change between neighbouring α on [0, 1]: {}", "[0, 1] 上相邻 α 之间的最大变化：{0}"),
    ("model.evaluate: {} (relative difference {}); accuracy {}", "model.evaluate：{0}（相对差 {1}）；准确率 {2}"),
    ("sharpness {} at the start; final loss {}; {} Hessian-vector products", "起点锐度 {0}；最终损失 {1}；{2} 次 Hessian-向量乘积"),
    # numbers' labels
    ("{}: best lr", "{0}：最佳学习率"),
    ("{}: steps until |y| > 1", "{0}：直到 |y| > 1 的步数"),
    ("{}: final w", "{0}：最终的 w"),
    ("{}: final point", "{0}：终点"),
    ("{}: w after {} epochs", "{0}：{1} 个周期后的 w"),
    ("{}: mse after {} epochs (original units)", "{0}：{1} 个周期后的 mse（原始单位）"),
    ("starts ending at {}", "终点为 {0} 的起点"),
    ("gradient at {}", "{0} 处的梯度"),
    # notes and values
    ("{} updates per epoch", "每个周期更新 {0} 次"),
    ("{} training images, batches of {}", "{0} 张训练图像，每批 {1} 张"),
    ("max_steps; distance to the star {}", "达到最大步数；与星号的距离 {0}"),
    ("max_steps, final w {}", "达到最大步数，最终的 w {0}"),
    ("final loss {}; diverges from lr {}", "最终损失 {0}；学习率从 {1} 起发散"),
    ("final loss {}; never diverges here", "最终损失 {0}；在这个范围内从不发散"),
    ("final loss; {}; {} from the nearest minimum", "最终损失；{0}；离最近的最小值 {1}"),
    ("median final loss {}", "最终损失的中位数 {0}"),
    ("of {} starts (|grad| < 1e-6)", "共 {0} 个起点（|grad| < 1e-6）"),
    ("central differences; |error| {} against autodiff", "中心差分；与自动微分相比 |误差| {0}"),
    ("exact: {}; error {}", "精确值：{0}；误差 {1}"),
    ("exact: {}", "精确值：{0}"),
    ("the exact derivative (autodiff) is {}", "精确导数（自动微分）为 {0}"),
    ("numerical vs autodiff: max |difference| {}", "数值微分与自动微分：最大 |差| {0}"),
    ("L = {}, the Hessian's largest eigenvalue", "L = {0}，Hessian 矩阵的最大特征值"),
    ("L = {}, the largest curvature", "L = {0}，最大曲率"),
    ("after {} epochs", "{0} 个周期之后"),
    ("loss {}", "损失 {0}"),
    ("moved {}: {}", "移动了 {0}：{1}"),
    ("{} of {}", "{1} 个中的 {0} 个"),
    ("w after 31 epochs is {} (−5·0.8³¹), which np.around shows as −0.0",
     "31 个周期后 w 为 {0}（−5·0.8³¹），np.around 显示为 −0.0"),
    ("The article shows neither the hidden size nor the learning rate: gdlab uses H = {}, lr {} (standardised) and "
     "{} (raw; larger diverges).",
     "文章既没有给出隐藏层大小，也没有给出学习率：gdlab 使用 H = {0}，学习率 {1}（标准化）和 {2}（原始数据；更大就发散）。"),
    ("plus plotly.min.js ({} MB), written once beside the reports: no network needed",
     "另加 plotly.min.js（{0} MB），在报告旁边只写一次：不需要网络"),
    ("Why the rows agree: the {} tuned optimizers end within {} of one another from every start (the pits' "
     "bottoms); for gd, the {} smallest lrs of the grid all score the same mean loss {}, and every larger lr scores "
     "worse.",
     "为什么各行相同：{0} 个调好学习率的优化器从每个起点出发，最终彼此相差不到 {1}（都在坑底）；对 gd 来说，"
     "网格中最小的 {2} 个学习率得到相同的平均损失 {3}，更大的学习率都更差。"),
]
