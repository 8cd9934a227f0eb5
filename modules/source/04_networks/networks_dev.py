# %% [markdown]
# # Networks
#
# You have layers (`Dense`) and activations (`ReLU`, `Sigmoid`, `Tanh`, `Softmax`). A
# **network** is what you get when you chain them: the output of each step is the input of
# the next. In this module you build the container that does the chaining, `Sequential`,
# and a one-line constructor for the most common network of all, the **multi-layer
# perceptron** (MLP).
#
# ### What you will build
# - **`Sequential(layers)`**: runs a list of layers in order and collects all their
#   trainable parameters
# - **`create_mlp(...)`**: `Dense → activation → Dense → activation → ... → Dense`, with
#   reproducible weights from one seed
# - and you will hand-wire a tiny network that computes **XOR**, the function no linear
#   model can learn

# %% nbgrader={"grade": false, "grade_id": "networks-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.networks
#| export
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Dense

# %% nbgrader={"grade": false, "grade_id": "networks-test-imports", "locked": true, "schema_version": 3, "solution": false}
# Used by this notebook's tests and examples (not part of the exported module)
import numpy as np

from tinytorch.core.activations import Sigmoid, Softmax, Tanh
from tinytorch.core.layers import Parameter
from tinytorch.core.tensor import Tensor

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# - **Learning Side:** You work in `modules/source/04_networks/networks_dev.py`
# - **Building Side:** Code exports to `tinytorch.core.networks`
#
# ```python
# # Final package structure:
# from tinytorch.core.networks import Sequential, create_mlp
# from tinytorch.core.layers import Dense
# from tinytorch.core.activations import ReLU, Softmax
#
# model = create_mlp(784, [128, 64], 10, output_activation=Softmax, seed=0)
# probs = model(images)          # (batch, 10), each row sums to 1
# ```
#
# **Why this matters:**
# - **Learning:** a model is just layers composed in order, plus the list of everything
#   that can be trained
# - **Production:** mirrors `torch.nn.Sequential` and the MLP blocks found in nearly every
#   architecture
# - **Consistency:** the training loop (module 09) needs exactly two things from a model:
#   call it on a batch, and ask it for `parameters()`

# %% [markdown]
# ## Step 1: Sequential — Function Composition
#
# ### What is it?
# A network is a composition of functions:
#
# ```
# network(x) = f_n( ... f_2( f_1(x) ) ... )
#
# x ──▶ Dense(784→128) ──▶ ReLU ──▶ Dense(128→10) ──▶ Softmax ──▶ probabilities
#      (32, 784)         (32, 128)  (32, 128)         (32, 10)      (32, 10)
# ```
#
# `Sequential` stores the list of steps and applies them left to right. Anything callable
# can be a step: a `Dense`, an activation, even a plain function such as
# `lambda x: x * 2`. That uniform interface — *every layer is a callable from tensor to
# tensor* — is what makes networks composable: a `Sequential` is itself a callable, so it
# can be a step inside another `Sequential`.
#
# ### Collecting parameters
# Training updates every trainable value of the model, so the model must be able to list
# them. `Sequential.parameters()` asks each step for its `parameters()` and concatenates
# the lists **in order**:
#
# ```
# Sequential([Dense(4, 8), ReLU(), Dense(8, 2)]).parameters()
#   -> [W1 (4, 8), b1 (8,),  W2 (8, 2), b2 (2,)]
#        Dense #1             ReLU: none   Dense #2
# ```
#
# A step without a `parameters` method (a plain function) simply contributes nothing. The
# order matters: optimizers keep per-parameter state (momentum, Adam's averages) and
# checkpoints save parameters by position, so the same model must always list them in
# the same order.
#
# ### In PyTorch
# `torch.nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))`, and
# `model.parameters()` walks the layers in the same way.

