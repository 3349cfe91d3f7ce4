"""每个模块的 MESSAGES 的中文：表名即模块名，键与英文表相同，占位符 {...} 也必须相同。"""

EVALUATION = {
    "not_implemented": "尚未实现：请完成 {function} 中的 TODO",
    "missing_file": "提交中缺少 {detail}",
    "missing_function": "缺少 {function}：{detail}",
    "import_failed": "无法导入该模块（{detail}）{where}",
    "raised": "抛出了 {error}：{detail}{where}",
    "timeout": "运行超过了 {detail} 秒的时间限制（是否陷入了死循环？）",
    "skipped_after_timeout": "未运行：之前对 {function} 的一次调用已经超时",
    "budget": "未运行：这份提交已用完全部的运行时间额度",
    "died": "运行它的进程崩溃了（{detail}）：请不要调用 sys.exit、os._exit，也不要发送信号",
    "exited": "调用了 sys.exit({detail})；请改为返回一个值",
    "bad_value": "返回了评分程序无法读取的值（{detail}）",
    "opaque": "返回了 {got}；应返回 {expected}",
    "type": "{path}返回了 {got}；应返回 {expected}",
    "dtype": "{path}的 dtype 是 {got}；应为 {expected}（本套作业中的数组一律是 float64）",
    "shape": "{path}的形状是 {got}；应为 {expected}",
    "shape_transposed": "{path}的形状是 {got}；应为 {expected}：看起来是转置了",
    "length": "{path}有 {got} 项；应有 {expected} 项",
    "keys": "{path}的键是 {got}；应为 {expected}",
    "values": "{path}在 {index} 处的值不对：应为 {expected}，实际为 {got}（最大差值 {diff:.3g}）",
    "values_hidden": "{path}在 {index} 处的值不对",
    "type_hidden": "{path}返回的不是 {expected}",
    "shape_hidden": "{path}的形状不对；应为 {expected}",
    "length_hidden": "{path}的项数不对；应有 {expected} 项",
    "keys_hidden": "{path}的键不对；应为 {expected}",
    "raised_hidden": "抛出了 {error}{where}（隐藏用例不显示异常的消息：其中可能带有该用例的输入）",
    "own_exception": "一个自定义类的异常",
    "output_too_large_hidden": "抛出了 OutputTooLarge{where}：返回的值超过了一次调用最多能传回的量（{bytes} 字节的数组，或 {values} 个值）",
    "stand_in_hidden": "抛出了 StandInError{where}：代替它所调用的函数的参考实现无法处理传给它的参数（隐藏用例不说明原因：原因中可能带有该用例的输入）",
    "own_warning": "一个自定义类的警告",
    "exited_hidden": "调用了 sys.exit；请改为返回一个值",
    "died_hidden": "运行它的进程崩溃了：请不要调用 sys.exit、os._exit，也不要发送信号",
    "bad_value_hidden": "返回了评分程序无法读取的值",
    "too_small_hidden": "信心十足的错误预测必须付出很大的损失（至少 {at_least:g}），而这里的损失更小",
    "not_finite": "{path}在 {index} 处出现了 nan 或 inf，而输入是有限的：请让计算在数值上保持稳定",
    "too_small": "返回了 {got}，但信心十足的错误预测必须付出很大的损失（至少 {at_least:g}）",
    "clipped_high": "概率被裁剪在一个较大的值上：请裁剪在一个极小的值上，例如 1e-12",
    "too_large": "{detail} 超过了评分程序对单个模块文件接受的 {limit} KB，因此没有被评阅（完整的参考模块只有几 KB："
                 "是不是把数据集或生成的代码粘贴进去了？）",
    "warned": "对有限的输入发出了警告（{detail}）：请让计算在数值上保持稳定",
    "gradient": "{path}与数值梯度不一致：相对误差为 {error:.2g}（要求 < {limit:g}）",
    "gradient_hidden": "{path}与数值梯度不一致：相对误差不低于 {limit:g}",
    "converge": "{label}：{metric}为 {value:.4g}；要求 {relation} {threshold:g}",
    "diverged": "{label}：训练发散了，训练后的网络输出 nan 或 inf（更新的符号对吗？学习率用上了吗？）",
    "converged": "{label}：{metric}为 {value:.4g}（{relation} {threshold:g}）",
    "diagnosis": "可能的原因：{message}",
    "changed_input": "原地修改了参数{plural} {names}{where}：调用者自己的数据被悄悄改掉了，之后再用到它的代码（例如从同一组"
                     "初始参数开始的下一次训练）会得到不同的数字",
    "in_place": "对参数做了原地运算（x -= ...、out=x，或直接对数组本身写 x[...] = ...）：请改为创建新数组，写 x = x - ...，"
                "或在 x[...] = ... 之前先写 x = x.copy()",
    "passed": "通过",
    "no_function": "{module}.py 中没有函数 {name}",
    "import_timeout": "导入耗时过长",
    "at": "，位置：{place}",
    "array": "形状为 {shape} 的 numpy.ndarray",
    "sequence": "长度为 {count} 的 {type}",
    "the_value": "该值",
    "changed_at": "（位置：{places}）",
    "list_and": "{items} 和 {last}",
    "plural": "",
    "metric_max_error": "最大误差",
    "metric_accuracy": "准确率",
    "training": "训练",
    "join": "{first}。{second}",
    "frame": "{file}:{line}（{function}）",
}

