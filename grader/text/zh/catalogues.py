"""检查目录（grader/catalogues/）的中文：作业标题、各部分标题、检查名称、训练过程的标签和典型错误的说明。

键的写法见 grader/text/__init__.py：``part:<部分>``、``check:<英文检查名>``、``label:<英文标签>``、
``misconception:<键>``；同一个键在不同部分说法不同时，写成 ``misconception:<键>@<部分>``。
"""

A1 = {
    "title": "作业 1：单个神经元与梯度下降",
    "part:sigmoid": "数值稳定的 sigmoid",
    "part:neuron": "对一批样本计算单个神经元",
    "part:gates": "用神经元实现与门、或门、与非门和异或",
    "part:mse_loss": "均方误差",
    "part:mse_gradient": "均方误差的梯度",
    "part:batch_gd": "批量梯度下降",
    "part:sgd": "随机梯度下降",
    "part:log_loss": "数值稳定的对数损失",
    "part:logistic_gradient": "对数损失的梯度",
    "part:logistic_regression": "用梯度下降训练逻辑回归",
    "check:values": "数值",
    "check:large inputs": "很大的输入",
    "check:a float": "一个浮点数",
    "check:truth table": "真值表",
    "check:numerical gradient": "数值梯度",
    "check:path and losses": "参数轨迹与损失",
    "check:reaches least squares": "收敛到最小二乘解",
    "check:path": "参数轨迹",
    "check:logits of +-1000": "±1000 的 logit",
    "check:parameters and losses": "参数与损失",
    "check:classifies new points": "对新的点分类",
    "label:gap to the least-squares fit": "与最小二乘拟合的差距",
    "label:lecture-data-100": "讲义数据，100 个样本",
    "label:lecture-data-40": "讲义数据，40 个样本",
    "label:hidden-data-100": "隐藏数据，100 个样本",
    "label:hidden-blobs-40": "隐藏的两团点，40 个样本",
    "label:400 new points": "400 个新的点",
    "label:blobs-40": "两团点，40 个样本",
    "label:blobs-60": "两团点，60 个样本",
    "misconception:sigmoid_sign": "z 的符号反了：sigmoid(z) = 1 / (1 + exp(-z))",
    "misconception:bias_missing": "x @ w 之后没有加上偏置 b",
    "misconception:activation_missing": "没有应用 sigmoid：神经元应返回 sigmoid(x @ w + b)",
    "misconception:gate_not_saturated": "讲义中与非门的权重 (-10, -10, 14) 只有在四舍五入之后才对：sigmoid(4) 是 0.982。"
                                        "请把 w 和 b 放大，直到每个输出与 0 或 1 的差都在 0.01 以内",
    "misconception:loss_summed@mse_loss": "把平方误差求和了，而不是取平均：请除以样本数 m",
    "misconception:loss_summed@batch_gd": "loss_history 记录的是平方误差之和：请记录平均值，即 mse_loss",
    "misconception:loss_summed@log_loss": "把各样本的损失求和了，而不是取平均：请除以样本数 m",
    "misconception:loss_summed@logistic_regression": "loss_history 记录的是损失之和：请记录平均值，即 log_loss",
    "misconception:loss_halved": "损失被减半了：这里的均方误差就是平方误差的平均值，前面没有 1/2",
    "misconception:gradient_factor_2@mse_gradient": "漏掉了对平方求导得到的系数 2：梯度是 (2 / m) X^T (X theta - y)",
    "misconception:gradient_factor_2@batch_gd": "每一步都只走了应有步长的一半：mse_gradient 是否漏掉了系数 2？",
    "misconception:gradient_factor_2@sgd": "每一步都只走了应有步长的一半：单个样本的梯度是 2 (x . theta - y) x，带着系数 2",
    "misconception:gradient_not_averaged": "漏掉了 1/m：损失是 m 个样本的平均值，所以它的梯度是 (2 / m) X^T (X theta - y)",
    "misconception:gradient_sign": "符号反了：X^T (y - X theta) 指向下坡方向，但梯度本身是 X^T (X theta - y)，它指向上坡方向",
    "misconception:update_sign@batch_gd": "更新在往上坡走：这一步应是 theta - learning_rate * gradient",
    "misconception:update_sign@sgd": "更新在往上坡走：这一步应是 theta - learning_rate * gradient",
    "misconception:update_sign@logistic_regression": "更新在往上坡走：这一步应是 k - learning_rate * gradient",
    "misconception:loss_after_step@batch_gd": "轨迹错开了一步：loss_history[i] 是 theta_path[i] 处的损失，应在第 i 步之前"
                                              "记录，而不是之后",
    "misconception:loss_after_step@logistic_regression": "损失错开了一步：loss_history[i] 是第 i 步之前那组参数的损失，"
                                                        "而不是第 i 步之后的",
    "misconception:sgd_order_ignored": "样本是按 0, 1, ..., m-1 的顺序访问的：第 t 步必须使用样本 order[t]",
    "misconception:log_loss_negated": "漏掉了负号：损失是 -[y log p + (1 - y) log(1 - p)]，它永远不会是负数",
    "misconception:logistic_gradient_sign": "符号反了：讲义中的 g = X^T (y - sigmoid(X k)) 是前进的方向（k + alpha g）；"
                                            "损失的梯度是 X^T (sigmoid(X k) - y)",
    "misconception:gradient_averaged": "梯度对样本取了平均：这个函数返回的是总和 X^T (sigmoid(X k) - y)，与讲义中的推导"
                                       "一致",
    "check:weights on the truth table": "真值表上的权重",
    "label:the neuron's outputs on the truth table": "神经元在真值表上的输出",
    "misconception:sigmoid_overflow": "|z| 很大时 np.exp 会溢出（np.exp(1000) 是 inf，并给出警告；inf / inf 是 nan）：改用 "
                                      "exp(-|z|) 来计算，它永远不会溢出",
    "misconception:bias_after_activation": "偏置加在了 sigmoid 之后：它应该放在里面，sigmoid(x @ w + b)",
    "misconception:weights_times_inputs": "x * w 是逐元素相乘，得到的是 (N, D) 的数组：神经元需要每一行的加权和，x @ w",
    "misconception:gate_weights_int": "w 是整数数组：请把权重写成浮点数，np.array([20.0, 20.0])，因为本套作业中的数组都是 float64",
    "misconception:gate_bias_row": "输入 (0, 0) 的输出不对：此时 z = b，这一行只由偏置决定。与门和或门的 b 必须远小于 0，"
                                   "与非门的 b 必须远大于 0",
    "misconception:gate_other": "这组权重算出的是另一个门：与门和或门只差在偏置上（与门需要两个输入一起把 z 推到 0 以上，或门只需"
                                "一个），而与非门是把与门的每个符号都取反",
    "misconception:gate_inverted": "每个输出都反了：w 和 b 的符号取反了",
    "misconception:xor_top_gate": "最上面的门必须是与门：XOR(a, b) = AND(OR(a, b), NAND(a, b))，在或门和与非门都为 1 的地方为 1",
    "misconception:xor_gates_below": "下面并排的两个门必须是或门和与非门：XOR(a, b) = AND(OR(a, b), NAND(a, b))，这样恰好在只有一个"
                                     "输入为 1 的地方，与门看到两个 1",
    "misconception:loss_absolute": "这是平均绝对误差：请把每个残差平方，(X theta - y) ** 2，而不是取绝对值",
    "misconception:loss_root": "这是均方误差的平方根：请直接返回残差平方的平均值，不要开方",
    "misconception:loss_not_squared": "残差没有平方就求了平均，正负误差会相互抵消：请先平方",
    "misconception:gradient_no_transpose@mse_gradient": "X @ residual 是用 (m, D) 的矩阵去乘 m 个残差：梯度要把每一列的份额加起来，"
                                                        "即 X.T @ residual，它有 D 个分量",
    "misconception:gradient_no_transpose@logistic_gradient": "X @ errors 是用 (m, D) 的矩阵去乘 m 个误差：梯度要把每一列的份额加"
                                                             "起来，即 X.T @ errors，它有 D 个分量",
    "misconception:path_without_theta0": "theta_path 漏掉了 theta0：第 0 行是起点，所以轨迹的行数比步数多一行",
    "misconception:path_without_last": "theta_path 少了最后一步：走完 num_iter 步后它有 num_iter + 1 行，第一行是 theta0，"
                                       "最后一行是最后一步的结果",
    "misconception:path_aliased": "theta_path 的每一行都是同一个数组：theta -= ... 原地修改了已经放进轨迹的那个数组，所以请保存 "
                                  "theta.copy()，或者写 theta = theta - ...",
    "misconception:sgd_full_batch": "每一步用的都是整个数据集的梯度：随机梯度下降每一步只用一个样本的梯度，"
                                    "2 (x_j . theta - y_j) x_j，其中 j = order[t]",
    "misconception:sgd_averaged": "每个样本的梯度都除以了 m：单个样本平方误差的梯度是 2 (x_j . theta - y_j) x_j，没有 1/m",
    "misconception:log_loss_labels_swapped": "损失里的标签弄反了：y 配 log p，1 - y 配 log(1 - p)",
    "misconception:log_of_zero": "log(0)：|z| 很大时 sigmoid 会被舍入成恰好 0 或 1，对它取对数得到 -inf。请直接由 z 计算损失："
                                 "-log sigmoid(z) = log(1 + exp(-z))，用 np.logaddexp 或 exp(-|z|)",
    "misconception:logistic_gradient_linear": "少了 sigmoid：这是线性回归的残差 X k - y；预测误差应该是 sigmoid(X k) - y",
    "misconception:start_ignored": "训练没有从 k0 开始：请从给定 k0 的副本开始",
    "misconception:math_not_numpy": "math.exp 只接受一个数，不接受数组：请用 np.exp，它逐元素计算",
    "misconception:bias_sign": "偏置被减掉了：z = x @ w + b",
    "misconception:weights_first": "w @ x 的形状对不上：x 每行是一个样本，所以 z = x @ w",
    "misconception:xor_not_from_gates": "np.logical_xor（或 ^）得到的是布尔值，而这道题要用神经元门搭出异或：AND(OR(a, b), NAND(a, b))，"
                                        "它返回 float64",
    "misconception:xor_stacked_rows": "两个隐藏输出必须并排放，每行一个样本：np.column_stack 得到形状 (N, 2)；不带 axis=1 的 "
                                      "np.stack 得到 (2, N)",
    "misconception:loss_square_of_mean": "这是把残差的平均值平方：请先把每个残差平方，再取平均",
    "misconception:returned_list": "该返回数组的地方返回了列表：可以先把值收集在列表里，再返回它的 np.array(...)",
    "misconception:log_loss_clipped": "概率用一个 eps 保护了起来，这会把每个样本的损失限制在 -log(eps) 附近：对标签为 1、logit 为 "
                                      "-1000 的样本，损失是 1000。请直接由 z 计算，log(1 + exp(-z))（np.logaddexp(0, -z)），"
                                      "这样就不需要保护",
    "misconception:step_averaged": "每一步都把梯度除以了 m：logistic_gradient 返回的已经是讲义中更新 k <- k - alpha * g 所用的总和",
}