# %% nbgrader={"grade": false, "grade_id": "sequential-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Sequential:
    """
    A network that applies its layers in order: Sequential([l1, l2, l3])(x) == l3(l2(l1(x))).

    `layers` is a list of callables (Dense layers, activations, functions, other
    Sequentials). parameters() lists every layer's parameters, in order.
    """

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x):
        """
        Run x through every layer, first to last.

        TODO: Apply each layer to the output of the previous one and return the result.

        STEP-BY-STEP IMPLEMENTATION:
        1. Start with the input x
        2. For each layer in self.layers, in order, replace the current value by
           layer(current value)
        3. Return the final value (with no layers, that is x itself)

        EXAMPLE USAGE:
        ```python
        net = Sequential([Dense(3, 4), ReLU(), Dense(4, 2)])
        net.forward(Tensor(np.ones((5, 3)))).shape   # (5, 2)
        Sequential([lambda t: t * 2])(Tensor([1.0]))  # Tensor([2.0])
        ```

        IMPLEMENTATION HINTS:
        - Every layer is callable: write layer(x), not layer.forward(x), so that plain
          functions work too
        """
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer(x)
        return x
        ### END SOLUTION

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """
        Every trainable parameter of every layer, in layer order.

        TODO: Concatenate the parameters() lists of all layers that have one.

        STEP-BY-STEP IMPLEMENTATION:
        1. Start with an empty list
        2. For each layer, if it has a parameters method, add everything it returns
           to the list (layers without one contribute nothing)
        3. Return the list

        EXAMPLE USAGE:
        ```python
        net = Sequential([Dense(4, 8), ReLU(), Dense(8, 2)])
        [p.shape for p in net.parameters()]   # [(4, 8), (8,), (8, 2), (2,)]
        ```

        IMPLEMENTATION HINTS:
        - getattr(obj, "name", None) returns None instead of raising when obj has no
          attribute of that name
        - list.extend adds all items of another list
        - Keep the parameter objects themselves (no copies): optimizers update them
        """
        ### BEGIN SOLUTION
        params = []
        for layer in self.layers:
            layer_parameters = getattr(layer, "parameters", None)
            if callable(layer_parameters):
                params.extend(layer_parameters())
        return params
        ### END SOLUTION

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def __repr__(self):
        inner = ",\n".join(f"  {layer!r}" for layer in self.layers)
        return f"Sequential([\n{inner}\n])" if self.layers else "Sequential([])"

# %% [markdown]
# ### 🧪 Test Your Sequential

