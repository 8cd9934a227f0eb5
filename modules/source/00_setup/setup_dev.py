# %% [markdown]
# # Setup: Your First TinyTorch Module
#
# Welcome to TinyTorch! Over the coming modules you will build a small deep-learning
# library on top of numpy, one piece at a time: tensors, activations, layers, automatic
# differentiation, optimizers and training loops. By the end, every line of the library
# is code you wrote and understand.
#
# This first module is deliberately small. Its job is to walk you once through the whole
# workflow — read, implement, test, export — on code that cannot go wrong in interesting
# ways, so that the workflow itself is familiar when the code becomes interesting.
#
# ### What you will build
# - `personal_info()`: who built this copy of TinyTorch
# - `system_info()`: which Python, operating system, CPU and numpy it runs on
#
# ### Why this matters
# Every serious machine-learning experiment records its environment. A model that trains
# on one machine and diverges on another is a common mystery, and the first question is
# always "which versions were you running?". PyTorch ships `python -m torch.utils.collect_env`
# for exactly this reason, and bug reports to numpy or PyTorch are expected to include
# the same information you are about to collect.

# %% nbgrader={"grade": false, "grade_id": "setup-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.setup
#| export
import platform
import sys

import numpy as np

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# - **Learning Side:** You work in `modules/source/00_setup/setup_dev.py`
# - **Building Side:** Code exports to `tinytorch.core.setup`
#
# ```python
# # Final package structure:
# from tinytorch.core.setup import personal_info, system_info
# ```
#
# **How the two sides connect:**
# - Cells that start with `#| export` are copied into the package by `tito export setup`.
# - Everything else (explanations, tests) stays in the notebook.
# - Later modules never import notebooks; they import the package, e.g.
#   `from tinytorch.core.tensor import Tensor`.
#
# **The workflow you will use in every module:**
# 1. Read the explanation of a step.
# 2. Fill in the code between the `TODO` markers.
# 3. Run the test cell right below it — it tells you what is still wrong.
# 4. When every test passes, run `tito export setup` and `tito module test setup`.

# %% [markdown]
# ## Step 1: Personal Information
#
# ### What is it?
# A dictionary describing who built this installation of TinyTorch:
#
# | key           | meaning                                  | example                 |
# | ------------- | ---------------------------------------- | ----------------------- |
# | `developer`   | your name                                | `"Grace Hopper"`        |
# | `email`       | an address you can be reached at         | `"grace@navy.example"`  |
# | `institution` | university, company or "Independent"     | `"Vassar College"`      |
# | `system_name` | a name for your copy of the library      | `"Hopper-TinyTorch"`    |
#
# ### Why a function and not a constant?
# A function is the simplest possible unit that `tito` can export, import and test. You
# will write many far harder functions; this one exists so you see the whole cycle work
# once end to end.
#
# ### Real-world context
# Python packages carry the same information in their metadata (`author`,
# `author_email` in `pyproject.toml`), and `pip show numpy` prints it.

# %% nbgrader={"grade": false, "grade_id": "personal-info", "locked": false, "schema_version": 3, "solution": true}
#| export
def personal_info():
    """
    Describe who built this copy of TinyTorch.

    TODO: Return a dictionary with your own details.

    STEP-BY-STEP IMPLEMENTATION:
    1. Create a dictionary with exactly these keys:
       'developer', 'email', 'institution', 'system_name'
    2. Fill every value with a non-empty string about YOU (not example text)
    3. Make sure the email looks like an address: something@domain.tld
    4. Return the dictionary

    EXAMPLE USAGE:
    ```python
    info = personal_info()
    print(info['developer'])    # e.g. Grace Hopper
    print(info['system_name'])  # e.g. Hopper-TinyTorch
    ```

    IMPLEMENTATION HINTS:
    - A dict literal {'key': 'value', ...} is all you need
    - If you are not at an institution, "Independent" is a fine answer
    - The tests reject template text such as "Your Name" — use real values
    """
    ### BEGIN SOLUTION
    return {
        "developer": "Ada Lovelace",
        "email": "ada@example.edu",
        "institution": "Analytical Engine Institute",
        "system_name": "Lovelace-TinyTorch",
    }
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Personal Information
#
# The two cells below check that the dictionary is complete and that its values look
# real. Run them after filling in `personal_info()`.

# %% nbgrader={"grade": true, "grade_id": "test-personal-info-complete", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_personal_info_complete():
    """personal_info() returns a dict with the four required keys, all non-empty strings."""
    print("🔬 Unit Test: Personal Information (complete)...")
    info = personal_info()

    assert isinstance(info, dict), f"personal_info() should return a dict, got {type(info).__name__}"
    required = {"developer", "email", "institution", "system_name"}
    missing = required - set(info)
    assert not missing, f"personal_info() is missing the keys {sorted(missing)}"
    for key in sorted(required):
        value = info[key]
        assert isinstance(value, str), f"info['{key}'] should be a string, got {type(value).__name__}"
        assert value.strip(), f"info['{key}'] should not be empty"

    print("✅ personal_info() has all four keys with non-empty strings")

test_personal_info_complete()

# %% nbgrader={"grade": true, "grade_id": "test-personal-info-valid", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_personal_info_valid():
    """The email looks like an address and no value is left as template text."""
    print("🔬 Unit Test: Personal Information (valid values)...")
    import re

    info = personal_info()

    email = info["email"]
    assert "@" in email, f"email should contain '@', got {email!r}"
    local, _, domain = email.partition("@")
    assert local, f"email needs a name before the '@', got {email!r}"
    assert "." in domain, f"email needs a domain with a dot after the '@' (like example.edu), got {email!r}"
    assert not domain.startswith(".") and not domain.endswith("."), f"email domain looks malformed: {email!r}"
    assert " " not in email, f"email should not contain spaces, got {email!r}"

    placeholder = re.compile(r"\byour\b|\btodo\b|placeholder|\bxxx\b|\bname here\b", re.IGNORECASE)
    for key, value in info.items():
        assert not placeholder.search(value), (
            f"info['{key}'] = {value!r} looks like template text; put your own details there"
        )

    print(f"✅ Email {email!r} looks valid")
    print("✅ No template text left in personal_info()")