A2 = {
    "title": "作业 2：激活函数、softmax、损失函数与前向传播",
    "part:activations": "激活函数",
    "part:derivatives": "在 z 处求导数",
    "part:softmax": "数值稳定、按行计算的 softmax",
    "part:losses": "独热标签与损失函数",
    "part:forward": "前向传播",
    "check:values": "数值",
    "check:large inputs": "很大的输入",
    "check:batch": "一批样本",
    "check:one sample": "单个样本",
    "check:large logits": "很大的 logit",
    "check:probabilities of 0 and 1": "概率为 0 和 1",
    "check:true class at probability 0 (any large finite value)": "真实类别的概率为 0（任何很大的有限值均可）",
    "check:predictions of exactly 0 and 1": "预测值恰好为 0 和 1",
    "check:confidently wrong (any large finite value)": "信心十足地判错（任何很大的有限值均可）",
    "check:seed 001 worked example": "讲义 001 的算例",
    "check:output and cache": "输出与缓存",
    "misconception:sigmoid_sign": "z 的符号反了：sigmoid(z) = 1 / (1 + exp(-z))",
    "misconception:leaky_relu_returns_one": "当 z > 0 时，leaky ReLU 返回的是 z 本身，而不是 1（1 是那里的斜率，应放在 "
                                            "leaky_relu_prime 中）",
    "misconception:alpha_ignored": "忽略了 alpha：请使用参数 alpha，而不是固定的 0.01",
    "misconception:sigmoid_prime_of_a": "sigmoid_prime 的参数是预激活值 z，而不是 a = sigmoid(z)：应返回 "
                                        "sigmoid(z) * (1 - sigmoid(z))，而不是 z * (1 - z)",
    "misconception:tanh_prime_of_a": "tanh_prime 的参数是预激活值 z，而不是 a = tanh(z)：应返回 1 - tanh(z)**2，而不是 "
                                     "1 - z**2",
    "misconception:relu_prime_at_zero": "在本套作业中 relu_prime(0) 必须是 0：请用 z > 0，而不是 z >= 0",
    "misconception:leaky_relu_prime_at_zero": "在本套作业中 leaky_relu_prime(0) 必须是 alpha：请用 z > 0，而不是 "
                                              "z >= 0",
    "misconception:softmax_axis": "softmax 沿错误的轴做了归一化：每一行（一个样本）的和必须为 1",
    "misconception:softmax_whole_array": "softmax 对整个数组做了归一化：每一行（一个样本）必须各自求和为 1",
    "misconception:softmax_max_axis": "减去的是每一列的最大值：请减去每一行自己的最大值（axis=-1, keepdims=True）",
    "misconception:softmax_overflow": "logit 很大时 exp 溢出了：先减去每一行的最大值再取 exp，这不会改变 softmax 的结果",
    "misconception:softmax_global_max": "对整个数组只减去了一个最大值，于是远低于它的行下溢成 0 / 0：请减去每一行自己的"
                                        "最大值（axis=-1, keepdims=True）",
    "misconception:one_hot_classes_from_labels": "列数是从标签中推算出来的：请使用 num_classes，因为一批样本不一定包含"
                                                 "所有类别",
    "misconception:cross_entropy_sum": "损失在整批样本上求和了：请除以样本数 N",
    "misconception:cross_entropy_mean_all": "损失对全部 N * C 个元素取了平均：应先对类别求和，再只对 N 个样本取平均",
    "misconception:bce_sum": "损失在整批样本上求和了：请对 N 个样本取平均",
    "misconception:bce_sign": "漏掉了负号：损失是 -(y log a + (1 - y) log(1 - a))，它永远不会是负数",
    "misconception:bias_missing": "A_prev @ W 之后没有加上偏置 b",
    "misconception:dense_transposed": "Z 是按列计算的，结果成了 (D_out, N)：在本套作业中每一行是一个样本，所以 "
                                      "Z = A_prev @ W + b",
    "misconception:forward_bias_missing": "没有加上偏置：Z_l = A_(l-1) @ W_l + b_l",
    "misconception:last_activation_missing": "最后一层漏掉了激活函数：A_L = f_L(Z_L) 同样要计算",
    "misconception:sigmoid_overflow": "|z| 很大时 np.exp 会溢出（np.exp(1000) 是 inf，并给出警告；inf / inf 是 nan）：改用 "
                                      "exp(-|z|) 来计算，它永远不会溢出",
    "misconception:tanh_overflow": "|z| 很大时 (e^z - e^-z) / (e^z + e^-z) 会溢出成 inf / inf = nan：请用 np.tanh，或者用永远不会"
                                   "溢出的 exp(-2|z|) 来写",
    "misconception:sigmoid_prime_factor": "少了因子 (1 - sigmoid(z))：sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z))",
    "misconception:sigmoid_prime_twice": "sigmoid 用了两次：sigmoid_prime 只在 z 处求一次 sigmoid，而 sigmoid(sigmoid(z)) 是另一个数",
    "misconception:tanh_prime_square": "tanh 没有平方：tanh'(z) = 1 - tanh(z)**2",
    "misconception:comparison_not_float": "像 z > 0 这样的比较得到的是布尔值：请用 .astype(np.float64) 转成 float64",
    "misconception:softmax_keepdims": "每行的和形状是 (N,)，不能与 (N, C) 广播：求和时加上 keepdims=True",
    "misconception:softmax_axis_1": "对单个样本（一维数组）来说 axis=1 不存在：请用 axis=-1，即最后一个轴，它对单个样本和一批样本都"
                                    "适用",
    "misconception:one_hot_int": "独热编码的行是整数：请让它们是 float64，用默认 dtype 的 np.zeros((N, C))",
    "misconception:cross_entropy_axis": "求和的轴不对：先对每个样本在类别上求和（axis 1），再对样本求平均",
    "misconception:cross_entropy_sign": "少了负号：损失是 -sum(Y log p) / N，它永远不会是负数",
    "misconception:cross_entropy_binary_form": "这是把二元损失在各个类别上加起来：对独热的 Y，交叉熵只有 -sum(Y log p)，没有 "
                                               "(1 - Y) log(1 - p) 这一项",
    "misconception:log_of_zero": "log(0)：恰好为 0 的概率（对 log(1 - a) 来说是恰好为 1）会让 log 返回 -inf，而 0 * -inf 是 nan。"
                                 "请先用一个极小的 eps 把概率裁剪到 [eps, 1 - eps]，就像 np.clip(p, 1e-12, 1.0) 那样",
    "misconception:bce_labels_swapped": "标签弄反了：y 配 log a，1 - y 配 log(1 - a)",
    "misconception:dense_order": "矩阵乘积的形状对不上：行是样本，所以 Z = A_prev @ W + b，其中 A_prev 是 (N, D_in)，W 是 "
                                 "(D_in, D_out)，都按原样使用，不要转置",
    "misconception:cache_a_for_z": "缓存里的 Z 列表存的是激活值：请在那里保存每层的预激活值 Z_l = A_(l-1) @ W_l + b_l，"
                                   "反向传播需要用它计算 f'(Z_l)",
    "misconception:output_activation_twice": "输出层的激活函数用了两次：A_L = f_L(Z_L)，只用一次",
    "misconception:sigmoid_everywhere": "每一层都用了 sigmoid：第 l 层要用它自己的激活函数 activations[l]",
    "misconception:cache_without_input": "缓存的 A 列表漏掉了输入：它从 A_0 = X 开始，所以比 Z 多一项",
    "misconception:forward_same_input": "每一层的输入都是 X：第 l 层的输入应该是上一层的激活值 A_(l-1)",
    "misconception:python_max": "Python 的 max 要比较整个数组，做不到：请用 np.maximum，它逐元素比较",
    "misconception:sigmoid_prime_mixed": "把 z 和 sigmoid(z) 混用了：两个因子都来自 sigmoid(z)，即 sigmoid(z) * (1 - sigmoid(z))",
    "misconception:sigmoid_prime_overflow": "z 是很大的负数时，exp(-z) / (1 + exp(-z))**2 会溢出成 inf / inf = nan：请用你的稳定 "
                                            "sigmoid 函数得到 sigmoid 的值，再由它算出斜率",
    "misconception:tanh_prime_parentheses": "平方只作用在 tanh(z) 上：1 - tanh(z)**2，而不是 (1 - tanh(z))**2",
    "misconception:where_int": "np.where(z > 0, 1, 0) 得到的是整数：请写成浮点数 1.0 和 0.0",
    "misconception:softmax_two_dims": "[:, None] 需要二维数组，而单个样本只有一维：求和时用 axis=-1、keepdims=True，单个样本和一批"
                                      "样本都适用",
    "misconception:one_hot_transposed": "矩阵是 (C, N)：每个标签占一行，所以 Y 的形状是 (N, C)，且 Y[n, labels[n]] = 1",
    "misconception:one_hot_whole_columns": "Y[:, labels] = 1 会把整列都填上：每行只设一个元素，Y[np.arange(N), labels] = 1",
    "misconception:loss_not_reduced": "返回的是每个样本的损失：请把它们平均成一个浮点数，即整批的平均值",
    "misconception:activation_name_called": "activations 里存的是名字，不是函数：layer_functions(params, activations) 给出每一层的函数",
    "misconception:softmax_from_get": "activations.get 不认识 softmax：layer_functions(params, activations) 给出每一层的函数，"
                                      "包括 softmax",
    "misconception:cache_keys": "缓存的键是大写字母 'A' 和 'Z'",
    "misconception:one_hot_bool": "比较得到的是布尔值：请用 .astype(np.float64) 转成 float64",
    "misconception:bias_column": "b 被当成了一列 (D_out, 1)，就像每列一个样本那样：这里行是样本，形状为 (D_out,) 的 b 要加到每一行上",
    "misconception:returns_swapped": "返回的二元组顺序反了：返回 (A_out, cache)，输出在前",
}