# %% nbgrader={"grade": true, "grade_id": "test-sequential", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_sequential():
    """Layers run in order, dtypes and inputs are kept, nested Sequentials work, parameters are collected in order."""
    print("🔬 Unit Test: Sequential...")

    double_then_add = Sequential([lambda t: t * 2, lambda t: t + 1])
    got = np.asarray(double_then_add(Tensor([1.0, 2.0])).data)
    assert np.array_equal(got, [3.0, 5.0]), f"(x * 2) + 1 on [1, 2] should be [3, 5] (order matters!), got {got.tolist()}"
    add_then_double = Sequential([lambda t: t + 1, lambda t: t * 2])
    got = np.asarray(add_then_double.forward(Tensor([1.0, 2.0])).data)
    assert np.array_equal(got, [4.0, 6.0]), f"(x + 1) * 2 on [1, 2] should be [4, 6], got {got.tolist()}"
    three = Sequential([lambda t: t * 2, lambda t: t + 1, lambda t: t * t])
    got = np.asarray(three(Tensor([1.0, -2.0])).data)
    assert np.array_equal(got, [9.0, 9.0]), f"((x * 2) + 1)² on [1, -2] should be [9, 9]: every layer runs once, in order; got {got.tolist()}"
    empty = Tensor([7.0])
    assert Sequential([])(empty) is empty, "a Sequential with no layers should return its input unchanged"

    first, second = Dense(3, 4, seed=0), Dense(4, 2, seed=1)
    net = Sequential([first, ReLU(), second])
    assert net.layers == [first, net.layers[1], second] and len(net) == 3, "net.layers should be the list of layers given"
    x = np.random.default_rng(0).standard_normal((5, 3))
    w1, b1 = np.asarray(first.weights.data), np.asarray(first.bias.data)
    w2, b2 = np.asarray(second.weights.data), np.asarray(second.bias.data)
    want = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    got = np.asarray(net(Tensor(x)).data)
    assert got.shape == (5, 2), f"a (5, 3) batch through 3 -> 4 -> 2 should give (5, 2), got {got.shape}"
    assert np.allclose(got, want, rtol=1e-5, atol=1e-6), f"Sequential should compute Dense -> ReLU -> Dense, differs by {np.max(np.abs(got - want)):.3g}"

    # float32 stays float32, float64 stays float64, and the input batch is never changed
    for dtype in (np.float32, np.float64):
        batch = x.astype(dtype)
        before = batch.copy()
        got = np.asarray(net(Tensor(batch)).data)
        assert got.dtype == dtype, f"a {np.dtype(dtype).name} batch through the network should give {np.dtype(dtype).name}, got {got.dtype}"
        assert np.allclose(got, want, rtol=1e-4, atol=1e-5), f"the {np.dtype(dtype).name} batch gave wrong values"
        assert np.array_equal(batch, before), "Sequential must not change its input"

    params = net.parameters()
    assert isinstance(params, list) and len(params) == 4, f"Dense, ReLU, Dense should have 4 parameters, got {len(params)}"
    assert [p is q for p, q in zip(params, [first.weights, first.bias, second.weights, second.bias])] == [True] * 4, (
        "parameters() should be [W1, b1, W2, b2]: the layers' own objects, in layer order")
    assert Sequential([ReLU(), lambda t: t]).parameters() == [], "layers without parameters contribute none"

    # Layers of the same shape: none may be lost, merged or reordered
    same = [Dense(4, 4, seed=s) for s in (0, 1, 2)]
    stack = Sequential([same[0], Tanh(), same[1], lambda t: t, same[2]])
    params = stack.parameters()
    expected = [p for layer in same for p in (layer.weights, layer.bias)]
    assert len(params) == 6, f"three Dense(4, 4) layers have 6 parameters, got {len(params)}"
    assert [p is q for p, q in zip(params, expected)] == [True] * 6, "parameters() should list W1, b1, W2, b2, W3, b3 of the three same-shape layers, each its own object, in order"
    h = np.random.default_rng(1).standard_normal((2, 4))
    a = [(np.asarray(d.weights.data), np.asarray(d.bias.data)) for d in same]
    want = np.tanh(h @ a[0][0] + a[0][1]) @ a[1][0] + a[1][1]
    want = want @ a[2][0] + a[2][1]
    got = np.asarray(stack(Tensor(h)).data)
    assert np.allclose(got, want, rtol=1e-5, atol=1e-6), "Dense -> Tanh -> Dense -> identity -> Dense should run in the order given"

    outer = Sequential([net, Sigmoid()])
    got = np.asarray(outer(Tensor(x)).data)
    want = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    assert np.allclose(got, 1 / (1 + np.exp(-want)), rtol=1e-5), "a Sequential inside a Sequential should work like any layer"
    assert len(outer.parameters()) == 4, f"the nested Sequential's 4 parameters should be found, got {len(outer.parameters())}"

    print("✅ layers run in order, including plain functions and nested Sequentials")
    print("✅ float32 and float64 kept, input unchanged")
    print("✅ parameters() collects every layer's parameters in order")

test_sequential()

# %% [markdown]
# ## Step 2: Why Depth Needs Nonlinearity — XOR by Hand
#
# XOR is the classic function that separated "perceptrons" from "neural networks" (Minsky
# and Papert's 1969 critique of single-layer perceptrons rests on it):
#
# ```
# x1 x2 │ XOR          x2
# ──────┼────           1 │ 1     0        no single straight line separates
#  0  0 │  0              │                the 1s from the 0s
#  0  1 │  1            0 │ 0     1
#  1  0 │  1              └──────── x1
#  1  1 │  0                0     1
# ```
#
# The best any linear model `w1·x1 + w2·x2 + b` can do (least squares) is to predict 0.5
# for all four points. One hidden layer with ReLU solves it exactly. With two hidden units
#
# ```
# h1 = ReLU(x1 + x2)          counts the ones
# h2 = ReLU(x1 + x2 - 1)      fires only when both are 1
# y  = h1 - 2·h2              (0,0) → 0   (0,1) → 1   (1,0) → 1   (1,1) → 2 - 2 = 0
# ```
#
# In matrix form that is `Dense(2, 2)` with `W1 = [[1, 1], [1, 1]]`, `b1 = [0, -1]`, then
# `ReLU`, then `Dense(2, 1)` with `W2 = [[1], [-2]]`, `b2 = [0]`. The test below builds
# exactly this network with your `Sequential`, setting the weights by hand with
# `Parameter`. In module 09 a network of this shape will *learn* such weights by itself.

