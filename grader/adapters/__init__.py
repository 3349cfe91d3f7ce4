"""The ways in: the command line, grading a class, nbgrader, Gradescope, PrairieLearn and the demo."""
