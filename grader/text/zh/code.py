"""学生拿到的 Python 文件的中文：文档字符串（doc:）、TODO 提示（hint:）和已完成代码抛出的错误信息（code:）。

键是英文源文件在仓库中的路径；文档字符串按函数名（模块文档字符串为 "module"），提示按所在函数名。参数名、形状和代码
保持英文原样，只翻译说明文字；``输入：``/``返回：`` 下每一行仍以 ``- 参数名:`` 开头。
"""
from inspect import cleandoc

A1_NEURON = "solutions/a1_neuron_gd/neuron.py"
A1_GD = "solutions/a1_neuron_gd/gradient_descent.py"
A2_ACT = "solutions/a2_forward/activations.py"
A2_LOSSES = "solutions/a2_forward/losses.py"
A2_FORWARD = "solutions/a2_forward/forward.py"
A3_BACKPROP = "solutions/a3_backprop/backprop.py"
A3_TRAINING = "solutions/a3_backprop/training.py"
A3_DATASETS = "solutions/a3_backprop/datasets.py"
SELFCHECK = "grader/shipped/test_selfcheck.py"


def _docs(**docs):
    return {name: cleandoc(doc) for name, doc in docs.items()}


DOCS = {}
HINTS = {}
CODE = {}

# -- 作业 1：neuron.py ---------------------------------------------------------------------------------------------
DOCS[A1_NEURON] = _docs(
    module="""一个人工神经元，以及它能算和不能算的逻辑门。

    神经元先计算 z = x @ w + b，再用 sigmoid 把它压缩到 (0, 1)。权重很大时，sigmoid 几乎就是一个阶跃函数，所以
    单个神经元可以充当与门（AND）、或门（OR）或与非门（NAND）。异或（XOR）不是线性可分的，所以需要由几个门组成的
    小网络来实现：XOR(a, b) = AND(OR(a, b), NAND(a, b))。
    """,
    sigmoid="""数值稳定的逻辑函数 1 / (1 + exp(-z))，逐元素计算。

    输入：
    - z: 任意形状 (D1, ..., Dk) 的 numpy 数组，或一个浮点数。

    返回：
    - out: 与 z 形状相同的 numpy float64 数组，取值在 [0, 1] 内。即使 z = +-1000 也不能溢出或发出警告。
    """,
    neuron="""单个 sigmoid 神经元对一批输入的输出。

    输入：
    - x: 形状为 (N, D) 的 numpy 数组，每一行是一个样本。
    - w: 形状为 (D,) 的 numpy 数组，即权重。
    - b: 浮点数，即偏置。

    返回：
    - a: 形状为 (N,) 的 numpy float64 数组，即 sigmoid(x @ w + b)。
    """,
    gate_output="""一组门权重在一批输入对上算出的结果。已提供：评分程序用它来衡量 gate_weights。

    输入：
    - x: 形状为 (N, 2) 的 numpy 数组，元素取自 {0, 1}。
    - weights: gate_weights 返回的元组 (w, b)。
    - activations: 忽略；评分程序会把它传给每个预测函数。

    返回：
    - a: 形状为 (N,) 的 numpy float64 数组，即 sigmoid(x @ w + b)。它在这里直接计算（不用你的 neuron），所以只评判权重。
    """,
    gate_weights="""让单个神经元在 {0, 1} 输入上实现某个逻辑门的权重。

    输入：
    - name: "and"、"or"、"nand" 之一。

    返回：
    - (w, b): w 是形状为 (2,) 的 numpy float64 数组，b 是浮点数；对 {0, 1}^2 中的四行输入 x，neuron(x, w, b) 与该门
      的真值之差都要在 0.01 以内。
    """,
    logic_gate="""用一个神经元把门 ``name`` 作用在一批输入对上。

    输入：
    - name: "and"、"or"、"nand" 之一。
    - x: 形状为 (N, 2) 的 numpy 数组，元素取自 {0, 1}。

    返回：
    - a: 形状为 (N,) 的 numpy float64 数组，即神经元的输出，每个都接近 0 或 1。
    """,
    xor_gate="""用单神经元门搭出每个输入对的异或：AND(OR(a, b), NAND(a, b))。

    输入：
    - x: 形状为 (N, 2) 的 numpy 数组，元素取自 {0, 1}。

    返回：
    - a: 形状为 (N,) 的 numpy float64 数组；恰有一个输入为 1 的地方接近 1，其余地方接近 0。
    """,
)
HINTS[A1_NEURON] = {
    "sigmoid": "不要对很大的正数调用 np.exp；exp(-|z|) 永远不会溢出",
    "neuron": "一次矩阵与向量的乘法，然后套上 sigmoid",
    "gate_weights": "选足够大的权重，让 sigmoid 在真值表的每一行都饱和",
    "xor_gate": "把 OR 和 NAND 的输出并排送进 AND",
}