LOCAL = {
    "pass": "通过",
    "fail": "未通过",
    "line": "{mark} {function}() [{check}]：{message}",
    "part_failed": "{part!r} 部分的 {total} 项公开检查中有 {failed} 项未通过",
    "part_passed": "{part!r} 部分的全部 {total} 项公开检查都已通过。分数来自它们的隐藏孪生用例：同样的检查，换用新的"
                   "输入。",
    "upstream": "{functions} 没有通过它自己的公开检查，而这个函数会调用它：请先修好它",
}

RESULTS = {
    "summary": "{assignment}：{score:g} / {max_score:g} 分",
    "part_header": "{total} 项检查中通过了 {passed} 项",
    "preview_header": "（另有 {total} 项公开预览检查，通过了 {passed} 项，它们不计分）",
    "public": "（公开预览）",
    "case_line": "{mark} {check} #{number}{hidden}：{message}",
    "hidden": "（隐藏用例）",
    "upstream": "请先修好 {functions}：{it}没有通过自己的检查（见{its}部分），而这项任务会运行你的整个网络。",
    "breaks": "调用这个函数的其他部分在评分时用参考实现替代了它；换成你自己的代码，{parts}也会出错。",
    "it_one": "它",
    "it_many": "它们各自都",
    "its_one": "它所在的",
    "its_many": "它们各自所在的",
    "quoted": "“{title}”",
    "list_join": "、",
    "cut": "\n… [另有 {count} 个字符被截去：结果文件必须小于 1 MB]",
    "line_cut": "… [另有 {count} 个字符被截去]",
    "more_failures": "… 另有 {count} 项未通过的检查，未列出",
}

PLOTS = {
    "curves_title": "{key}：你的训练过程与参考训练过程对比",
    "boundary_title": "{key}：决策区域（输出 >= 0.5 即判为类别 1）",
    "loss": "损失",
    "accuracy": "准确率",
    "epoch": "轮次（epoch）",
    "student": "你的训练",
    "reference": "参考训练",
    "student_net": "你的参数",
    "reference_net": "参考参数",
    "net_accuracy": "{who}：{count} 个点中判对 {accuracy:.1%}",
    "alt_curves": "{title}。{details}",
    "alt_final": "{who}：最终{name}为 {value}",
    "alt_none": "没有画出任何曲线",
    "alt_boundary": "{title}。{details}。{diamond}",
    "alt_diamond": "虚线标出真实的边界 |x1| + |x2| = 1。",
    "net_missing": "{who}：无法绘制",
    "call_failed": "训练函数调用失败，因此没有可画的内容",
    "no_history_at": "这项检查不记录训练历史",
    "no_reference_history": "这项检查没有记录参考训练的历史",
    "not_history": "训练历史是 {got}，而不是字典或数值列表",
    "no_series": "训练历史中没有 {name!r} 这一项",
    "bad_series": "history[{name!r}] 不是数值列表（{got}）",
    "empty_series": "history[{name!r}] 是空的",
    "non_finite": "{who}：{name} 在第 {epoch} 轮变成了 nan 或 inf",
    "missing_curve": "{who}：没有{name}曲线（{reason}）",
    "bad_path": "返回值中没有第 {path} 项（它是 {got}）",
    "no_params": "没有可绘制的训练后参数：{reason}",
    "no_reference_params": "这项检查没有记录参考训练的参数",
    "no_predict": "没有用来绘制区域的预测函数（{reason}）",
    "no_predict_named": "这项检查没有指定预测函数",
    "predict_failed": "预测函数在这组参数上出错：{detail}",
    "predict_shape": "预测函数对 {expected} 个点返回了 {got} 个值",
    "predict_non_finite": "在平面的一部分上输出 nan 或 inf（那里留白）",
    "predict_all_non_finite": "所有输出都是 nan 或 inf：参数中是否含有 nan 或 inf？",
    "held": "常数输入固定为 {values}",
    "class0": "类别 0",
    "class1": "类别 1",
    "region": "{name}区域",
    "diamond": "真实边界 |x1| + |x2| = 1",
    "subsampled": "显示了 {total} 个评估点中的 {shown} 个",
    "plot_failed": "绘图：无法绘制 {name}：{detail}",
    "plot_timeout": "绘图：{seconds:g} 秒后停止；已经画好的图保留，结果是完整的",
}

