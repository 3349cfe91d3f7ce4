"""What the sandbox's workers cost in CPU time, for the benchmarks (benchmarks/speed_vs_nbgrader.py).

Each ``runner.Sandbox`` counts its workers' CPU seconds from the kernel (``waits.cpu_seconds``, read when a worker
is ready and when it is ended): ``boot_cpu``, what the workers ran before their ready message (the kit's start:
numpy's import and the confinement), and ``student_cpu``, what they ran after it (the student's code, the import
of the student's modules and the worker's encoding of their values). When ``$NNKIT_CPU_LOG`` names a file, every
sandbox appends one line to it as it closes: ``student_cpu boot_cpu starts``, in seconds and workers. A benchmark
sets it for the processes it runs (the CLI, grade-all's pool, nbgrader and the autograde helper all inherit it) and
adds the lines up. Nothing grades on these figures, and without the variable nothing is written.
"""
import os

VARIABLE = "NNKIT_CPU_LOG"


def record(sandbox):
    """Append ``sandbox``'s figures to ``$NNKIT_CPU_LOG``, if it is set (one short line, one write)."""
    path = os.environ.get(VARIABLE)
    if not path or not sandbox.starts:
        return
    line = f"{sandbox.student_cpu:.6f} {sandbox.boot_cpu:.6f} {sandbox.starts}\n".encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError:
        pass


def totals(path):
    """(student CPU seconds, boot CPU seconds, workers started) added up over the lines of ``path``."""
    student = boot = 0.0
    starts = 0
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                fields = line.split()
                if len(fields) == 3:
                    student, boot, starts = student + float(fields[0]), boot + float(fields[1]), \
                        starts + int(fields[2])
    except OSError:
        pass
    return student, boot, starts