# -- 作业 1：gradient_descent.py -----------------------------------------------------------------------------------
DOCS[A1_GD] = _docs(
    module="""线性回归的梯度下降（批量梯度下降和随机梯度下降），以及逻辑回归的梯度下降。

    线性回归用设计矩阵 X 的每一行通过 X @ theta 预测 y。X 的第一列全为 1，所以 theta[0] 起到偏置的作用。损失是均方
    误差（MSE），梯度下降让 theta 逆着梯度方向移动：theta <- theta - learning_rate * gradient。

    逻辑回归预测一个样本属于类别 1 的概率 sigmoid(X @ k)，它用同样的方法在二元交叉熵（即对数损失）上训练。

    这里的每个函数都把起始参数（对 SGD 还有样本的访问顺序）作为参数传入，自己不生成任何随机数。
    """,
    mse_loss="""线性模型 X @ theta 的均方误差。

    输入：
    - X: 形状为 (m, D) 的 numpy 数组，每一行是一个样本（第一列通常全为 1）。
    - y: 形状为 (m,) 的 numpy 数组，即目标值。
    - theta: 形状为 (D,) 的 numpy 数组，即参数。

    返回：
    - loss: 浮点数，(x_i . theta - y_i) ** 2 在 m 个样本上的平均值。
    """,
    mse_gradient="""mse_loss 对 theta 的梯度。

    输入：
    - X: 形状为 (m, D) 的 numpy 数组。
    - y: 形状为 (m,) 的 numpy 数组。
    - theta: 形状为 (D,) 的 numpy 数组。

    返回：
    - grad: 形状为 (D,) 的 numpy float64 数组，等于 (2 / m) * X^T (X theta - y)。
    """,
    batch_gradient_descent="""在均方误差上做全批量梯度下降。

    第 i 步先在 theta_path[i] 处计算损失和梯度，再逆着梯度移动：轨迹的下一行是
    theta_path[i] - learning_rate * mse_gradient(X, y, theta_path[i])。

    输入：
    - X: 形状为 (m, D) 的 numpy 数组。
    - y: 形状为 (m,) 的 numpy 数组。
    - theta0: 形状为 (D,) 的 numpy 数组，即起始参数。不能修改它。
    - learning_rate: 浮点数，即步长（学习率）。
    - num_iter: 整数，即步数。

    返回一个元组：
    - theta_path: 形状为 (num_iter + 1, D) 的 numpy float64 数组。第 0 行是 theta0，第 i + 1 行是第 i 步之后的参数。
    - loss_history: 形状为 (num_iter,) 的 numpy float64 数组。loss_history[i] 是 theta_path[i] 处的 mse_loss，也就是
      第 i 步*之前*的损失。
    """,
    sgd="""随机梯度下降（SGD）：每个样本走一步，按给定的顺序访问样本。

    第 t 步只使用样本 j = order[t] 以及它自己的平方误差的梯度 2 * (x_j . theta - y_j) * x_j，所以
    theta <- theta - learning_rate * 2 * (x_j . theta - y_j) * x_j。

    输入：
    - X: 形状为 (m, D) 的 numpy 数组。
    - y: 形状为 (m,) 的 numpy 数组。
    - theta0: 形状为 (D,) 的 numpy 数组，即起始参数。不能修改它。
    - learning_rate: 浮点数，即步长（学习率）。
    - order: 形状为 (T,) 的 numpy 整数数组，每一步所用样本的下标。样本可以重复（多轮），打乱顺序由调用者完成，例如用
      rng.permutation(m)。

    返回：
    - theta_path: 形状为 (T + 1, D) 的 numpy float64 数组。第 0 行是 theta0，第 t + 1 行是第 t 步之后的参数。
    """,
    predict="""线性预测 X @ theta。已提供：评分程序用它来衡量你的训练结果。

    输入：
    - X: 形状为 (m, D) 的 numpy 数组。
    - theta: 形状为 (D,) 的 numpy 数组，或者形状为 (T, D) 的整条轨迹，此时使用它的最后一行。
    - activations: 不使用；评分程序会把它传给每个预测函数。

    返回：
    - y_hat: 形状为 (m,) 的 numpy float64 数组。
    """,
    log_loss="""逻辑模型 sigmoid(X @ k) 相对标签 y 的平均二元交叉熵。

    对一个 logit 为 z = x . k、概率为 p = sigmoid(z) 的样本，损失是 -y log p - (1 - y) log(1 - p)。请从 z 出发计算，
    而不是从 p 出发：在 float64 中 sigmoid(40.0) 恰好等于 1.0，而 log(1 - 1.0) 是 -inf。

    输入：
    - X: 形状为 (m, D) 的 numpy 数组。
    - y: 形状为 (m,) 的 numpy 数组，标签取自 {0, 1}。
    - k: 形状为 (D,) 的 numpy 数组，即参数。

    返回：
    - loss: 浮点数，在 m 个样本上的平均值。即使 logit 大到 +-1000，它也必须保持有限，并且不发出警告。
    """,
    logistic_gradient="""*求和*形式的对数损失对 k 的梯度，与讲义中的推导一致。

    讲义中的代价函数 C(k) 把每个样本的交叉熵加起来（不取平均），它的导数是 sum_i (sigmoid(x_i . k) - y_i) x_i。所以
    这个梯度是 log_loss（取平均）的梯度的 m 倍。

    输入：
    - X: 形状为 (m, D) 的 numpy 数组。
    - y: 形状为 (m,) 的 numpy 数组，标签取自 {0, 1}。
    - k: 形状为 (D,) 的 numpy 数组。

    返回：
    - grad: 形状为 (D,) 的 numpy float64 数组，等于 X^T (sigmoid(X k) - y)。
    """,
    logistic_regression="""用梯度下降训练逻辑回归：k <- k - learning_rate * logistic_gradient(X, y, k)。

    输入：
    - X: 形状为 (m, D) 的 numpy 数组；如果模型需要偏置，其中要有一列全为 1。
    - y: 形状为 (m,) 的 numpy 数组，标签取自 {0, 1}。
    - k0: 形状为 (D,) 的 numpy 数组，即起始参数。不能修改它。
    - learning_rate: 浮点数，即步长（学习率）。
    - num_iter: 整数，即步数。

    返回一个元组：
    - k: 形状为 (D,) 的 numpy float64 数组，走完 num_iter 步之后的参数。
    - loss_history: 形状为 (num_iter,) 的 numpy float64 数组。loss_history[i] 是第 i 步*之前*那组参数的 log_loss，
      与 batch_gradient_descent 相同。
    """,
    classify="""逻辑回归的类别预测：在 sigmoid(X @ k) >= 0.5（也就是 X @ k >= 0）的地方为 1.0。

    已提供：评分程序用它来衡量你的训练结果。

    输入：
    - X: 形状为 (m, D) 的 numpy 数组。
    - k: 形状为 (D,) 的 numpy 数组。
    - activations: 不使用；评分程序会把它传给每个预测函数。

    返回：
    - labels: 形状为 (m,) 的 numpy float64 数组，元素为 0.0 或 1.0。
    """,
)
HINTS[A1_GD] = {
    "mse_loss": "残差 X @ theta - y，平方之后再对样本取平均",
    "mse_gradient": "一次矩阵与向量的乘法算残差，再一次乘 X^T；别忘了 2 和 1/m",
    "batch_gradient_descent": "记录 theta 和它的损失，然后逆着梯度走一步，重复 num_iter 次",
    "sgd": "对步数做循环（每一步都需要上一步的 theta）；第 t 步用第 j = order[t] 行",
    "log_loss": "-log(sigmoid(z)) = log(1 + exp(-z))，-log(1 - sigmoid(z)) = log(1 + exp(z))；可以用 np.logaddexp",
    "logistic_gradient": "预测误差 sigmoid(X k) - y，用输入加权后对样本求和",
    "logistic_regression": "与批量梯度下降相同的循环，换成对数损失和逻辑回归的梯度",
}

