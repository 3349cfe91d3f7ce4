"""Grading one submission: the engine that runs its cases in the sandbox and judges them, and the
reference outputs' cache."""