CLASS_REPORT = {
    "no_results": "结果文件夹 {path} 不存在：班级报告读取 grade-all 写下的结果，所以请先运行 "
                  "`nnkit grade-all --assignment {assignment} --results-dir {path} submitted/`",
    "page_title": "班级报告：{title}",
    "summary": "共评阅 {count} 名学生。平均分 {mean:.2f}，中位数 {median:.2f}，满分 {max_score:g} 分。",
    "nobody": "在 {folder} 中没有找到结果文件。",
    "distribution": "分数分布",
    "histogram_x": "总分（满分 {max_score:g}）",
    "histogram_y": "学生人数",
    "mean": "平均分 {value:.2f}",
    "median": "中位数 {value:.2f}",
    "histogram_alt": "{count} 名学生总分的直方图，满分 {max_score:g} 分：平均 {mean:.2f}，中位数 {median:.2f}，"
                     "最低 {low:g}，最高 {high:g}。",
    "histogram_alt_empty": "空的直方图：没有学生得到评分。",
    "parts": "各部分",
    "part": "部分",
    "points": "分值",
    "full_marks": "得满分",
    "mean_score": "平均得分",
    "misconceptions": "诊断出的典型错误",
    "misconceptions_help": "无论有多少个用例复现了同一个典型错误，每名学生对它只计一次。",
    "misconception": "典型错误",
    "message": "学生看到的说明",
    "where": "出现位置",
    "students": "学生",
    "who": "名单",
    "unknown_misconception": "（不在当前的检查目录中）",
    "unknown_part": "（不在当前的检查目录中）",
    "no_misconceptions": "这次作业的检查目录没有定义典型错误。",
    "per_student": "每名学生的得分",
    "student": "学生",
    "total": "总分",
    "skipped": "未计入的文件",
    "file": "文件",
    "reason": "原因",
    "bad_json": "不是合法的 JSON：{detail}",
    "not_results": "不是 Gradescope 结果文件（没有 score 或 tests）",
    "other_assignment": "这是 {other} 的结果，不是 {assignment} 的",
    "wrote": "已写入 {path}",
    "similarity": "需要复核的相似代码",
    "similarity_none": "nnkit similarity 比较了 {students} 名学生，没有发现哪一对学生的代码重合得异常多。",
    "similarity_found": "nnkit similarity 比较了 {students} 名学生：有 {pairs} 对学生的代码重合得异常多。"
                        "请在它的页面上复核，那里并排列出了共享的代码片段。",
    "similarity_link": "打开相似代码报告",
    "similarity_bad": "无法读取相似代码摘要 {path}（{detail}）。",
    "pair": "学生对",
    "share": "共享比例",
    "summary_total": "共评阅 {count} 名学生。总分平均 {mean:.2f}，中位数 {median:.2f}，满分 {max_score:g} 分：其中自动评分 "
                     "{auto:g} 分，人工评阅的书面回答 {written:g} 分。",
    "written": "书面回答（人工评阅）",
    "written_left_out": "这次作业还有 {count} 道书面问题，共 {points:g} 分，在 nbgrader 中人工评阅。它们不在本报告中：加上 "
                        "--gradebook gradebook.db 再运行一次即可纳入。",
    "written_pending": "还有 {count} 份书面回答等待评阅。",
    "written_pending_one": "还有 1 份书面回答等待评阅。",
    "written_done": "所有书面回答都已评阅。",
    "question": "问题",
    "graded": "已评阅",
    "to_grade": "待评阅",
    "to_grade_cell": "待评阅",
    "autograded": "自动评分",
}

NBGRADER_AUTOGRADE = {
    "grader_failed": "评分程序无法处理这份提交（{reason}），因此目前每个部分都记 0 分。请告知你的老师。",
    "reason_exit": "它以退出码 {code} 结束",
    "reason_timeout": "它运行超过了 {seconds:g} 秒",
    "reason_no_results": "它没有写出结果",
    "reason_bad_results": "无法读取它的结果",
    "unknown_part": "这个单元格不属于 {assignment} 的任何部分，因此记 0 分。",
    "alt_curves": "训练过程 {run}：每一轮的损失和准确率，你的训练与参考训练对比",
    "alt_boundary": "训练过程 {run}：你的网络与参考网络的决策区域并排对比",
    "alt_other": "训练过程 {run} 的图",
    "log_failure": "本工具的评分程序处理 {folder} 时出了问题（{reason}）。它的标准错误输出末尾是：\n{stderr}",
    "plots_failed": "（无法绘制训练过程的图。）",
    "reused": "{student}：沿用 grade-all 为这些文件写下的结果（指纹 {fingerprint}）",
}

NBGRADER_RELEASE = {
    "reveals": "{assignment} 附带了 {origin} 的已完成模块 {modules}，所以发布它就会泄露 {origin} 的答案：{when}。请在 "
               "{origin} 截止之后再发布。",
    "due_unset": "成绩簿中没有它的截止日期",
    "due_ahead": "它要到 UTC 时间 {due} 才截止",
}

NBGRADER_COLLECT = {
    "archive_skipped": "已跳过 {path}：{reason}。没有从中解压任何文件。",
    "loose_file": "已跳过 {path}：请把每名学生的文件放进 <student_id>.zip 或 <student_id>/ 文件夹",
    "bad_student_id": "已跳过 {path}：{name!r} 不是合法的学号（只能包含字母、数字、'.'、'_'、'-'）",
    "unsafe_entry": "不安全的条目 {entry!r}",
    "link_entry": "条目 {entry!r} 是一个链接",
    "too_large": "解压后会超过 {limit} 字节",
    "too_many": "其中的条目超过 {limit} 个",
    "not_zip": "它不是可读的 zip 压缩包",
    "unreadable": "无法读取条目 {entry!r}（{error}）",
    "nothing_found": "{path}：没有找到任何应有的文件（{files}）",
    "notebook_broken": "{path}：其中的 {name} 无法作为 notebook 读取；改用发布的 notebook 代替",
    "extracted": "已为学生 {student} 解压 {files}",
    "notebook_supplied": "{path} 中没有 {name}：改用发布的 notebook 代替（autograde 需要一个 notebook；分数只取决于"
                         "模块文件）",
}