# -- 作业 2：activations.py ----------------------------------------------------------------------------------------
DOCS[A2_ACT] = _docs(
    module="""激活函数及其导数。

    一层先计算预激活值 z = a_prev @ W + b，再计算激活值 a = f(z)。反向传播需要在同一个 z 处的斜率 f'(z)，所以这里的
    每个导数函数的参数都是 z（预激活值），而不是 a。每个函数都对任意形状的数组逐元素计算，并返回同样形状的 float64
    数组。
    """,
    sigmoid="""逻辑函数 1 / (1 + exp(-z))，逐元素计算，不会溢出。

    输入：
    - z: 任意形状 (D1, ..., Dk) 的 numpy 数组，即预激活值。

    返回：
    - a: 与 z 形状相同的 numpy float64 数组，取值在 [0, 1] 内。即使 z = +-1000 也不发出警告。
    """,
    sigmoid_prime="""sigmoid 的导数，在预激活值 z 处求值。

    输入：
    - z: 任意形状的 numpy 数组，即预激活值 z（不是激活值 a = sigmoid(z)）。

    返回：
    - da_dz: 与 z 形状相同的 numpy float64 数组，即 sigmoid(z) * (1 - sigmoid(z))。z = +-1000 时不发出警告。
    """,
    tanh="""双曲正切 (e^z - e^-z) / (e^z + e^-z)，逐元素计算。

    输入：
    - z: 任意形状的 numpy 数组，即预激活值。

    返回：
    - a: 与 z 形状相同的 numpy float64 数组，取值在 [-1, 1] 内。即使 z = +-1000 也不发出警告。
    """,
    tanh_prime="""tanh 的导数，在预激活值 z 处求值。

    输入：
    - z: 任意形状的 numpy 数组，即预激活值 z（不是激活值 a = tanh(z)）。

    返回：
    - da_dz: 与 z 形状相同的 numpy float64 数组，即 1 - tanh(z)**2。z = +-1000 时不发出警告。
    """,
    relu="""线性整流单元（ReLU）max(0, z)，逐元素计算。

    输入：
    - z: 任意形状的 numpy 数组，即预激活值。

    返回：
    - a: 与 z 形状相同的 numpy float64 数组。
    """,
    relu_prime="""ReLU 的导数，在预激活值 z 处求值。

    输入：
    - z: 任意形状的 numpy 数组，即预激活值 z（不是激活值 a = relu(z)）。

    返回：
    - da_dz: 与 z 形状相同的 numpy float64 数组：z > 0 处为 1.0，z <= 0 处为 0.0。ReLU 在 z = 0 处没有斜率；本套
      作业在那里取 0。
    """,
    leaky_relu="""Leaky ReLU：z > 0 处为 z，其余地方为 alpha * z。

    输入：
    - z: 任意形状的 numpy 数组，即预激活值。
    - alpha: 浮点数，z 为负时的斜率，满足 0 <= alpha <= 1（泄漏的斜率不超过 z 为正时的斜率 1；检查只用这样的值）。

    返回：
    - a: 与 z 形状相同的 numpy float64 数组。
    """,
    leaky_relu_prime="""Leaky ReLU 的导数，在预激活值 z 处求值。

    输入：
    - z: 任意形状的 numpy 数组，即预激活值 z（不是激活值 a = leaky_relu(z)）。
    - alpha: 浮点数，z 为负时的斜率，满足 0 <= alpha <= 1（泄漏的斜率不超过 z 为正时的斜率 1；检查只用这样的值）。

    返回：
    - da_dz: 与 z 形状相同的 numpy float64 数组：z > 0 处为 1.0，z <= 0 处为 alpha（本套作业在 z = 0 处取 alpha）。
    """,
    get="""名为 ``name`` 的激活函数及其导数。

    输入：
    - name: 字符串，ACTIVATIONS 的一个键："sigmoid"、"tanh"、"relu" 或 "leaky_relu"。

    返回：
    - (f, f_prime): 激活函数和它的导数；两者的参数都是 z。

    名字未知时抛出 ValueError。
    """,
)
HINTS[A2_ACT] = {
    "sigmoid": "exp(-|z|) 永远不会溢出；z 为正为负时都用它",
    "sigmoid_prime": "先在 z 处算出 sigmoid，再用 sigmoid'(z) = sigmoid(z) (1 - sigmoid(z))",
    "tanh": "numpy 自带数值稳定的 tanh",
    "tanh_prime": "tanh'(z) = 1 - tanh(z)^2，其中 tanh 在 z 处求值",
    "relu": "保留正的部分",
    "relu_prime": "z 严格大于 0 的地方为 1，其余地方为 0，都用浮点数",
    "leaky_relu": "正的 z 原样通过；其余乘以 alpha",
    "leaky_relu_prime": "z 为正时斜率为 1，其余地方为 alpha",
}
CODE[A2_ACT] = {
    "unknown": "未知的激活函数 {name!r}；请使用以下之一：{known}",
}