# %% nbgrader={"grade": true, "grade_id": "test-xor", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_xor_network():
    """A hand-wired Dense -> ReLU -> Dense network computes XOR; no linear model can."""
    print("🔬 Unit Test: XOR With a Hidden Layer...")
    inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    targets = np.array([0.0, 1.0, 1.0, 0.0])

    # The best linear fit: least squares on [x1, x2, 1]
    design = np.hstack([inputs, np.ones((4, 1))])
    coefficients, *_ = np.linalg.lstsq(design, targets, rcond=None)
    linear = design @ coefficients
    print(f"   best linear model predicts {np.round(linear, 3).tolist()}")
    assert np.allclose(linear, 0.5), "sanity check: the best linear model predicts 0.5 everywhere"

    hidden, output = Dense(2, 2), Dense(2, 1)
    hidden.weights = Parameter(np.array([[1.0, 1.0], [1.0, 1.0]], dtype=np.float32))
    hidden.bias = Parameter(np.array([0.0, -1.0], dtype=np.float32))
    output.weights = Parameter(np.array([[1.0], [-2.0]], dtype=np.float32))
    output.bias = Parameter(np.array([0.0], dtype=np.float32))
    xor = Sequential([hidden, ReLU(), output])

    got = np.asarray(xor(Tensor(inputs)).data)
    print(f"   the ReLU network predicts  {got.ravel().tolist()}")
    assert got.shape == (4, 1), f"4 examples through 2 -> 2 -> 1 should give shape (4, 1), got {got.shape}"
    assert np.allclose(got.ravel(), targets), f"the network should compute XOR = [0, 1, 1, 0], got {got.ravel().tolist()}"

    no_relu = Sequential([hidden, output])
    got = np.asarray(no_relu(Tensor(inputs)).data).ravel()
    assert not np.allclose(got, targets), "without ReLU the same weights are a linear model and cannot compute XOR"
    print(f"   without the ReLU it gives  {got.tolist()}")

    print("✅ one hidden ReLU layer computes XOR exactly")

test_xor_network()

# %% [markdown]
# ## Step 3: `create_mlp` — Networks From a Description
#
# ### What is an MLP?
# A multi-layer perceptron alternates dense layers and activations:
#
# ```
# create_mlp(784, [128, 64], 10, activation=ReLU, output_activation=Softmax)
#
#   Dense(784→128) → ReLU → Dense(128→64) → ReLU → Dense(64→10) → Softmax
#   └──── hidden layer 1 ──┘ └─── hidden layer 2 ──┘ └── output layer ──┘
# ```
#
# - the sizes `[784, 128, 64, 10]` give one `Dense` per consecutive pair;
# - `activation()` goes **between** Dense layers — never after the last one, because the
#   output layer's scores (*logits*) should be free to take any value;
# - `output_activation()`, if given, goes at the very end: `Softmax` for class
#   probabilities, `Sigmoid` for a yes/no probability, nothing for regression or when the
#   loss works on logits (as a good cross-entropy does, module 09).
#
# `activation` and `output_activation` are **classes**, not instances: `create_mlp`
# calls them to make a fresh object for every position. That is PyTorch's convention too
# (`activation=nn.ReLU`), and it matters as soon as an activation has state or
# parameters (PReLU, for example, learns its slope per layer).
#
# ### Reproducible networks from one seed
# Every `Dense` draws its own weights. Seeding them all with the same number would make
# layers of the same shape identical, so Dense number i (counting from 0) gets
# `seed + i`. One seed then fixes the whole network, which is what makes an experiment
# repeatable (and what the training module's tests rely on). With `seed=None`, every
# layer gets fresh random weights. Either way each position gets a **new** `Dense`: two
# layers of the same shape must never share a weight array, or a training step on one
# would silently move the other.
#
# ### How big is it?
# Each `Dense(n_in, n_out)` has `n_in·n_out + n_out` parameters. For 784 → 128 → 64 → 10:
# 100,480 + 8,256 + 650 = 109,386 numbers, 427 KiB in float32. A test below counts them.