A3 = {
    "title": "作业 3：反向传播与训练",
    "part:output_delta": "输出层的 delta",
    "part:hidden_delta": "隐藏层的 delta",
    "part:layer_gradients": "一层的权重梯度与偏置梯度",
    "part:backward": "对整个网络做反向传播",
    "part:gd_step": "一次梯度下降更新",
    "part:train_step": "一个训练步",
    "part:train": "训练循环及其学习曲线",
    "part:xor": "异或：真值表的每一行都对",
    "part:diamond": "菱形：留出集上的准确率",
    "check:values": "数值",
    "check:gradient check": "梯度检验",
    "check:one step at a large learning rate": "大学习率下的一步",
    "check:short runs": "短时间训练",
    "check:training run": "完整训练",
    "label:XOR, 3-4-1 sigmoid network": "异或，3-4-1 sigmoid 网络",
    "label:XOR, from random initial weights (seed 1)": "异或，从随机初始权重出发（种子 1）",
    "label:hidden run 1": "隐藏训练 1",
    "label:hidden run 2": "隐藏训练 2",
    "label:hidden run": "隐藏训练",
    "label:a hidden 2-8-1 tanh task, held-out points": "一个隐藏的 2-8-1 tanh 任务，留出集中的点",
    "label:diamond, 2-8-1 tanh network, held-out points": "菱形，2-8-1 tanh 网络，留出集中的点",
    "label:diamond, from random initial weights (seed 4)": "菱形，从随机初始权重出发（种子 4）",
    "returns:a tuple (params, history)": "一个元组 (params, history)",
    "misconception:delta_averaged": "output_delta 除以了 N：delta 是逐样本的量；唯一的一次求平均在 layer_gradients 中",
    "misconception:delta_sign": "输出层的 delta 写成了 Y - A_out；应为 A_out - Y，即损失的梯度，而不是误差的梯度",
    "misconception:delta_extra_slope": "输出层的 delta 乘上了 sigmoid 的斜率 A(1 - A)：与交叉熵搭配时这个斜率会被消掉，"
                                       "delta 就是 A_out - Y",
    "misconception:no_derivative": "漏掉了激活函数的导数：要乘以该隐藏层的 f'(Z)",
    "misconception:derivative_of_a": "导数是在 A = f(Z) 处求的，而不是在预激活值 Z 处：请用 f_prime(Z)，而不是 "
                                     "f_prime(f(Z))",
    "misconception:sigmoid_twice": "误差反传时经过了第二个 sigmoid，而没有经过下一层的权重（讲义中的错误："
                                   "output = sigmoid(hidden_output) 跳过了输出层的权重）：请用 delta_next @ W_next.T",
    "misconception:no_average": "梯度在整批样本上求和了，而没有取平均：请除以行数 N",
    "misconception:transpose": "dW 转置了：它的形状必须与 W 相同，为 (D_in, D_out)，即 A_prev.T @ delta / N",
    "misconception:bias_axis": "db 沿错误的轴取了平均：应对样本（axis 0）取 delta 的平均，每个单元对应一项",
    "misconception:update_sign": "更新的符号反了：应逆着梯度走，W - learning_rate * dW",
    "misconception:bias_not_updated": "没有更新偏置：b - learning_rate * db 也要计算",
    "misconception:early_update": "在下面一层算出 delta 之前就更新了这一层的权重，于是那个 delta 用的是新权重：请先用"
                                  "旧参数算出所有梯度，再一起更新",
    "misconception:loss_after": "损失是在更新之后测量的：请返回这一步自己的前向传播得到的损失",
    "misconception:history_before": "每一轮的损失和准确率是在该轮更新之前测量的：请在这一轮结束后测量",
    "misconception:no_shuffle": "小批量从来没有变过：请在每一轮开始时取 order = rng.permutation(N)",
    "misconception:shuffle_once": "样本只打乱了一次：请在每一轮开始时重新取 rng.permutation(N)",
    "misconception:slope_formula_on_z": "斜率被算成了 Z * (1 - Z)，这是 sigmoid 用输出 a 表示的斜率：在预激活值 Z 处，请用该层自己的 "
                                        "f_prime(Z)",
    "misconception:elementwise_not_matmul": "delta_next * W_next.T 是逐元素相乘：每个单元分到的误差是对下一层所有单元求和，"
                                            "即矩阵乘积 delta_next @ W_next.T",
    "misconception:w_not_transposed": "delta_next @ W_next 的形状对不上：W_next 是 (D_l, D_next)，所以 delta 要通过它的转置传回去，"
                                      "delta_next @ W_next.T",
    "misconception:bias_averaged_twice": "db 被除了两次 N：delta.mean(axis=0) 已经对样本求了平均",
    "misconception:bias_not_averaged": "dW 求了平均而 db 是在批上求和：db = delta.mean(axis=0)，同样是 1/N",
    "misconception:weights_no_transpose": "A_prev @ delta 的形状对不上：dW 把每个输入单元和该层的每个单元配对，"
                                          "即 A_prev.T @ delta / N，形状为 (D_in, D_out)",
    "misconception:wrong_layer_weights": "delta 通过了错误那一层的权重传回：从第 l 层到第 l - 1 层，要经过它们之间的权重 W_l，"
                                         "即 params[l][0]",
    "misconception:wrong_layer_inputs": "某层的梯度用错了激活值：第 l 层的 dW 需要它自己的输入 A_(l-1)，在 A[0] = X 时就是 "
                                        "cache['A'][l]",
    "misconception:gradients_reversed": "梯度按从最后一层到第一层的顺序返回了：grads[l] 属于 params[l]，所以请按下标填列表"
                                        "（或在返回前把它反转）",
    "misconception:first_layer_skipped": "循环在第一层之前就停了：让 layer 从 L - 1 一直走到 0，每一层才都有梯度",
    "misconception:bias_no_learning_rate": "偏置的更新漏了学习率：b - learning_rate * db",
    "misconception:update_discarded": "参数原样返回了：请返回 gd_step 给出的新参数，以及损失（并且要把目标 Y 而不是 A_out 交给 "
                                      "backward，否则所有梯度都是 0）",
    "misconception:global_random": "打乱用的是 np.random，而不是参数 rng：请用 rng.permutation(N)，这样一次训练可以由给定的 "
                                   "Generator 复现",
    "misconception:separate_permutations": "X 和 Y 用两个不同的排列打乱，样本和标签就对不上了：只抽一次 order = "
                                           "rng.permutation(N)，用它同时索引两者",
    "misconception:last_batch_dropped": "最后那个较小的小批量被丢掉了：range(0, N, batch_size) 会保留它，这样每个 epoch 每个样本都"
                                        "用到一次",
    "misconception:batch_size_ignored": "忽略了 batch_size，每一步都用整个数据集：把每个 epoch 打乱后的顺序切成大小为 batch_size "
                                        "的小批量",
    "misconception:params_not_rebound": "参数一直没变：train_step 返回的是新参数，所以要写 params, loss = train_step(...)",
    "misconception:history_last_batch": "记录的是最后一个小批量的损失：每个 epoch 结束后，要在整个训练集上计算损失",
    "misconception:delta_of_a": "这是损失对 A_out 的斜率 -(Y / A - (1 - Y) / (1 - A))：delta 是对预激活值 Z_L 的斜率，"
                                "乘上激活函数的斜率后会约简成 A_out - Y",
    "misconception:sigmoid_slope_always": "不管这一层用什么激活函数，斜率都用了 sigmoid 的：get(activation) 给出该层自己的 f_prime",
    "misconception:activation_for_slope": "该用斜率 f'(Z) 的地方用了 f(Z)：get(activation) 返回的是 (f, f_prime)",
    "misconception:bias_keepdims": "db 的形状是 (1, D_out)：b 的形状是 (D_out,)，所以求平均时不要加 keepdims",
    "misconception:wrong_layer_slope": "斜率用错了层：传回第 l - 1 层的 delta 需要该层自己的 Z 和激活函数，即 Z[l - 1] 和 "
                                       "activations[l - 1]",
    "misconception:bias_with_dw": "偏置用 dW 更新了：b - learning_rate * db",
    "misconception:loss_arguments_swapped": "调用损失函数时参数顺序反了：mean_loss(A_out, Y, output)，预测值在前",
    "misconception:array_split": "np.array_split 切出的小批量大小不对：除最后一个外，每个小批量都有 batch_size 个样本，即 "
                                 "order[k : k + batch_size]",
    "misconception:get_not_unpacked": "get(activation) 返回的是二元组 (f, f_prime)：先把它拆开，再调用 f_prime(Z)",
    "misconception:weights_not_averaged": "dW 在批上求和而 db 求了平均：A_prev.T @ delta 也要除以 N",
    "misconception:wrong_layer_activation": "斜率用了另一层的激活函数：第 l - 1 层的 delta 要经过 activations[l - 1]，"
                                            "也就是算出 Z[l - 1] 的那个函数",
    "misconception:history_lists": "history 里存的是列表：它的 'loss' 和 'accuracy' 应该是形状为 (epochs,) 的 numpy 数组",
    "misconception:shuffled_full_batch": "全批量训练也打乱了顺序，可是没有 rng 可用（batch_size 为 None 时 rng 也是 None）："
                                         "只在使用小批量时才抽取顺序",
}

TABLES = {
    "catalogue:a1_neuron_gd": A1,
    "catalogue:a2_forward": A2,
    "catalogue:a3_backprop": A3,
}