# -- 作业 2：losses.py ---------------------------------------------------------------------------------------------
DOCS[A2_LOSSES] = _docs(
    module="""Softmax、独热（one-hot）标签，以及两种分类损失。

    Softmax 把每一行分数（logit）变成 C 个类别上的概率分布。交叉熵衡量网络给真实类别分配了多少概率；二元交叉熵是
    只有一个输出的两类情形。两种损失都是对一批样本取平均，所以它们的大小与一批有多少样本无关。
    """,
    softmax="""沿最后一个轴做 softmax：每一行分数都变成一个概率分布。

    输入：
    - z: 单个样本时是形状为 (C,) 的 numpy 数组，一批样本时是形状为 (N, C) 的 numpy 数组，每一行是一个样本。

    返回：
    - probs: 与 z 形状相同的 numpy float64 数组。每一行都是正数且和为 1。即使 logit 为 1000，也不能溢出、出现 nan
      或发出警告。
    """,
    one_hot="""每个标签一行：在标签所在的列为 1.0，其余为 0.0。

    输入：
    - labels: 形状为 (N,) 的 numpy 整数数组，每个都在 0 .. num_classes - 1 之间。
    - num_classes: 整数，即 C。

    返回：
    - Y: 形状为 (N, C) 的 numpy float64 数组。

    标签超出 0 .. C - 1 时抛出 ValueError。
    """,
    cross_entropy="""预测分布相对独热目标的平均交叉熵。

    输入：
    - probs: 形状为 (N, C) 的 numpy 数组，每一行是一个概率分布（softmax 的输出）。
    - Y: 形状为 (N, C) 的 numpy 数组，即独热目标。

    返回：
    - loss: 浮点数，(1 / N) * 对样本 n 和类别 c 求和的 -Y[n, c] * log(probs[n, c])。当某些概率恰好为 0 或 1 时，它
      也必须是有限值并且不发出警告：请先把概率裁剪到 [EPS, 1]。
    """,
    binary_cross_entropy="""预测概率相对 0/1 标签的平均二元交叉熵。

    输入：
    - a: 形状为 (N,) 或 (N, 1) 的 numpy 数组，即每个标签为 1 的预测概率。
    - y: 与 a 形状相同的 numpy 数组，即标签，每个都是 0.0 或 1.0。

    返回：
    - loss: 浮点数，-(y * log(a) + (1 - y) * log(1 - a)) 在 N 个样本上的平均值。当 a 中有恰好为 0 或 1 的值时，它
      也必须是有限值并且不发出警告：请先把 a 裁剪到 [EPS, 1 - EPS]。
    """,
)
HINTS[A2_LOSSES] = {
    "softmax": "取 exp 之前先减去每一行自己的最大值（softmax 不变）；再对每一行归一化（axis -1）",
    "one_hot": "从形状为 (N, C) 的全零数组开始，每一行设一个元素（或者取单位矩阵的若干行）",
    "cross_entropy": "先裁剪，再取对数，对类别求和，然后对 N 个样本取平均（不是对 N * C 个元素）",
    "binary_cross_entropy": "把 a 裁剪到远离 0 和 1 的范围，再对每个样本的损失取平均",
}
CODE[A2_LOSSES] = {
    "label_range": "对 {classes} 个类别，标签必须在 0 .. {last} 之间；实际得到 {bad}",
}