# %% nbgrader={"grade": false, "grade_id": "create-mlp", "locked": false, "schema_version": 3, "solution": true}
#| export
def create_mlp(input_size, hidden_sizes, output_size, activation=ReLU, output_activation=None,
               weight_init=None, seed=None):
    """
    A multi-layer perceptron: Dense layers with activation() between them.

    weight_init is passed to every Dense; None picks "he" when activation is ReLU
    (module 03: He keeps ReLU signals from shrinking) and "xavier" otherwise.

    TODO: Build Sequential([Dense, activation(), Dense, activation(), ..., Dense,
    (output_activation())]).

    STEP-BY-STEP IMPLEMENTATION:
    1. List all sizes: [input_size, *hidden_sizes, output_size]
    2. Choose the initialisation: weight_init if given, else "he" for ReLU, "xavier" otherwise
    3. For each consecutive pair (n_in, n_out), number i = 0, 1, 2, ...:
       a. add Dense(n_in, n_out, weight_init=..., seed=seed + i), or seed=None when seed is None
       b. if this is not the last Dense, add a fresh activation()
    4. If output_activation is given, add output_activation() at the end
    5. Return a Sequential of these layers

    EXAMPLE USAGE:
    ```python
    mlp = create_mlp(4, [8, 6], 3, seed=0)
    mlp.layers   # [Dense(4 -> 8), ReLU(), Dense(8 -> 6), ReLU(), Dense(6 -> 3)]
    create_mlp(2, [], 1).layers                          # [Dense(2 -> 1)]
    create_mlp(4, [8], 3, output_activation=Softmax)     # ends with Softmax(axis=-1)
    ```

    IMPLEMENTATION HINTS:
    - zip(sizes[:-1], sizes[1:]) pairs each size with the next
    - enumerate gives you the index i along with each pair
    - activation is a class: activation() makes a new instance
    - `activation is ReLU` tells you whether the activation is ReLU
    """
    ### BEGIN SOLUTION
    init = weight_init or ("he" if activation is ReLU else "xavier")
    sizes = [input_size, *hidden_sizes, output_size]
    pairs = list(zip(sizes[:-1], sizes[1:]))
    layers = []
    for i, (n_in, n_out) in enumerate(pairs):
        layers.append(Dense(n_in, n_out, weight_init=init, seed=None if seed is None else seed + i))
        if i < len(pairs) - 1:
            layers.append(activation())
    if output_activation is not None:
        layers.append(output_activation())
    return Sequential(layers)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your `create_mlp`