NBGRADER_GRADEBOOK = {
    "no_gradebook": "{path} 处没有 nbgrader 成绩簿",
}

FEEDBACK = {
    "late_penalty": "迟交扣分",
    "score_paren": "（得分：",
    "close_heading": "}}）</h4>",
    "close_item": "}}）</li>",
    "score_cell": "得分：{{ cell",
    "test_cell": ">评分单元格</a>",
    "free_response": ">编程自由作答</a>",
    "written_response": ">书面作答</a>",
    "task": ">任务</a>",
    "comment": ">评语</a>",
    "top": "（回到顶部）",
    "answer": "学生的答案",
    "student_task": "学生的任务",
    "grade_cell": "评分单元格：",
    "task_code": "任务：<code>",
    "comments": "<b>评语：</b>",
    "html": '<html lang="zh-CN">',
}

FEEDBACK_SUMMARY = {
    "heading": "概要",
    "all_passed": "所有部分都通过了。",
    "lost": "{total} 个部分中有 {lost} 个丢了分。下面列出每个部分最先未通过的检查；点击部分的标题即可跳到它的单元格。",
    "part": "部分",
    "score": "得分",
    "first_failure": "最先出错的地方",
    "passed": "通过",
    "by_hand": "人工评阅",
    "written": "书面问题：{title}",
    "waiting": "等待评阅",
    "unanswered": "未作答",
    "see_cell": "请查看该部分的单元格。",
    "upstream": "请先修好 {functions}：这个部分会运行你的整个网络。",
    "late_penalty": "迟交扣分",
    "total": "总分",
    "toc": "所有评分单元格（按页面顺序）",
}

CLI = {
    "error": "nnkit：错误：{detail}",
    "sync_clean": "assignments/ 和 docs/rubrics/ 与 solutions/、notebooks/ 和检查目录一致",
    "sync_drift": "生成的文件已过时；请运行 `python -m grader sync`。不一致的文件：",
    "sync_wrote": "已写入 {path}",
    "part_row": "  {title:<44} {score:>6g} / {points:<4g}",
    "total_row": "  {title:<44} {score:>6g} / {points:<4g}",
    "total": "总分",
    "lang_help": "这条命令写出和显示的一切所用的语言：{known}（默认取 $NNKIT_LANG，否则为 en）",
    "course_help": "用一种语言写出完整的课程文件夹（nbgrader_config.py 和 assignments/）",
    "course_dir_help": "要写入的文件夹：新的或空的文件夹，或者这条命令以前写出的课程文件夹",
    "course_names_help": "要包含的作业（默认：全部）",
    "bad_seconds": "必须是正的秒数，而不是 {value!r}",
    "budget_help": "提交的代码总共可以运行的秒数（默认：{default:g}）；超出之后的调用不再运行",
    "no_written": "{assignment} 没有书面问题",
    "no_modules": "{folder} 中没有 {assignment} 的任何评分文件（{files}）；请评阅存放这些文件的文件夹",
    "no_modules_below": "{folder} 中没有 {assignment} 的任何评分文件（{files}）；它们在 {below} 中：请评阅那个文件夹",
}

COURSE = {
    "refuse": "course：{course} 不是空文件夹，也不是课程文件夹；请换一个新的或空的文件夹",
    "no_lang_line": "course：{path} 中没有用来设置课程语言的那一行 {line!r}",
    "wrote": "已写出课程 {course}（{lang}）：nbgrader_config.py 和 assignments/（{names}）",
    "marker": "由 `python -m grader course` 生成；每次运行都会重写 nbgrader_config.py 和 assignments/\n",
    "readme": """# {title}

这个文件夹就是你的作业。请在 {modules} 中写出你的答案：每个 `# TODO` 标出一处要填写的地方，它上方的文档字符串
（docstring）给出了每个参数的形状。

1. 在 Jupyter 中打开 `{notebook}`。它讲解每一个概念，运行你的代码并把结果画出来。其中的**评分部分**单元格会运行
   对应部分的公开检查。
2. 随时可以在这个文件夹中运行 `pytest`。它在几秒钟内跑完全部公开检查，并指出问题所在：期望值与你的结果的对比，
   或者是形状、dtype、类型不对。如果你的错误与某个典型错误相符，它会说出是哪一个。文件还没有改动时，每项检查都会
   显示“尚未实现”。
3. 提交整个文件夹。评分程序除了运行公开检查，还会运行隐藏的检查（其他输入、梯度检验和训练过程），所以通过
   `pytest` 是必要条件，而不是充分条件。

你需要装有 numpy、matplotlib 和 pytest 的 Python 3（使用 notebook 还需要 Jupyter）。请不要改动 `_selfcheck/`、
`test_selfcheck.py` 和 `pytest.ini`。

| 部分 | 分值 |
|---|---|
{parts}
""",
    "readme_module": "`{module}.py`",
    "readme_join": "、",
    "readme_part": "| {title} | {points:g} |",
}