# -- 作业 2：forward.py --------------------------------------------------------------------------------------------
DOCS[A2_FORWARD] = _docs(
    module="""全连接网络的前向传播。

    第 l 层计算 Z_l = A_(l-1) @ W_l + b_l，再计算 A_l = f_l(Z_l)，其中 A_0 = X。始终每一行是一个样本：W_l 的形状为
    (D_(l-1), D_l)，b_l 的形状为 (D_l,)。前向传播把每个 Z_l 和 A_l 都存进缓存（cache），因为反向传播全都要用到。
    """,
    layer_functions="""按名字查出每一层的激活函数。

    输入：
    - params: 由 L 个元组 (W_l, b_l) 组成的列表。
    - activations: 由 L 个名字组成的列表，每个是 activations.ACTIVATIONS 的键，最后一层也可以是 "softmax"。

    返回：
    - functions: 由 L 个函数组成的列表，每个把 Z_l 映射为 A_l。

    两个列表长度不同、名字未知，或者 softmax 不在最后一层时，抛出 ValueError。
    """,
    dense="""一个全连接层对一批样本的预激活值。

    输入：
    - A_prev: 形状为 (N, D_in) 的 numpy 数组，前一层的激活值，每一行是一个样本。
    - W: 形状为 (D_in, D_out) 的 numpy 数组，即权重。
    - b: 形状为 (D_out,) 的 numpy 数组，即偏置。

    返回：
    - Z: 形状为 (N, D_out) 的 numpy float64 数组，即 A_prev @ W + b。
    """,
    forward_pass="""让一批样本依次通过每一层，并保存反向传播需要的量。

    输入：
    - X: 形状为 (N, D_0) 的 numpy 数组，每一行是一个样本。
    - params: 由 L 个元组 (W_l, b_l) 组成的列表，W_l 的形状为 (D_(l-1), D_l)，b_l 的形状为 (D_l,)。
    - activations: 由 L 个名字组成的列表，每个是 activations.ACTIVATIONS 的键（"sigmoid"、"tanh"、"relu"、
      "leaky_relu"），只有最后一层可以是 "softmax"。

    返回一个元组：
    - A_out: 形状为 (N, D_L) 的 numpy float64 数组，即最后一层的激活值。
    - cache: 包含两个 float64 数组列表的字典：
      - "A": [X, A_1, ..., A_L]，共 L + 1 个数组，A_l 的形状为 (N, D_l)（A_L 就是 A_out）；
      - "Z": [Z_1, ..., Z_L]，共 L 个数组，Z_l 的形状为 (N, D_l)。
    """,
    predict="""网络对一批样本的输出，不返回缓存。

    输入：与 forward_pass 相同。

    返回：
    - A_out: 形状为 (N, D_L) 的 numpy float64 数组。
    """,
)
HINTS[A2_FORWARD] = {
    "dense": "一次矩阵乘法，再把 b 加到每一行上（广播）",
    "forward_pass": "从 X 开始，每一层：用 dense 算 Z，再用 functions 中该层的函数算 A；两者都记录下来",
}
CODE[A2_FORWARD] = {
    "lengths": "params 有 {layers} 层，但 activations 给出了 {names} 个名字；每一层要有一个激活函数",
    "softmax_hidden": "softmax 只能用在最后一层，不能用在 {layers} 层中的第 {layer} 层",
}

