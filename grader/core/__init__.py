"""The kit's vocabulary and fixed facts: the catalogue's spec, fixed-seed inputs, limits, folders, the
reference solutions and stored tolerances."""