# %% nbgrader={"grade": true, "grade_id": "test-create-mlp", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_create_mlp():
    """Structure, activations, output activation, seeding, no shared weights, parameter count, dtypes."""
    print("🔬 Unit Test: create_mlp...")

    def dense_layers(net):
        return [layer for layer in net.layers if isinstance(layer, Dense)]

    def run(net, x):
        """The network's layers applied in order (computed here, so this test grades create_mlp alone)."""
        for layer in net.layers:
            x = layer(x)
        return x

    mlp = create_mlp(4, [8, 6], 3, seed=0)
    kinds = [type(layer).__name__ for layer in mlp.layers]
    assert isinstance(mlp, Sequential), f"create_mlp should return a Sequential, got {type(mlp).__name__}"
    assert kinds == ["Dense", "ReLU", "Dense", "ReLU", "Dense"], f"create_mlp(4, [8, 6], 3) should be Dense, ReLU, Dense, ReLU, Dense, got {kinds}"
    sizes = [(layer.input_size, layer.output_size) for layer in dense_layers(mlp)]
    assert sizes == [(4, 8), (8, 6), (6, 3)], f"the Dense layers should be 4->8, 8->6, 6->3, got {sizes}"
    assert mlp.layers[1] is not mlp.layers[3], "each position should get its own activation() instance"
    for i, layer in enumerate(dense_layers(mlp)):
        want = np.asarray(Dense(layer.input_size, layer.output_size, weight_init="he", seed=i).weights.data)
        assert np.array_equal(np.asarray(layer.weights.data), want), (
            f"Dense number {i} should use He initialisation (the activation is ReLU) with seed + {i} = {i}")

    again = create_mlp(4, [8, 6], 3, seed=0)
    assert all(np.array_equal(np.asarray(p.weights.data), np.asarray(q.weights.data)) for p, q in zip(dense_layers(mlp), dense_layers(again))), (
        "the same seed should give the same network")
    other = create_mlp(4, [8, 6], 3, seed=5)
    assert not np.array_equal(np.asarray(mlp.layers[0].weights.data), np.asarray(other.layers[0].weights.data)), "another seed should give other weights"
    unseeded = [create_mlp(4, [8], 3) for _ in range(2)]
    assert not np.array_equal(np.asarray(unseeded[0].layers[0].weights.data), np.asarray(unseeded[1].layers[0].weights.data)), "with seed=None every network should get fresh random weights"

    # Four Dense layers, none square, hidden sizes given as a tuple, seed 3
    deep = create_mlp(5, (7, 3, 4), 2, seed=3)
    kinds = [type(layer).__name__ for layer in deep.layers]
    assert kinds == ["Dense", "ReLU", "Dense", "ReLU", "Dense", "ReLU", "Dense"], f"create_mlp(5, (7, 3, 4), 2) should be 4 Dense layers with ReLU between them (none after the last), got {kinds}"
    sizes = [(layer.input_size, layer.output_size) for layer in dense_layers(deep)]
    assert sizes == [(5, 7), (7, 3), (3, 4), (4, 2)], f"the Dense layers should be 5->7, 7->3, 3->4, 4->2, got {sizes}"
    for i, layer in enumerate(dense_layers(deep)):
        want = np.asarray(Dense(layer.input_size, layer.output_size, weight_init="he", seed=3 + i).weights.data)
        assert np.array_equal(np.asarray(layer.weights.data), want), f"Dense number {i} should be seeded with seed + i = {3 + i}"
    for dtype in (np.float32, np.float64):
        x = np.random.default_rng(2).standard_normal((6, 5)).astype(dtype)
        before = x.copy()
        h = x.astype(np.float64)
        for i, layer in enumerate(dense_layers(deep)):
            h = h @ np.asarray(layer.weights.data) + np.asarray(layer.bias.data)
            if i < 3:
                h = np.maximum(h, 0)
        got = np.asarray(run(deep, Tensor(x)).data)
        assert got.shape == (6, 2), f"a (6, 5) batch should give (6, 2), got {got.shape}"
        assert got.dtype == dtype, f"a {np.dtype(dtype).name} batch through the MLP should give {np.dtype(dtype).name}, got {got.dtype}"
        assert np.allclose(got, h, rtol=1e-4, atol=1e-5), f"the MLP should compute Dense, ReLU, Dense, ReLU, Dense, ReLU, Dense; differs by {np.max(np.abs(got - h)):.3g}"
        assert np.array_equal(x, before), "the MLP must not change its input"

    # Several layers of the same shape: each has its own weights and bias
    square = create_mlp(4, [4, 4], 4, activation=Tanh, seed=0)
    layers = dense_layers(square)
    assert len(layers) == 3 and len({id(layer) for layer in layers}) == 3, "create_mlp(4, [4, 4], 4) should create three distinct Dense(4, 4) layers"
    for i in range(3):
        for j in range(i + 1, 3):
            for name in ("weights", "bias"):
                a, b = np.asarray(getattr(layers[i], name).data), np.asarray(getattr(layers[j], name).data)
                assert not np.shares_memory(a, b), f"Dense layers {i} and {j} must not share their {name}"
            assert not np.array_equal(np.asarray(layers[i].weights.data), np.asarray(layers[j].weights.data)), f"Dense layers {i} and {j} have the same shape but must get different weights (seed + i)"
    assert square.layers[1] is not square.layers[3], "each Tanh position should be its own instance"

    tanh_net = create_mlp(3, [5], 2, activation=Tanh, output_activation=Softmax, seed=1)
    want = np.asarray(Dense(3, 5, weight_init="xavier", seed=1).weights.data)
    assert np.array_equal(np.asarray(tanh_net.layers[0].weights.data), want), "with Tanh, the default is Xavier"
    forced = create_mlp(3, [5, 4], 2, weight_init="xavier", seed=1)
    for i, layer in enumerate(dense_layers(forced)):
        want = np.asarray(Dense(layer.input_size, layer.output_size, weight_init="xavier", seed=1 + i).weights.data)
        assert np.array_equal(np.asarray(layer.weights.data), want), f"weight_init='xavier' should be used by every Dense layer, not by Dense number {i}"
    kinds = [type(layer).__name__ for layer in tanh_net.layers]
    assert kinds == ["Dense", "Tanh", "Dense", "Softmax"], f"activation=Tanh, output_activation=Softmax should give Dense, Tanh, Dense, Softmax, got {kinds}"
    probs = np.asarray(run(tanh_net, Tensor(np.random.default_rng(0).standard_normal((7, 3)))).data)
    assert probs.shape == (7, 2) and np.allclose(probs.sum(axis=1), 1.0), "a Softmax output layer should give rows that sum to 1"
    kinds = [type(layer).__name__ for layer in create_mlp(3, [4, 4], 1, output_activation=Sigmoid).layers]
    assert kinds == ["Dense", "ReLU", "Dense", "ReLU", "Dense", "Sigmoid"], f"output_activation=Sigmoid should follow the last Dense directly, got {kinds}"

    linear = create_mlp(2, [], 1, seed=0)
    assert [type(layer).__name__ for layer in linear.layers] == ["Dense"], "no hidden sizes should give a single Dense layer"

    big = create_mlp(784, [128, 64], 10, seed=0)
    params = [p for layer in dense_layers(big) for p in layer.parameters()]
    count = sum(np.asarray(p.data).size for p in params)
    assert len(params) == 6, f"three Dense layers have 6 parameters (W and b each), got {len(params)}"
    assert count == 109_386, f"784 -> 128 -> 64 -> 10 has 109,386 parameters, got {count:,}"
    out = np.asarray(run(big, Tensor(np.zeros((32, 784), dtype=np.float32))).data)
    assert out.shape == (32, 10), f"a (32, 784) batch should give (32, 10), got {out.shape}"
    print(f"   784 -> 128 -> 64 -> 10: {count:,} parameters, {count * 4 / 1024:.0f} KiB in float32")

    try:
        from tinytorch.core.autograd import Variable
    except ModuleNotFoundError:
        print("ℹ️  gradient checks skipped: export module 07 (autograd) to run them")
    else:
        out = run(mlp, Tensor(np.ones((2, 4))))
        assert isinstance(out, Variable), f"with autograd exported, the MLP's output should be a Variable, got {type(out).__name__}"
        out.sum().backward()
        for layer in dense_layers(mlp):
            for p in layer.parameters():
                assert p.grad is not None and p.grad.shape == p.shape, "every parameter should receive a gradient of its own shape"
        print("✅ gradients reach every parameter of the MLP")

    print("✅ create_mlp builds Dense/activation stacks from a description, none after the last Dense")
    print("✅ one seed makes the whole network reproducible; same-shape layers share nothing")
    print("✅ float32 and float64 kept through the whole MLP")