# -- 作业 3：backprop.py -------------------------------------------------------------------------------------------
DOCS[A3_BACKPROP] = _docs(
    module="""反向传播：网络的平均损失对每个权重和偏置的梯度。

    记号：对一个 L 层的网络和一批 N 个样本（每一行是一个样本），
        Z_l = A_{l-1} @ W_l + b_l,    A_l = f_l(Z_l),    A_0 = X,
    其中 W_l 的形状为 (D_{l-1}, D_l)，b_l 的形状为 (D_l,)。损失 J 是每个样本的损失在这一批上的*平均值*（sigmoid 输出
    配二元交叉熵，softmax 输出配交叉熵）。

    反向传播使用各层的 delta，每一行对应一个样本：
        delta_l = dJ_sum / dZ_l,   其中 J_sum = N * J 是*求和*形式的损失，
    并用到三个事实，每个对应下面的一个函数：
        delta_L = A_L - Y                                    （output_delta：sigmoid + BCE，或 softmax + CE）
        delta_l = (delta_{l+1} @ W_{l+1}.T) * f_l'(Z_l)      （hidden_delta）
        dJ/dW_l = A_{l-1}.T @ delta_l / N,   dJ/db_l = delta_l 按行取平均   （layer_gradients）
    delta 是逐样本的量，*不*取平均；唯一的一次除以 N 发生在 layer_gradients 中。
    """,
    output_delta="""输出层的 delta，即 dJ_sum/dZ_L，适用于 sigmoid 输出配二元交叉熵，或 softmax 输出配交叉熵。对这两种
    搭配，损失的导数与激活函数的导数相互抵消，结果都是 A_out - Y。

    它*不*对这一批样本取平均：第 n 行是样本 n 自己的损失的梯度。除以 N 只在 layer_gradients 中做一次。

    输入：
    - A_out: 形状为 (N, D_L) 的 numpy 数组，网络的输出 A_L（sigmoid 输出，或 softmax 的各行）。
    - Y: 形状为 (N, D_L) 的 numpy 数组，即目标（0/1 标签，或独热行）。

    返回：
    - delta: 形状为 (N, D_L) 的 numpy float64 数组。
    """,
    hidden_delta="""由后一层的 delta 求出隐藏层 l 的 delta。

    第 l 层的每个单元 j 通过权重 W_next[j, k] 连到第 l + 1 层的每个单元 k，所以它分到的误差是对 k 求和的
    delta_next[:, k] * W_next[j, k]；再经过 a = f(z) 的链式法则，乘以第 l 层自己的激活函数在其预激活值 Z 处的斜率
    f'(z)。

    输入：
    - delta_next: 形状为 (N, D_next) 的 numpy 数组，第 l + 1 层的 delta。
    - W_next: 形状为 (D, D_next) 的 numpy 数组，第 l + 1 层的权重。
    - Z: 形状为 (N, D) 的 numpy 数组，第 l 层的预激活值（*不是*它的激活值 A = f(Z)）。
    - activation: 字符串，第 l 层激活函数的名字（"sigmoid"、"tanh"、"relu" 或 "leaky_relu"）。

    返回：
    - delta: 形状为 (N, D) 的 numpy float64 数组。
    """,
    layer_gradients="""平均损失 J 对某一层权重和偏置的梯度。

    由于 Z = A_prev @ W + b，样本 n 对 dJ_sum/dW[i, j] 贡献 A_prev[n, i] * delta[n, j]，对 dJ_sum/db[j] 贡献
    delta[n, j]。J 是平均值，所以这两个对样本的求和都要除以 N。

    输入：
    - A_prev: 形状为 (N, D_in) 的 numpy 数组，这一层的输入（第一层就是 X）。
    - delta: 形状为 (N, D_out) 的 numpy 数组，这一层的 delta。

    返回一个元组：
    - dW: 形状为 (D_in, D_out) 的 numpy float64 数组，与 W 形状相同。
    - db: 形状为 (D_out,) 的 numpy float64 数组，与 b 形状相同。
    """,
    backward="""在 forward.forward_pass 之后，对整个网络做反向传播。

    从输出层的 delta 开始，从最后一层往第一层走：先求这一层的梯度，再用这一层（未更新的）权重把 delta 传回前一层。

    输入：
    - Y: 形状为 (N, D_L) 的 numpy 数组，即目标。
    - params: 由 L 个元组 (W, b) 组成的列表，W 的形状为 (D_{l-1}, D_l)，b 的形状为 (D_l,)。
    - cache: forward.forward_pass 返回的字典：cache["A"] = [X, A_1, ..., A_L]（L + 1 个数组，A_l 的形状为
      (N, D_l)），cache["Z"] = [Z_1, ..., Z_L]（L 个数组）。
    - activations: 由 L 个激活函数名字组成的列表；最后一个必须是 "sigmoid" 或 "softmax"。

    返回：
    - grads: 由 L 个元组 (dW, db) 组成的列表，顺序与 params 相同，形状分别与 (W, b) 相同：这一批样本上*平均*损失的
      梯度。
    """,
)
HINTS[A3_BACKPROP] = {
    "output_delta": "一次减法，不要除以 N",
    "hidden_delta": "get(activation) 给出 (f, f_prime)；把 delta_next 经过 W_next.T 传回来，再乘以 f'(Z)",
    "layer_gradients": "dW 用一次矩阵乘法，db 用按列取平均；除以 N，即行数",
    "backward": "先算 output_delta；然后从最后一层到第一层：先 layer_gradients，再 hidden_delta",
}
CODE[A3_BACKPROP] = {
    "shapes": "A_out 的形状是 {a}，而 Y 的形状是 {y}：两者必须相同",
    "output": "backward 需要 'sigmoid' 或 'softmax' 输出层（它们的 delta 是 A_out - Y）；实际得到 {name!r}",
    "lengths": "params 有 {params} 层，但 activations 给出了 {activations} 个名字",
}