test_personal_info_valid()

# %% [markdown]
# ## Step 2: System Information
#
# ### What is it?
# A dictionary describing the machine TinyTorch runs on:
#
# | key              | where it comes from     | example     |
# | ---------------- | ----------------------- | ----------- |
# | `python_version` | `sys.version_info`      | `"3.11.7"`  |
# | `platform`       | `platform.system()`     | `"Linux"`   |
# | `machine`        | `platform.machine()`    | `"x86_64"`  |
# | `numpy_version`  | `np.__version__`        | `"2.1.3"`   |
#
# ### Why it matters
# Numerical results depend on the environment. The default integer type, how BLAS
# parallelises a matrix multiply, even which floating-point instructions the CPU uses
# can differ between machines. When two people get different numbers from the same
# code, comparing these four values is the first debugging step.
#
# ### Real-world context
# - **PyTorch**: `python -m torch.utils.collect_env` prints this and much more
# - **numpy**: `np.show_config()` and `np.show_runtime()` describe the numerical backend
# - **Experiment trackers** (Weights & Biases, MLflow) log the environment with every run

# %% nbgrader={"grade": false, "grade_id": "system-info", "locked": false, "schema_version": 3, "solution": true}
#| export
def system_info():
    """
    Describe the environment TinyTorch is running in.

    TODO: Return a dictionary describing Python, the OS, the CPU and numpy.

    STEP-BY-STEP IMPLEMENTATION:
    1. Build the Python version string "major.minor.micro" (e.g. "3.11.7")
    2. Ask the platform module for the operating system name (e.g. "Linux")
    3. Ask the platform module for the machine / CPU architecture (e.g. "x86_64")
    4. Read numpy's version string
    5. Return them under the keys 'python_version', 'platform', 'machine', 'numpy_version'

    EXAMPLE USAGE:
    ```python
    info = system_info()
    print(info['python_version'])  # 3.11.7
    print(info['platform'])        # Linux, Darwin or Windows
    ```

    IMPLEMENTATION HINTS:
    - sys.version_info has the fields major, minor and micro
    - An f-string joins them neatly
    - platform.system() and platform.machine() each return a string
    - Every module that follows the convention has a __version__ attribute
    """
    ### BEGIN SOLUTION
    version = sys.version_info
    return {
        "python_version": f"{version.major}.{version.minor}.{version.micro}",
        "platform": platform.system(),
        "machine": platform.machine(),
        "numpy_version": np.__version__,
    }
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your System Information

# %% nbgrader={"grade": true, "grade_id": "test-system-info", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_system_info():
    """system_info() reports the interpreter, OS, CPU and numpy actually in use."""
    print("🔬 Unit Test: System Information...")
    import platform as platform_module
    import sys as sys_module

    import numpy

    info = system_info()
    assert isinstance(info, dict), f"system_info() should return a dict, got {type(info).__name__}"
    required = {"python_version", "platform", "machine", "numpy_version"}
    missing = required - set(info)
    assert not missing, f"system_info() is missing the keys {sorted(missing)}"

    v = sys_module.version_info
    expected_python = f"{v.major}.{v.minor}.{v.micro}"
    assert info["python_version"] == expected_python, (
        f"python_version should be {expected_python!r} (major.minor.micro), got {info['python_version']!r}"
    )
    assert info["platform"] == platform_module.system(), (
        f"platform should be {platform_module.system()!r}, got {info['platform']!r}"
    )
    assert info["machine"] == platform_module.machine(), (
        f"machine should be {platform_module.machine()!r}, got {info['machine']!r}"
    )
    assert info["numpy_version"] == numpy.__version__, (
        f"numpy_version should be {numpy.__version__!r}, got {info['numpy_version']!r}"
    )

    print(f"✅ Python {info['python_version']} on {info['platform']} ({info['machine']})")
    print(f"✅ numpy {info['numpy_version']}")

test_system_info()

# %% [markdown]
# ## 🧪 Module Testing
#
# Time to test your whole module at once. The cell below finds every `test_*` function
# in this notebook, runs each one and prints a summary.
#
# **This testing section is locked** — it gives the same feedback in every module and
# cannot be modified.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
# =============================================================================
# STANDARDIZED MODULE TESTING - DO NOT MODIFY
# This cell is locked to ensure consistent testing across all TinyTorch modules
# =============================================================================
from tito.tools.testing import run_module_tests_auto

success = run_module_tests_auto("Setup")

# %% [markdown]
# ## 🎯 Module Summary: Setup Complete!
#
# You have walked through the full TinyTorch workflow once:
#
# ### ✅ What you built
# - **`personal_info()`**: who built this copy of the library
# - **`system_info()`**: the Python, OS, CPU and numpy it runs on
#
# ### ✅ What you practised
# - **Implementing** code between the `TODO` markers
# - **Testing** with the cell right after each step, and with the module test cell
# - **Exporting**: `tito export setup` turned your `#| export` cells into
#   `tinytorch/core/setup.py`, so `from tinytorch.core.setup import system_info` now works
#
# ### 🚀 What's next
# **Next module: Tensor.** You will build the `Tensor` class — the n-dimensional array
# every other part of TinyTorch is made of — with arithmetic, broadcasting, matrix
# multiplication, reductions and reshaping. Everything from layers to autograd is built on it.