ENGINE = {
    "linked_folder": "提交文件夹 {path} 是一个符号链接；请评阅它指向的文件夹，或者它的一份副本",
    "no_folder": "提交文件夹 {path} 不存在",
}

BATCH = {
    "error": "nnkit：错误：{detail}",
    "no_folder": "提交文件夹 {path} 不存在",
    "bad_jobs": "--jobs 至少为 1，而不是 {jobs}",
    "missing_folder": "没有提交 {assignment}/ 文件夹，因此没有可评阅的内容",
    "missing_summary": "{assignment}：未提交",
    "progress": "正在评阅 {assignment}",
    "summary": "已评阅 {graded} 名，{reused} 名自上次运行后未改动，{refused} 名被拒绝，{failed} 名无法评阅；{csv} 和 "
               "{results}",
    "failed": "grader：无法评阅 {student}：{detail}",
    "interrupted": "grader：已中断；{total} 名学生中有 {done} 名已有结果。再次运行同一条命令即可评阅其余 {left} 名。",
    "no_students": "grader：{path} 中没有学生文件夹",
    "no_results": "没有结果文件",
    "pool_died": "评阅进程意外终止（{detail}）",
    "refused": "grader：拒绝评阅 {student}：{path} 是一个符号链接，因此没有从中评阅任何内容",
    "linked_folder": "{path} 是一个符号链接，因此没有从中评阅任何内容",
    "linked_summary": "{assignment}：未评阅",
    "changed": "grader：{student} 的文件在评阅过程中发生了变化；这些分数对应读取时的文件，下次运行会重新评阅",
    "status_failed": "未评阅：{detail}",
    "status_pending": "尚未评阅：请再次运行同一条命令",
}

BUNDLE = {
    "readme": "nnkit：一次 {platform} 作业的评分程序和参考答案。\n",
    "not_synced": "缺少 {path}：请先运行 `python -m grader sync {name}`，再生成导出包",
    "found": "评阅的是 {where} 中的 {module}.py",
    "top": "提交的最上层",
    "ignored_copy": "还找到了 {path}；它没有被评阅",
    "not_found": "提交中没有找到 {module}.py",
    "fallback": "自动评分程序本身在这份提交上出错了，所以这里的 0 分只是占位，并不是成绩。请告知你的老师，评分程序修好后"
                "可以重新评分。",
    "usage": "用法：python -m grader.adapters.bundle stage ASSIGNMENT SUBMISSION_DIR DEST_DIR",
}

GRADESCOPE = {
    "wrote": "已写入 {path}（{count} 个文件）",
}

PRAIRIELEARN = {
    "wrote": "已写入 {path}：questions/{qid}/ 和 serverFilesCourse/{kit}/（{count} 个文件）",
    "topic": "神经网络",
    "usage": "用法：python -m grader.adapters.prairielearn grade ASSIGNMENT GRADE_ROOT",
    "upload": "请上传你的模块文件：{files}。只有这些文件会被评阅，本次作业所依赖的已完成模块由评分程序提供。请先在"
              "作业文件夹中运行 <code>pytest</code>：它用同样的输入和容差运行公开检查；评分程序还会运行隐藏用例、梯度"
              "检验和训练过程。",
    "parts": "各部分：",
    "part": "{title}（{points:g} {unit}）",
    "point": "分",
    "points": "分",
}

REFERENCE_CACHE = {
    "built": "{assignment}：{cases} 个用例的参考输出已缓存到 {path}",
    "unwritable": "nnkit：无法写入参考缓存 {path}（{detail}）；参考输出只在本进程中计算（可以把 NNKIT_REFERENCE_CACHE "
                  "设为一个可写的文件夹）",
    "damaged": "nnkit：参考缓存 {path} 未通过校验（{detail}）；正在重新计算参考输出",
    "unreadable": "无法作为 JSON 读取：{detail}",
    "other_key": "它不是这一版本评分程序的缓存",
    "digest": "其中的用例与它的摘要不符：写入之后被改动过",
    "cases": "其中的用例与目录不符：缺少 {missing} 个，多出 {extra} 个，格式错误 {malformed} 个",
}

RUNNER = {
    "signal": "进程被信号 {name} 终止",
    "exit": "进程以退出码 {code} 结束",
    "channel_closed": "它关闭了与评分程序通信的通道",
    "garbled": "它在与评分程序通信的通道上写入了无法读取的内容",
    "reimport": "重启后再次导入 {module} 失败",
    "no_start": "沙箱工作进程没有启动（{detail}）；这是评分程序的问题，不是提交的问题",
    "no_stand_in": "这次调用中没有 {name} 的替身",
    "stand_in_calls": "一次调用中对替身的调用超过了 {limit} 次",
    "stand_in_failed": "参考实现 {name} 无法接受这些参数（{detail}）",
    "stand_in_large": "它的值含有 {size} 字节的数组，超过了回传内容 {limit} 字节的上限",
    "stand_in_arguments": "这些参数占 {size} 字节，超过了本作业中替身参数 {limit} 字节的上限",
    "stand_in_time": "一次调用中对替身的调用用时超过了 {seconds:g} 秒",
}

