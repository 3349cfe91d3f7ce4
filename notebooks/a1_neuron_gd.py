# %% [markdown]
# # Assignment 1: one neuron and gradient descent
# You write your answers in `neuron.py`. This notebook runs them.

# %%
import numpy as np
import neuron

# %% [grade] sigmoid

# %% [grade] neuron

# %% [grade] gates