test_create_mlp()

# %% [markdown]
# ## 🧪 Module Testing
#
# Time to test your implementation! This section uses TinyTorch's standardized testing
# framework: it finds every `test_*` function in this notebook, runs each one and prints
# a summary.
#
# **This testing section is locked** — it gives the same feedback in every module and
# cannot be modified.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
# =============================================================================
# STANDARDIZED MODULE TESTING - DO NOT MODIFY
# This cell is locked to ensure consistent testing across all TinyTorch modules
# =============================================================================
from tito.tools.testing import run_module_tests_auto

success = run_module_tests_auto("Networks")

# %% [markdown]
# ## 🎯 Module Summary: Networks Built!
#
# ### ✅ What you built
# - **`Sequential`**: applies a list of callables in order and gathers their parameters in
#   a stable order; it is itself a layer, so networks nest
# - **An XOR network by hand**: the proof that one hidden nonlinear layer does what no
#   linear model can
# - **`create_mlp`**: multi-layer perceptrons from a list of sizes, with any hidden
#   activation, an optional output activation, and one seed for the whole network
#
# ### ✅ Key ideas
# - **A model is a composition of functions** plus the list of its trainable values.
# - **Uniform interfaces compose**: because layers, activations and networks are all
#   callables with `parameters()`, any of them can go anywhere.
# - **Parameter order is part of the contract**: optimizers and checkpoints rely on it.
# - **The dtype flows through**: float32 weights and a float32 batch give float32 all the
#   way to the output, because no layer or activation adds a float64 array on the way.
# - **Counting parameters** (`n_in·n_out + n_out` per layer) tells you a model's memory
#   cost before you run it.
#
# ### 🔗 Connection to real ML systems
# - `torch.nn.Sequential` and `model.parameters()` work the same way; PyTorch's MLP blocks
#   (for example the feed-forward block of every Transformer layer) are exactly
#   `Linear → activation → Linear`.
# - Keras' `Sequential` model and JAX/Flax's `nn.Sequential` follow the same design.
#
# ### 🚀 What's next
# Run `tito export networks`. Your networks can already make predictions, but their
# weights are random. Autograd (module 07) computes how the loss changes with each
# parameter — and because every weight was created with `Parameter`, these very networks
# will train without a change once it is exported.
