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
    "label:XOR, initialisation 1": "异或，初始化 1",
    "label:hidden run 1": "隐藏训练 1",
    "label:hidden run 2": "隐藏训练 2",
    "label:hidden run": "隐藏训练",
    "label:a hidden 2-8-1 tanh task, held-out points": "一个隐藏的 2-8-1 tanh 任务，留出集中的点",
    "label:diamond, 2-8-1 tanh network, held-out points": "菱形，2-8-1 tanh 网络，留出集中的点",
    "label:diamond, initialisation 4": "菱形，初始化 4",
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
}

TABLES = {
    "catalogue:a1_neuron_gd": A1,
    "catalogue:a2_forward": A2,
    "catalogue:a3_backprop": A3,
}