CATALOGUES = {
    "unknown": "未知的作业 {name!r}；已知的作业：{known}",
    "none": "无",
}

SYNC = {
    "selfcheck_package": "test_selfcheck.py 的支持文件，由本工具生成。请勿修改。",
    "todo_default": "在这里写你的代码",
}

NOTEBOOKS = {
    "grade_source": "# 评分部分：{title}（{points:g} 分）。\n"
                    "# 运行这个单元格会显示该部分的公开检查；评分时还会运行隐藏的检查。\n"
                    "from _selfcheck.local import check_part\n"
                    "check_part({key!r})",
    "written_header": "**书面问题：{title}**（{points:g} {unit}，人工评阅）",
    "written_footer": "请在下一个单元格中作答，替换掉 `{stub}`。写几句话就够了。",
    "answer_stub": "在这里写下你的回答",
    "point": "分",
    "points": "分",
}

WRITTEN = {
    "title": "# 评分细则：{title}",
    "intro": "仅供评阅者使用。由 `python -m grader sync` 根据 `grader/catalogues/{name}.py`（标题、分值、评分细则）和 "
             "`notebooks/{name}.py`（题目）生成；请修改那两个文件，而不是这个文件。",
    "totals": "书面回答共 {written:g} 分，另有自动评分 {auto:g} 分：nbgrader 成绩簿中合计 {total:g} 分。",
    "how": "在 nbgrader 的 formgrader 中评阅：依次进入 Manual Grading、`{name}`、每一份提交。每个回答单元格以下面的键命名。"
           "仍为 `在这里写下你的回答` 的回答已由 autograde 记为 0 分。",
    "question": "## `{key}`：{title}（{points:g} {unit}）",
    "prompt": "学生看到的题目：",
    "rubric": "评分细则：",
    "criterion": "- **{points:g} {unit}。** {text}",
    "point": "分",
    "points": "分",
}

DEMO = {
    "start": "nnkit 演示：{assignment}，{count} 名示例学生，位于 {course}",
    "step_ok": "  [完成] {step}（{seconds:.1f} 秒）",
    "step_failed": "演示：{step} 失败（退出码 {code}）；它的输出在 {log}",
    "step_timeout": "演示：{step} 在 {seconds:g} 秒内没有完成；它的输出在 {log}",
    "refuse": "演示：{course} 已存在，但不是演示课程文件夹；请换一个 --course-dir",
    "recipe": "演示：学生 {student!r} 的配方有误：{detail}",
    "no_recipes": "演示：{folder} 中没有 {names} 中任何一个作业的示例班级",
    "mismatch": "学生 {student!r}，部分 {part!r}：{detail}",
    "missing_grade": "成绩簿中学生 {student!r} 没有部分 {part!r} 的成绩",
    "table_title": "nbgrader 成绩簿中的成绩（{assignment}，自动评分部分满分 {max_score:g}）：",
    "written_column": "书面",
    "to_grade": "待评阅",
    "written_note": "书面回答（{points:g} 分）在 nbgrader 的 formgrader 中人工评阅；其中 {waiting} 份等待评阅。评分细则："
                    "{rubrics}",
    "unknown_answers": "{assignment} 并没有提出这些问题，却给出了回答：{keys}",
    "legend": "各部分：{legend}",
    "table_student": "学生",
    "table_total": "总分",
    "table_about": "说明",
    "table_max": "（满分）",
    "feedback": "反馈页面：  {path}/<student>/{assignment}/{assignment}.html",
    "report": "班级报告：  {path}",
    "csv": "成绩 CSV：   {nbgrader}（nbgrader export），{kit}（grade-all，按部分）",
    "done": "用时 {seconds:.0f} 秒，已完成。",
    "edit_count": "要修改的文本在 {file} 中出现了 {count} 次（必须恰好一次）：{old!r}",
    "no_function": "{module}.py 中没有顶层函数 {function!r}",
    "unknown_key": "未知的配方键 {keys}",
    "expect_full": "应得满分（{points:g}），实际为 {score}",
    "expect_zero": "应得 0 分，实际为 {score}",
    "expect_below": "应低于满分（{points:g}），实际为 {score}",
    "expect_misconception": "该部分的说明中应包含诊断 {key!r}",
    "expect_timeout": "该部分的说明中应包含超时的提示",
    "parity": "成绩簿中为 {gradebook}，本工具的评分程序给出 {grader}",
    "unexpected": "演示：因意外错误而停止：{error}",
    "problems": "演示：有 {count} 项成绩检查未通过；第一项：{first}",
}

