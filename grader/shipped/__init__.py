"""What a student's folder receives under ``_selfcheck/``, and the sandbox's wire format: the standard
library and numpy only, since these files run on the student's machine and in the sandbox."""