# -- 作业 3：training.py -------------------------------------------------------------------------------------------
DOCS[A3_TRAINING] = _docs(
    module="""用梯度下降训练网络：一次更新，一个由前向传播 + 反向传播 + 更新组成的训练步，以及完整的训练过程。

    一次训练持续若干轮（epoch）。每一轮网络把每个训练样本都看一遍：要么一次全部看完（全批量梯度下降），要么分成固定
    大小的小批量（mini-batch），并且每一轮都用新的随机顺序。每一轮结束后，``train`` 记录整个训练集上的损失和准确率，
    notebook 中的 ``plot_loss_accuracy`` 把它们画成学习曲线。

    参数是由 (W, b) 元组组成的列表，与 forward.py 中相同。这里的函数都不修改传入的数组：每个都返回新的数组，所以调用者
    可以从同一个起点训练两次。
    """,
    mean_loss="""与输出层搭配的平均损失：sigmoid 之后用二元交叉熵，softmax 之后用交叉熵。（这个辅助函数已经写好。）

    输入：
    - A_out: 形状为 (N, D_L) 的 numpy 数组，即网络的输出。
    - Y: 形状为 (N, D_L) 的 numpy 数组，即目标。
    - output_activation: 字符串，"sigmoid" 或 "softmax"。

    返回：
    - loss: 浮点数。
    """,
    accuracy="""分类正确的样本所占的比例。（这个辅助函数已经写好。）

    只有一个输出列时，输出 >= 0.5 的样本算作类别 1。有多列时，预测的类别是输出最大的那一列，真实类别是目标最大的那
    一列。

    输入：
    - A_out: 形状为 (N, D_L) 的 numpy 数组，即网络的输出。
    - Y: 形状为 (N, D_L) 的 numpy 数组，即目标（0/1 标签，或独热行）。

    返回：
    - accuracy: [0, 1] 内的浮点数。
    """,
    gd_step="""对每一层做一步梯度下降：W <- W - learning_rate * dW，b <- b - learning_rate * db。

    它不能修改 ``params`` 中的数组：要创建新的数组。

    输入：
    - params: 由 L 个元组 (W, b) 组成的列表，W 的形状为 (D_{l-1}, D_l)，b 的形状为 (D_l,)。
    - grads: 由 L 个形状相同的元组 (dW, db) 组成的列表，来自 backprop.backward。
    - learning_rate: 浮点数，即步长（学习率）。

    返回：
    - new_params: 由 L 个元组 (W, b) 组成的列表，形状与 params 相同的新 float64 数组。
    """,
    train_step="""在一批样本上训练一步：一次前向传播，一次反向传播，然后一次梯度下降更新。

    所有梯度都用同一组旧参数计算；算完之后才一起更新。

    输入：
    - X: 形状为 (N, D_0) 的 numpy 数组，即这一批样本。
    - Y: 形状为 (N, D_L) 的 numpy 数组，即它们的目标。
    - params: 由 L 个元组 (W, b) 组成的列表。不能修改它们。
    - activations: 由 L 个激活函数名字组成的列表；最后一个是 "sigmoid" 或 "softmax"。
    - learning_rate: 浮点数。

    返回一个元组：
    - new_params: 由 L 个元组 (W, b) 组成的列表，即更新之后的参数。
    - loss: 浮点数，这一批样本在更新*之前*的平均损失（来自同一次前向传播），见 mean_loss。
    """,
    train="""把网络训练若干轮，并记录它的学习曲线。

    每一轮：
    - batch_size=None 时，在整个训练集上做一个 train_step（全批量梯度下降）；
    - 否则，用 order = rng.permutation(N) 取样本的新顺序，并在每个小批量 X[order[k : k + batch_size]] 上做一个
      train_step，其中 k = 0, batch_size, 2 * batch_size, ...（最后一批可以小一些）；
    - 然后用 forward.predict 在*整个*训练集上测量更新后网络的损失（mean_loss）和准确率（accuracy）。

    输入：
    - X: 形状为 (N, D_0) 的 numpy 数组，即训练集。
    - Y: 形状为 (N, D_L) 的 numpy 数组，即它的目标。
    - params: 由 L 个元组 (W, b) 组成的列表，即起始参数。不能修改它们。
    - activations: 由 L 个激活函数名字组成的列表；最后一个是 "sigmoid" 或 "softmax"。
    - learning_rate: 浮点数。
    - epochs: 整数，遍历训练集的轮数。
    - batch_size: 整数或 None。
    - rng: numpy.random.Generator，给出 batch_size 时需要；它唯一的用途是每一轮调用一次 rng.permutation(N)。

    返回一个元组：
    - params: 由 L 个元组 (W, b) 组成的列表，即训练后的参数。
    - history: 包含 "loss" 和 "accuracy" 的字典，值为形状为 (epochs,) 的 numpy float64 数组：第 e 项在第 e 轮之后
      测量。
    """,
)
HINTS[A3_TRAINING] = {
    "gd_step": "*逆着*梯度走，一层一层地写进新数组（绝不原地修改 W）",
    "train_step": "forward.forward_pass、mean_loss、backprop.backward，最后 gd_step",
    "train": "对轮次做循环；在里面对各个小批量做循环；然后记录损失和准确率",
}
CODE[A3_TRAINING] = {
    "output": "最后一个激活函数必须是 'sigmoid' 或 'softmax'，才能选出损失函数；实际得到 {name!r}",
    "rng": "小批量需要一个 numpy.random.Generator：请传入 rng=np.random.default_rng(seed)",
    "batch_size": "batch_size 必须是正整数或 None；实际得到 {value!r}",
}