DIAGNOSIS_TEXT = {
    "computes": "你的代码算出的是：{facts}",
    "fact": "{leaf} 是{relation}",
    "facts_join": "；",
    "or": "，或者",
    "your_value": "你的值",
    "your_leaf": "你的 `{name}`",
    "scaled": "{layout}乘以 {factor}",
    "layout.same": "{base}",
    "layout.transposed": "{base}的转置",
    "layout.flattened": "{base}展平成一维",
    "layout.column": "{base}排成一列",
    "layout.row": "{base}排成一行",
    "layout.squeezed": "{base}去掉长度为 1 的轴",
    "layout.last_row": "只有{base}的最后一行",
    "layout.first_row": "只有{base}的第一行",
    "layout.reversed": "{base}倒序排列",
    "layout.all_last": "{base}的最后一项，在每一项中重复",
    "layout.all_first": "{base}的第一项，在每一项中重复",
    "layout.without_first": "{base}少了第一项",
    "layout.without_last": "{base}少了最后一项",
    "layout.shifted_back": "{base}错开一位（第 i 项是第 i + 1 项）",
    "layout.shifted_forward": "{base}错开一位（第 i 项是第 i - 1 项）",
    "layout.truncated": "{base}截断成整数",
    "layout.rounded": "{base}四舍五入成整数",
    "layout.float32": "{base}，但只有 float32 的精度",
    "layout.outer": "一个 (N, N) 数组，其对角线是{base}：一个 (N,) 数组遇上了一个 (N, 1) 数组，广播把每一项与其他每一项配成了对",
    "layout.extra_last": "{base}在末尾多了一项",
    "layout.extra_first": "{base}在开头多了一项",
    "layout.ahead": "{base}提前了一项（第 i 项是第 i + 1 项）",
    "layout.behind": "{base}落后了一项（第 i 项是第 i - 1 项）",
    "step": "到第 {before} 行为止都是期望的路径，然后进入第 {row} 行的那一步是期望步长的 {factor} 倍",
    "step_zero": "到第 {before} 行为止都是期望的路径，然后进入第 {row} 行时完全没有移动：这次更新丢失了",
    "base.expected": "期望的值",
    "base.substituted": "在应当使用 {target} 的地方换成 {source} 后期望的计算所得到的值",
    "base.generated": "期望的计算中{edit}时得到的值",
    "base.variant": "上面那个可能的原因所得到的值",
    "reordered": "你返回的值顺序不对：在应当是 ({expected}) 的位置返回了 ({got})",
    "raises_as": "它抛出的异常与期望的计算中{edit}时抛出的相同，连消息也相同",
    "gives_as": "你的值是期望的计算中{edit}时得到的值",
    "base.argument": "传入的 `{name}`，原封不动",
    "factor": "{value}（{what}）",
    "factor_number": "{value}",
    "q.rows": "`{name}` 的行数",
    "q.columns": "`{name}` 的列数",
    "q.dim": "`{name}` 的一个维度",
    "q.argument": "`{name}`",
    "f.quantity": "{what}",
    "f.inverse": "{what}的倒数",
    "f.twice": "{what}的两倍",
    "f.half": "{what}的一半",
    "f.two_over": "2 除以{what}",
    "f.negative": "负的{what}",
    "causes_join": "；或者：",
    "edit.replace": "在应当是 `{old}` 的地方写成 `{new}`",
    "edit.several": "把 `{old}` 写成了别的样子（例如 `{new}`，或其他几种写法之一）",
    "edit.remove": "漏掉语句 `{old}`",
}

SAFE_MARKDOWN = {
    "cleaned": "{student}：{notebook} 中的一个 markdown 单元格（{cell}）含有可能运行脚本或改变页面的标记；"
               "自动评分后的笔记本中显示的是清理后的内容",
}

NBGRADER_CELLS = {
    "dropped": "{student}：{notebook} 的单元格 {cell} 带有的 nbgrader 元数据{reason}；它按普通单元格处理",
    "not_a_dict": "不是一个映射",
    "no_grade_id": "没有 grade_id",
    "unknown_id": "指向的单元格在发布版本中不存在（{grade_id!r}）",
    "repeated_id": "与后面一个单元格的 grade_id {grade_id!r} 重复",
    "restored": "{student}：{notebook} 中单元格 {grade_id!r} 的 nbgrader 元数据被改动过（{keys}）；"
                "已恢复为发布版本的元数据",
    "surrogates": "{student}：{notebook} 中含有不是有效 Unicode 的文本（孤立的代理字符）；"
                  "每个这样的字符都替换为 U+FFFD",
}

AUTOGRADE_FAILURES = {
    "failed": "{student}：autograde 无法完成 {assignment}/{notebook}，因此它的自动评分部分现在记 0 分，并等待人工评分"
              "（之前的成绩已清除；错误信息见上文）。请修正这份提交后重新运行 autograde，"
              "或在 formgrader 中为这些部分手动评分",
    "export": "{student}：autograde 无法完成 {assignment}；它的自动评分部分记 0 分，并等待人工评分"
              "（grades.csv：autograde_failed = 1）",
}

LMS = {
    "unknown_format": "未知的 LMS 格式 {format!r}；请用 {known} 之一",
    "no_roster": "名单 {path} 不存在",
    "bad_roster": "{path} 不是 {lms} 的名单：{detail}",
    "missing_columns": "缺少 {columns} 列",
    "no_rows": "其中没有任何学生",
    "no_column": "名单中没有 {assignment} 的列；请用 --column 指定（名单中的作业列：{columns}）",
    "many_columns": "名单中有 {count} 列都可能是 {assignment}（{columns}）；请用 --column 指定其中一列",
    "column_missing": "名单中没有 {column!r} 列（名单中的作业列：{columns}）",
    "no_results": "{folder} 中没有 {assignment} 的评分结果",
    "unmatched": "{student}：不在名单中，未导出",
    "ambiguous": "{student}：与名单中的 {count} 行相符（{rows}），未导出",
    "shared_row": "{student}：与 {others} 对应名单中的同一行 {row}，未导出",
    "no_submission": "名单行 {row}：没有提交，未导出",
    "pending": "{student}：还有 {points:g} 分的书面回答尚待评分，未导出",
    "auto_only": "本工具的评分结果只含自动评分的部分（{auto:g} 分）；书面回答的 {written:g} 分不在此文件中："
                 "加上 --gradebook gradebook.db 即可包含",
    "wrote": "已将 {assignment} 的 {count} 个成绩（满分 {max_score:g}）写入 {path}（{lms}：{column}）",
}

SIMILARITY = {
    "title": "需要复核的相似代码：{assignment}",
    "intro": "比较了 {students} 名学生评分模块中的代码，已除去发布的桩代码、参考答案和笔记本中给出的代码。其余部分中，"
             "有 {pairs} 对学生的代码重合得异常多。代码相近也可能另有正当原因（一起学习、用同一本教材、同一位辅导老师）："
             "请逐对复核，并与学生谈过之后再下任何结论。",
    "instructors_only": "仅供教师查看：本页含有学生的代码，请勿分享给学生。",
    "settings": "列出的每一对都至少共享 {min_shared} 个字符的代码（不计名称、注释和空白），且共享部分至少占每名学生自己代码的 "
                "{share:.0%}。代码片段按检测器读取的样子显示：重新排版，去掉注释和文档字符串，函数按名称排序。",
    "no_pairs": "没有哪一对学生的代码重合得异常多。",
    "pairs": "需要复核的学生对",
    "groups": "需要复核的学生组",
    "groups_help": "由列出的学生对连在一起的学生，每组三人或以上。",
    "group": "组",
    "members": "学生",
    "student_a": "学生",
    "student_b": "另一名学生",
    "shared": "共享的代码",
    "share_of": "占各自代码的比例",
    "passages": "共享的代码片段",
    "details": "详情",
    "see": "对照",
    "pair_heading": "{a} 与 {b}",
    "pair_summary": "共享 {shared} 个字符的代码：占 {a} 自己代码的 {share_a:.0%}，占 {b} 的 {share_b:.0%}。",
    "passages_of": "{student} 的代码中与另一名学生共享的片段",
    "line": "第 {line} 行",
    "no_folder": "提交文件夹 {path} 不存在",
    "no_students": "{path} 中没有含 {assignment} 模块的学生文件夹",
    "skipped_link": "{student}：{module} 是符号链接，未读取",
    "wrote": "已写入 {path}：在 {students} 名学生中有 {pairs} 对、{groups} 组需要复核",
}

STEPS = {
    "no_steps": "{label}：训练后的参数并非来自对 {function} 的任何一次调用：这项任务要靠训练来完成，从给定的初始参数出发，每个 epoch "
                "调用一次 {function}",
    "too_few": "{label}：{function} 被调用的次数少于这次训练的 epoch 数：全批量训练每个 epoch 走一步",
    "too_many": "{label}：{function} 被调用的次数多于这次训练的 epoch 数：全批量训练每个 epoch 走一步",
    "not_a_step": "{label}：{function} 在第 {step} 步返回的结果，不是在整个训练集上、按给定学习率、从{previous}出发的一步梯度下降",
    "the_start": "这次训练给定的初始参数",
    "the_step_before": "上一步的参数",
    "not_the_last": "{label}：这次训练返回的参数，不是最后一次 {function} 给出的参数",
}

TABLES = {
    "diagnosis_text": DIAGNOSIS_TEXT,
    "evaluation": EVALUATION,
    "steps": STEPS,
    "local": LOCAL,
    "results": RESULTS,
    "plots": PLOTS,
    "class_report": CLASS_REPORT,
    "nbgrader_release": NBGRADER_RELEASE,
    "nbgrader_autograde": NBGRADER_AUTOGRADE,
    "nbgrader_collect": NBGRADER_COLLECT,
    "nbgrader_gradebook": NBGRADER_GRADEBOOK,
    "nbgrader_cells": NBGRADER_CELLS,
    "autograde_failures": AUTOGRADE_FAILURES,
    "safe_markdown": SAFE_MARKDOWN,
    "feedback": FEEDBACK,
    "feedback_summary": FEEDBACK_SUMMARY,
    "cli": CLI,
    "course": COURSE,
    "engine": ENGINE,
    "batch": BATCH,
    "bundle": BUNDLE,
    "gradescope": GRADESCOPE,
    "prairielearn": PRAIRIELEARN,
    "reference_cache": REFERENCE_CACHE,
    "runner": RUNNER,
    "catalogues": CATALOGUES,
    "sync": SYNC,
    "notebooks": NOTEBOOKS,
    "demo": DEMO,
    "written": WRITTEN,
    "lms": LMS,
    "similarity": SIMILARITY,
}