# -- 作业 3：datasets.py（已完成的模块）------------------------------------------------------------------------------
DOCS[A3_DATASETS] = _docs(
    module="""本次作业的三个训练任务，以及网络参数的起点。

    - 异或：课程中“看电影”的表格。朋友 D 恰好在 A 和 B 中只有一人来时才来电影院；C 来不来无关紧要。表格全部 8 行
      都在 ``data/xor.csv`` 中。
    - 菱形：均匀散布在正方形 [-1, 1]^2 上的点，在菱形 |x1| + |x2| < 1 内部的标为 1。没有一条直线能把两类分开，所以
      需要一个隐藏层。
    - 豆子：豆子的毒性与它的大小的关系。小豆子和大豆子都无害，中等大小的有毒，所以曲线先升后降：一个 sigmoid 拟合
      不了，两个隐藏的 sigmoid 可以。

    这个模块已经写好：你不需要修改它。它的函数只从传入的生成器中取随机数，所以同一个种子总是给出同样的数据。
    """,
    load_csv="""读取带表头的 CSV 文件：除最后一列外每一列都是输入，最后一列是目标。

    输入：
    - path: 文件的路径，字符串或 pathlib.Path。

    返回一个元组：
    - X: 形状为 (N, D) 的 numpy float64 数组，每一行是一个样本。
    - y: 形状为 (N, 1) 的 numpy float64 数组，即目标。
    """,
    load_xor="""读取异或表：输入 A、B、C，目标 D = A xor B。

    输入：
    - path: ``xor.csv`` 的路径，字符串或 pathlib.Path（列为 A、B、C、D）。

    返回一个元组：
    - X: 形状为 (8, 3) 的 numpy float64 数组，即输入 A、B、C。
    - y: 形状为 (8, 1) 的 numpy float64 数组，即目标 D。
    """,
    make_diamond="""从正方形 [-1, 1]^2 中均匀抽取的点，按是否落在菱形内部标注。

    输入：
    - n: 整数，点的个数。
    - rng: numpy.random.Generator，唯一的随机来源。

    返回一个元组：
    - X: 形状为 (n, 2) 的 numpy float64 数组，即这些点。
    - y: 形状为 (n, 1) 的 numpy float64 数组：|x1| + |x2| < 1 处为 1.0，否则为 0.0。
    """,
    make_beans="""豆子的大小和毒性：只有中等大小的一段有毒（1.0）。

    大小为 x 的豆子在 0.8 < 0.7 x + 0.5 + noise < 1.4 时有毒，其中噪声在 (-0.01, 0.01] 上均匀分布，也就是大小约在
    0.43 到 1.29 之间。

    输入：
    - n: 整数，豆子的个数。
    - rng: numpy.random.Generator，唯一的随机来源。

    返回一个元组：
    - x: 形状为 (n, 1) 的 numpy float64 数组，即大小，在 [0, 2) 上均匀分布并按升序排列。
    - y: 形状为 (n, 1) 的 numpy float64 数组，即毒性，0.0 或 1.0。
    """,
    init_params="""全连接网络的 Xavier（Glorot）初始参数，偏置为零。

    从 D_in 个单元到 D_out 个单元的那一层，每个权重都从标准差为 sqrt(2 / (D_in + D_out)) 的正态分布中抽取。随机的
    权重让各个隐藏单元从一开始就互不相同；如果权重都相等，它们会得到相等的梯度，永远是彼此的复制品。

    输入：
    - layer_sizes: 整数序列 (D_0, D_1, ..., D_L)：输入的大小，然后是每一层的单元数。
    - rng: numpy.random.Generator，唯一的随机来源。

    返回：
    - params: 由 L 个元组 (W, b) 组成的列表，其中 W 是形状为 (D_{l-1}, D_l) 的 numpy float64 数组，b 是形状为
      (D_l,) 的全零 numpy float64 数组。
    """,
)
CODE[A3_DATASETS] = {
    "columns": "{path} 有 {got} 列；应为 {expected} 列",
    "layers": "layer_sizes 至少需要两项（输入和输出）；实际得到 {sizes}",
}

# -- 自检 ----------------------------------------------------------------------------------------------------------
DOCS[SELFCHECK] = _docs(
    module="""本次作业的公开自检。在这个文件夹中运行 `pytest` 即可。

    这些是评分程序中各项检查的公开用例，输入、容差和说明都与评分时相同。它们本身不计分：每个公开用例都有一个隐藏的
    孪生用例，即在新的输入上做同样的检查（对训练来说，还有隐藏的初始参数和数据），成绩来自这些孪生用例。
    """,
)

TABLES = {
    **{f"doc:{path}": docs for path, docs in DOCS.items()},
    **{f"hint:{path}": hints for path, hints in HINTS.items()},
    **{f"code:{path}": messages for path, messages in CODE.items()},
}
