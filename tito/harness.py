"""The harness: runs one module's cells, in order, inside the sandbox, and reports each cell.

Started by `tito.executor` as `python harness.py` with a JSON spec on stdin. It imports
only the standard library (numpy if present, to guard it); it never imports tito, which is
not visible inside the sandbox. Results go to a pipe as JSON lines, one "start" and one
"end" record per cell, so the parent knows which cell was running if this process dies.

Graded cells are compiled by the harness from the locked source, with every `assert`
rewritten so that its verdict comes from checks on plain data (numbers, strings, real
numpy arrays), never from a student's `__eq__`, `__bool__` or arithmetic. Before and after
each graded cell a guard compares tracing hooks, builtins, numpy and the exception hook
with a snapshot taken before any student code ran. What this does and does not guarantee
is written down in docs/grading.md.
"""

from __future__ import annotations

import ast
import builtins
import faulthandler
import io
import json
import linecache
import operator
import os
import sys
import threading
import time
import traceback
import types

PLACEHOLDER = "\x00tito-check\x00"  # stands for the checker in compiled graded code
NP_COMPARE = ("allclose", "isclose", "array_equal", "array_equiv")
NP_TESTING = ("assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_almost_equal",
              "assert_equal", "assert_array_less", "assert_approx_equal")
CMP_OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
           ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
BIN_OPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv", ast.FloorDiv: "floordiv",
           ast.Mod: "mod", ast.Pow: "pow", ast.MatMult: "matmul", ast.BitAnd: "and_", ast.BitOr: "or_",
           ast.BitXor: "xor", ast.LShift: "lshift", ast.RShift: "rshift"}
UNARY_OPS = {ast.USub: "neg", ast.UAdd: "pos", ast.Invert: "invert"}
PASS_THROUGH_CALLS = ("abs", "float", "int", "round", "bool", "len", "all", "any", "min", "max", "sum")
NP_CHAIN = ("abs", "absolute", "max", "min", "amax", "amin", "sum", "mean", "all", "any", "sqrt", "square", "exp",
            "log", "isnan", "isfinite", "isinf", "round", "sign", "prod", "count_nonzero")
METHOD_CHAIN = ("max", "min", "sum", "mean", "all", "any", "item", "tolist", "prod")


class Tampering(BaseException):
    """Interference with the tests; a BaseException so `except Exception` in student code cannot hide it."""


# --------------------------------------------------------------------------- plain data
class Plain:
    """Which values may decide a test: built-in scalars and containers, numpy's own arrays,
    scalars and dtypes. Anything else might carry a student's `__eq__` or `__bool__`."""

    SCALARS = frozenset({bool, int, float, complex, str, bytes, type(None), type(Ellipsis), range, slice, type})

    def __init__(self, np):
        self.np = np
        self.arrays, self.np_scalars = frozenset(), frozenset()
        if np is not None:
            self.arrays = frozenset({np.ndarray, np.matrix, np.memmap, np.recarray})
            scalars, todo = set(), [np.generic]
            while todo:  # numpy's own scalar types, found before any student code could add one
                cls = todo.pop()
                if cls.__module__ == "numpy":
                    scalars.add(cls)
                todo.extend(cls.__subclasses__())
            dtypes = {type(np.dtype(t)) for t in "?bhilqBHILQefdgFDGSUMmO"} | {np.dtype}
            self.np_scalars = frozenset(scalars | dtypes)

    def __call__(self, value, depth: int = 0) -> bool:
        kind = type(value)
        if kind in self.SCALARS or kind in self.np_scalars:
            return True
        if kind in self.arrays:
            return value.dtype.kind not in "OV"  # object arrays can hold anything
        if depth > 30:
            return False
        if kind in (tuple, list, set, frozenset):
            return all(self(v, depth + 1) for v in value)
        if kind is dict:
            return all(self(k, depth + 1) and self(v, depth + 1) for k, v in value.items())
        return False


def _default_eq(value) -> bool:
    return type(value).__eq__ is object.__eq__ and type(value).__ne__ is object.__ne__


def _default_truth(value) -> bool:
    kind = type(value)
    return all(getattr(kind, name, None) is None for name in ("__bool__", "__len__"))


def describe(value) -> str:
    kind = type(value)
    return f"a {kind.__module__}.{kind.__qualname__} object" if kind.__module__ != "builtins" else f"a {kind.__name__}"


# --------------------------------------------------------------------------- the checker
class Checker:
    """What rewritten graded code calls. It sees only values, and decides with its own copies of
    `operator` and numpy's comparison functions, taken before student code ran."""

    def __init__(self, guard):
        self.guard = guard
        self.plain = guard.plain
        self.ops = {name: getattr(operator, name) for name in
                    ("eq", "ne", "lt", "le", "gt", "ge", "contains", *BIN_OPS.values(), *UNARY_OPS.values())}
        self.np_funcs = guard.np_funcs  # the guard's own: numpy.testing joins it when first imported
        self.builtins = dict(guard.builtins)
        self.reset()

    def reset(self) -> None:
        self.trusted: set[type] = set()
        self.entered: set[str] = set()
        self.finished: dict[str, int] = {}
        self.reached: set[int] = set()

    # markers
    def enter(self, name: str) -> None:
        self.guard.quick()
        self.entered.add(name)

    def leave(self, name: str, line: int = 1 << 30) -> None:
        """The test finished; `line` is the `return` it left by (asserts after it need not run)."""
        self.guard.quick()
        self.finished[name] = max(self.finished.get(name, 0), line)

    def trust(self, cls):
        """A class the graded code itself defines: its instances may take part in checks."""
        if isinstance(cls, type):
            self.trusted.add(cls)
        return cls

    def _trusted(self, value) -> bool:
        return type(value) in self.trusted

    # assert verdicts
    def truth(self, value, ident: int = -1) -> bool:
        self.guard.quick()
        if ident >= 0:
            self.reached.add(ident)
        if self.plain(value):
            return bool(value)
        if _default_truth(value) or self._trusted(value):
            return bool(value)  # no __bool__/__len__: always true, and it cannot say otherwise
        raise Tampering(f"an assert checked the truth of {describe(value)}, which decides that itself")

    def equal(self, left, right, depth: int = 0):
        """`left == right`, decided without running any method of the student's classes: plain
        data compares as usual, containers element by element, other objects by identity
        (which is what `==` means for them unless they define `__eq__`)."""
        if left is right and depth:
            return True
        if self.plain(left) and self.plain(right):
            return self.ops["eq"](left, right)
        if self._trusted(left) or self._trusted(right):
            return self.ops["eq"](left, right)
        for value in (left, right):
            kind = type(value)
            if kind in (list, tuple) or self.plain(value) or _default_eq(value):
                continue
            raise Tampering(f"a test compared {describe(value)}, not plain data (numbers, strings, numpy "
                            "arrays), so its own __eq__ would decide the comparison")
        if type(left) in (list, tuple) and type(right) is type(left):
            return len(left) == len(right) and all(self.truth(self.equal(a, b, depth + 1))
                                                   for a, b in zip(left, right))
        return left is right

    def compare(self, ops: tuple, *values):
        """A comparison (or a chain of them) with Python's own result, decided on plain data."""
        self.guard.quick()
        result = True
        for number, (op, left, right) in enumerate(zip(ops, values, values[1:])):
            result = self.compare_one(op, left, right)
            if number < len(ops) - 1 and not self.truth(result):
                return result
        return result

    def compare_one(self, op: str, left, right):
        if op in ("is", "is not"):
            return (left is right) == (op == "is")
        if op in ("==", "!="):
            if (self.plain(left) and self.plain(right)) or self._trusted(left) or self._trusted(right):
                return self.ops["eq" if op == "==" else "ne"](left, right)
            return self.truth(self.equal(left, right)) == (op == "==")
        if op in ("in", "not in"):
            if self.plain(right) and self.plain(left):
                found = self.ops["contains"](right, left)
            elif type(right) in (list, tuple):
                found = any(self.truth(self.equal(left, item)) for item in right)
            else:
                raise Tampering(f"a test looked for a value in {describe(right)}, whose own code would "
                                "decide whether it is there")
            return found == (op == "in")
        for value in (left, right):
            if not (self.plain(value) or self._trusted(value)):
                raise Tampering(f"a test compared {describe(value)}, not plain data (numbers, strings, "
                                "numpy arrays), so its own code would decide the comparison")
        return {"<": self.ops["lt"], "<=": self.ops["le"], ">": self.ops["gt"], ">=": self.ops["ge"]}[op](left, right)

    def arith(self, op: str, *operands):
        self.guard.quick()
        if not any(self._trusted(v) for v in operands):
            for value in operands:
                if not self.plain(value):
                    raise Tampering(f"a test's assert did arithmetic on {describe(value)}, whose own methods "
                                    "would decide the result")
        return self.ops[op](*operands)

    def npcall(self, func, *args, **kwargs):
        """A call of one of numpy's comparison functions: it must be numpy's own, on real arrays."""
        self.guard.quick()
        name = next((n for n, f in self.np_funcs.items() if f is func), None)
        if name is None:
            label = getattr(func, "__name__", repr(func))
            raise Tampering(f"numpy's {label} was replaced by other code")
        np = self.guard.np
        clean = [self.as_array(v) for v in args]
        kwargs = {k: self.as_array(v) for k, v in kwargs.items()}
        return func(*clean, **kwargs) if np is not None else func(*args, **kwargs)

    def as_array(self, value):
        if self.plain(value):
            return value
        kind = type(value)
        for hook in ("__array_function__", "__array_ufunc__"):
            if getattr(kind, hook, None) is not None:
                raise Tampering(f"a test compared {describe(value)}, which overrides numpy ({hook})")
        array = self.guard.np.asarray(value)
        if not self.plain(array):
            raise Tampering(f"a test compared {describe(value)}, which did not turn into a plain numpy array")
        return array


# --------------------------------------------------------------------------- the guard
class Guard:
    """A snapshot of what graded tests rely on, taken before any student code runs."""

    TRUSTED_MODULES = ("math", "operator", "numpy", "numpy.testing", "numpy.linalg")

    def __init__(self):
        try:
            import numpy
            import numpy.linalg
        except ImportError:
            numpy = None
        self.np = numpy
        self.plain = Plain(numpy)
        self.builtins = dict(vars(builtins))
        self.modules = {}
        for name in self.TRUSTED_MODULES:
            module = sys.modules.get(name)
            if module is not None:
                self.modules[name] = (module, dict(vars(module)))
        self.np_funcs = {}
        if numpy is not None:
            self.np_funcs.update({n: getattr(numpy, n) for n in NP_COMPARE})
            self._watch_import("numpy.testing", self._snapshot_testing)
        import math

        self.np_funcs["isclose_math"] = math.isclose
        self.hooks = {"sys.excepthook": sys.excepthook, "sys.displayhook": sys.displayhook}
        self.events: list[str] = []
        self.locked: dict[str, object] = {}  # names locked cells bound, and to what
        self._block_tracing()

    def _snapshot_testing(self, module) -> None:
        self.modules["numpy.testing"] = (module, dict(vars(module)))
        self.np_funcs.update({n: getattr(module, n) for n in NP_TESTING if hasattr(module, n)})

    def _watch_import(self, name: str, snapshot) -> None:
        """Snapshot a trusted module the moment it is first imported, before the importer (or
        anything else) sees it; importing numpy.testing up front would cost every run 30 ms."""
        if name in sys.modules:
            snapshot(sys.modules[name])
            return
        import importlib.abc
        import importlib.machinery

        class Watch(importlib.abc.MetaPathFinder):
            def find_spec(self, fullname, path, target=None):
                if fullname != name:
                    return None
                spec = importlib.machinery.PathFinder.find_spec(fullname, path)
                if spec is None or spec.loader is None:
                    return spec
                real = spec.loader

                class Loader(importlib.abc.Loader):
                    def create_module(self, spec):
                        return real.create_module(spec)

                    def exec_module(self, module):
                        real.exec_module(module)
                        snapshot(module)
                spec.loader = Loader()
                return spec

        sys.meta_path.insert(0, Watch())

    def _block_tracing(self) -> None:
        """Student code cannot install trace or profile functions: they could skip assert lines.
        The originals are not kept anywhere, so there is nothing to restore them from."""
        events = self.events

        def refuse(name):
            def blocked(*args, **kwargs):
                if args and args[0] is not None:
                    events.append(f"{name} was called")
                raise RuntimeError(f"{name} is disabled while the graded tests run")
            blocked.__name__ = name.rsplit(".", 1)[-1]
            return blocked

        for name in ("settrace", "setprofile"):
            setattr(sys, name, refuse(f"sys.{name}"))
            setattr(threading, name, refuse(f"threading.{name}"))
        self.blocked = {n: getattr(sys, n) for n in ("settrace", "setprofile")}

    def quick(self) -> None:
        if sys.gettrace() is not None or sys.getprofile() is not None:
            raise Tampering("a trace or profile function is installed")

    def problems(self, namespace: dict) -> list[str]:
        found = list(dict.fromkeys(self.events))
        if sys.gettrace() is not None or sys.getprofile() is not None:
            found.append("a trace or profile function is installed")
        if getattr(threading, "_trace_hook", None) is not None or getattr(threading, "_profile_hook", None) is not None:
            found.append("a thread trace or profile hook is installed")
        for name, fn in self.blocked.items():
            if getattr(sys, name) is not fn:
                found.append(f"sys.{name} was replaced")
        current = vars(builtins)
        for name, value in self.builtins.items():
            if current.get(name, value) is not value:
                found.append(f"the builtin {name} was replaced")
        for name, (module, attrs) in self.modules.items():
            if sys.modules.get(name) is not module:
                found.append(f"the module {name} was replaced in sys.modules")
                continue
            now = vars(module)
            changed = [key for key, value in attrs.items() if now.get(key, value) is not value]
            if changed:
                found.append(f"{name}.{changed[0]} was replaced" + (f" (and {len(changed) - 1} more)"
                                                                    if len(changed) > 1 else ""))
        for name, value in self.hooks.items():
            if getattr(sys, name.removeprefix("sys.")) is not value:
                found.append(f"{name} was replaced")
        missing = object()
        for name, value in self.locked.items():
            if namespace.get(name, missing) is not value:
                found.append(f"{name}, which a locked cell defines, was changed by other code")
        if namespace.get("__builtins__", builtins) not in (builtins, vars(builtins)):
            found.append("the notebook's __builtins__ was replaced")
        shell = namespace.get("get_ipython")
        if callable(shell) and getattr(shell, "__tito_shell__", False):
            ip = shell()
            for attr in ("input_transformers_cleanup", "input_transformers_post", "ast_transformers"):
                if getattr(ip, attr):
                    found.append(f"an input transformer was registered (get_ipython().{attr})")
        return found


class StandInShell:
    """`get_ipython()` for notebooks that call it: tito does not run IPython, so transformers
    registered here would never run; registering one is reported as tampering."""

    def __init__(self):
        self.input_transformers_cleanup, self.input_transformers_post, self.ast_transformers = [], [], []
        self.user_ns = {}

    def run_line_magic(self, name, line):
        return None

    def system(self, cmd):
        return None


# --------------------------------------------------------------------------- rewriting graded cells
class Rewrite(ast.NodeTransformer):
    """Asserts decide through the Checker; test functions say when they start and finish."""

    def __init__(self):
        # test function -> [(assert id, unconditional, line)]
        self.asserts: dict[str, list[tuple[int, bool, int]]] = {}
        self.tests: list[str] = []
        self._next = 0
        self._function: str | None = None
        self._depth = 0  # nesting inside if/for/while/try within a test function

    def check(self, attr: str) -> ast.expr:
        return ast.Attribute(value=ast.Constant(PLACEHOLDER), attr=attr, ctx=ast.Load())

    def call(self, attr: str, *args: ast.expr) -> ast.Call:
        return ast.Call(func=self.check(attr), args=list(args), keywords=[])

    # The expression of an assert. Every comparison in it goes through the checker. So does the
    # "chain" that decides its value: truth tests, arithmetic, the builtins and numpy reductions
    # applied to it, and methods like .max() or .item() called on it. Arithmetic elsewhere, such
    # as `(a + b).data`, is the student's own code under test and stays as it is.
    def verdict(self, node: ast.expr, direct: bool = True) -> ast.expr:
        if isinstance(node, ast.Compare):
            ops = ast.Tuple(elts=[ast.Constant(CMP_OPS[type(op)]) for op in node.ops], ctx=ast.Load())
            return self.call("compare", ops, *[self.verdict(v) for v in (node.left, *node.comparators)])
        if direct and isinstance(node, ast.BoolOp):
            return ast.BoolOp(op=node.op, values=[self.call("truth", self.verdict(v)) for v in node.values])
        if direct and isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ast.UnaryOp(op=ast.Not(), operand=self.call("truth", self.verdict(node.operand)))
        if direct and isinstance(node, ast.UnaryOp):
            return self.call("arith", ast.Constant(UNARY_OPS[type(node.op)]), self.verdict(node.operand))
        if direct and isinstance(node, ast.BinOp):
            return self.call("arith", ast.Constant(BIN_OPS[type(node.op)]), self.verdict(node.left),
                             self.verdict(node.right))
        if direct and isinstance(node, ast.IfExp):
            return ast.IfExp(test=self.call("truth", self.verdict(node.test)), body=self.verdict(node.body),
                             orelse=self.verdict(node.orelse))
        if isinstance(node, ast.Call):
            return self.verdict_call(node, direct)
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
            node.elt = self.verdict(node.elt, direct)
            for comp in node.generators:
                comp.iter = self.verdict(comp.iter, False)
                comp.ifs = [self.verdict(test, False) for test in comp.ifs]
            return node
        if isinstance(node, (ast.Lambda, ast.NamedExpr)):
            return node
        for name, value in ast.iter_fields(node):
            if isinstance(value, ast.expr):
                setattr(node, name, self.verdict(value, False))
            elif isinstance(value, list):
                setattr(node, name, [self.verdict(v, False) if isinstance(v, ast.expr) else v for v in value])
        return node

    def verdict_call(self, node: ast.Call, direct: bool) -> ast.expr:
        func = node.func
        chained = direct and (
            (isinstance(func, ast.Name) and func.id in PASS_THROUGH_CALLS)
            or (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in ("np", "numpy") and func.attr in NP_CHAIN))
        node.args = [self.verdict(a, chained) for a in node.args]
        for keyword in node.keywords:
            keyword.value = self.verdict(keyword.value, False)
        if direct and isinstance(func, ast.Attribute) and func.attr in METHOD_CHAIN:
            func.value = self.verdict(func.value, True)
        else:
            node.func = self.verdict(func, False)
        return self.visit_Call(node, visited=True)

    def visit_Assert(self, node: ast.Assert):
        ident = self._next
        self._next += 1
        if self._function:
            self.asserts[self._function].append((ident, self._depth == 0, node.lineno))
        test = self.call("truth", self.verdict(node.test), ast.Constant(ident))
        msg = self.visit(node.msg) if node.msg is not None else None
        raise_ = ast.Raise(exc=ast.Call(func=ast.Name("AssertionError", ast.Load()),
                                        args=[msg] if msg is not None else [], keywords=[]), cause=None)
        new = ast.If(test=ast.UnaryOp(op=ast.Not(), operand=test), body=[raise_], orelse=[])
        return ast.copy_location(new, node)

    def visit_Call(self, node: ast.Call, visited: bool = False):
        if not visited:
            self.generic_visit(node)
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name in NP_COMPARE or name in NP_TESTING or (name == "isclose" and isinstance(func, ast.Attribute)):
            return ast.copy_location(ast.Call(func=self.check("npcall"), args=[func, *node.args],
                                              keywords=node.keywords), node)
        return node

    def visit_ClassDef(self, node: ast.ClassDef):
        saved = self._function
        self._function = None  # asserts in a class body belong to no test function
        self.generic_visit(node)
        self._function = saved
        trust = ast.Expr(self.call("trust", ast.Name(node.name, ast.Load())))
        return [node, ast.copy_location(trust, node)]

    def _nested(self, node):
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1
        return node

    visit_If = visit_For = visit_While = visit_Try = visit_AsyncFor = _nested
    if hasattr(ast, "TryStar"):
        visit_TryStar = _nested

    def visit_FunctionDef(self, node: ast.FunctionDef):
        top_level_test = self._function is None and node.name.startswith("test_") and self._depth == 0
        if not top_level_test:
            saved = self._function, self._depth
            self._function = None if not self._function else self._function
            self.generic_visit(node)
            self._function, self._depth = saved
            return node
        self._function, self._depth = node.name, 0
        self.tests.append(node.name)
        self.asserts[node.name] = []
        self.generic_visit(node)
        self._function = None
        name = ast.Constant(node.name)
        enter = ast.Expr(self.call("enter", name))
        node.body = [enter, *ReturnMarker(self, node.name).visit_body(node.body),
                     ast.Expr(self.call("leave", name))]
        return node


class ReturnMarker(ast.NodeTransformer):
    """`return x` in a test function becomes `__r = x; leave(name); return __r`."""

    def __init__(self, rewrite: Rewrite, name: str):
        self.rewrite, self.name = rewrite, name

    def visit_body(self, body):
        return [self.visit(stmt) for stmt in body]

    def visit_FunctionDef(self, node):
        return node  # returns of nested functions are theirs

    visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = visit_FunctionDef

    def visit_Return(self, node: ast.Return):
        leave = ast.Expr(self.rewrite.call("leave", ast.Constant(self.name), ast.Constant(node.lineno)))
        if node.value is None:
            return [ast.copy_location(leave, node), node]
        keep = ast.Assign(targets=[ast.Name("__tito_return", ast.Store())], value=node.value)
        return [ast.copy_location(keep, node), ast.copy_location(leave, node),
                ast.copy_location(ast.Return(ast.Name("__tito_return", ast.Load())), node)]


def bound_names(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere (assignments, defs, imports, arguments...)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def top_level_names(tree: ast.Module) -> set[str]:
    """The names a cell binds in the notebook's namespace."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.add(sub.id)
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    break
    return names


class TrustedBuiltins(ast.NodeTransformer):
    """Builtins named in locked code are the real ones, not a notebook name that shadows them."""

    SKIP = frozenset({"super"})  # zero-argument super() needs the bare name at compile time

    def __init__(self, tree: ast.AST):
        self.local = bound_names(tree)

    def visit_Name(self, node: ast.Name):
        if (isinstance(node.ctx, ast.Load) and node.id in vars(builtins) and node.id not in self.local
                and node.id not in self.SKIP and not node.id.startswith("__")):
            table = ast.Attribute(value=ast.Constant(PLACEHOLDER), attr="builtins", ctx=ast.Load())
            return ast.copy_location(ast.Subscript(value=table, slice=ast.Constant(node.id), ctx=ast.Load()), node)
        return node


def _bind(code: types.CodeType, checker) -> types.CodeType:
    """Put the checker object itself where the placeholder constant is: no name to rebind."""
    consts = tuple(checker if type(c) is str and c == PLACEHOLDER
                   else _bind(c, checker) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_consts=consts)


def compile_locked(source: str, filename: str, checker, graded: bool):
    """A locked cell, compiled by the harness: its builtins are the real ones and, when graded,
    its asserts go through the checker. Returns (code, rewrite or None, names it binds)."""
    tree = ast.parse(source, filename)
    names = top_level_names(tree)
    builtins_pass = TrustedBuiltins(tree)  # what the cell binds, read before the rewrite adds names
    rewrite = None
    if graded:  # first: the rewrite recognises calls of builtins by their names
        rewrite = Rewrite()
        tree = rewrite.visit(tree)
    tree = ast.fix_missing_locations(builtins_pass.visit(tree))
    return _bind(compile(tree, filename, "exec", dont_inherit=True), checker), rewrite, names


# --------------------------------------------------------------------------- output
class CappedOutput(io.TextIOBase):
    """A cell's stdout/stderr: keeps the first `limit` characters and counts the rest."""

    def __init__(self, limit: int, fileno: int):
        self.limit, self._fileno = limit, fileno
        self.parts: list[str] = []
        self.kept = self.dropped = 0

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fileno

    @property
    def encoding(self) -> str:
        return "utf-8"

    def text(self) -> str:
        body = "".join(self.parts)
        if self.dropped:
            body += f"\n[output cut: {self.dropped:,} more characters were printed than the limit of {self.limit:,}]\n"
        return body


# --------------------------------------------------------------------------- running cells
def _chain(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def blame(exc: BaseException, own: tuple[str, ...]) -> tuple[str, str]:
    """The innermost traceback line in the student's own code (cells or their package)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}", (exc.text or "").strip()
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        if frame.filename.startswith(own):
            return f"{frame.filename}:{frame.lineno}", (frame.line or "").strip()
    if frames:
        return f"{frames[-1].filename}:{frames[-1].lineno}", (frames[-1].line or "").strip()
    return "", ""


def classify(exc: BaseException, own: tuple[str, ...], limits: dict) -> dict:
    where, code = blame(exc, own)
    if isinstance(exc, Tampering):
        status, message = "tampered", f"tampering detected: {exc}"
    elif any(isinstance(e, NotImplementedError) for e in _chain(exc)):
        status, message = "not_implemented", "not implemented yet: fill in the code between the TODO markers"
    elif isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("tinytorch."):
        status = "error"
        message = f"{exc.name} is not exported yet: run `tito export {exc.name.rsplit('.', 1)[-1]}` first"
    elif isinstance(exc, AssertionError):
        status, message = "fail", str(exc) or f"assertion failed: {code}"
    elif isinstance(exc, SystemExit):
        status, message = "error", f"the code called exit({exc.code!r}); tests must not exit the interpreter"
    elif isinstance(exc, MemoryError):
        status, message = "error", f"memory limit: the code needed more than {limits['memory_mb']:g} MB"
    elif isinstance(exc, BlockingIOError) or (isinstance(exc, OSError) and "fork" in str(exc)):
        status, message = "error", f"process limit: the code started more than {limits['processes']} processes"
    else:
        status, message = "error", f"{type(exc).__name__}: {exc}"
    return {"status": status, "message": message, "where": where, "code": code}


def strip_magics(code: str) -> str:
    """Notebook line magics and shell escapes do nothing here (they need IPython)."""
    return "\n".join("pass  # " + line.strip() if line.lstrip().startswith(("%", "!")) else line
                     for line in code.split("\n"))


_LINES: dict[str, list[str]] = {}


def _remember_lines(filename: str, first_line: int, code: str) -> None:
    """Tracebacks show cell lines: cells of one file share one linecache entry."""
    lines = _LINES.setdefault(filename, [])
    new = code.splitlines(True)
    end = first_line - 1 + len(new)
    if len(lines) < end:
        lines.extend(["\n"] * (end - len(lines)))
    lines[first_line - 1:end] = new
    linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)


class Reporter:
    def __init__(self, fd: int, nonce: str):
        self._write = os.write
        self.fd, self.nonce = fd, nonce

    def send(self, record: dict) -> None:
        record["nonce"] = self.nonce
        data = (json.dumps(record) + "\n").encode()
        while data:
            data = data[self._write(self.fd, data):]


def _guard_exit(reporter: Reporter, state: dict):
    """os._exit records which line called it before the process goes."""
    real = os._exit

    def _exit(code=0):
        frame = sys._getframe(1)
        reporter.send({"event": "exit", "index": state["index"], "code": code,
                       "where": f"{frame.f_code.co_filename}:{frame.f_lineno}"})
        real(code)

    os._exit = _exit
    try:
        import posix

        posix._exit = _exit
    except ImportError:
        pass
    return real


def run(spec: dict) -> None:
    reporter = Reporter(spec["result_fd"], spec["nonce"])
    limits = spec["limits"]
    own = tuple(spec["own_files"])
    state = {"index": -1}
    dump = open(spec["dump_path"], "w", encoding="utf-8")
    faulthandler.enable(file=dump, all_threads=True)
    real_exit = _guard_exit(reporter, state)
    guard = Guard()
    checker = Checker(guard)
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    shell = StandInShell()
    get_ipython = lambda: shell  # noqa: E731
    get_ipython.__tito_shell__ = True
    main.__dict__["get_ipython"] = get_ipython
    sys.modules["__main__"] = main
    namespace = main.__dict__
    real_stdout, real_stderr = sys.stdout, sys.stderr
    for index, cell in enumerate(spec["cells"]):
        if cell.get("skip"):
            continue
        state["index"] = index
        filename, code = cell["filename"], strip_magics(cell["code"])
        padded = "\n" * (cell["first_line"] - 1) + code
        _remember_lines(filename, cell["first_line"], code)
        record = {"event": "end", "index": index, "status": "pass", "message": "", "where": "", "code": ""}
        out = CappedOutput(limits["output_bytes"], 1)
        reporter.send({"event": "start", "index": index})
        start = time.perf_counter()
        names: set[str] = set()
        try:
            if cell["graded"] or cell.get("locked"):
                compiled, rewrite, names = compile_locked(padded, filename, checker, cell["graded"])
            else:
                compiled, rewrite = compile(padded, filename, "exec", dont_inherit=True), None
            if cell["graded"]:
                checker.reset()
                tampered = guard.problems(namespace)
                if tampered:
                    raise Tampering(tampered[0])
            faulthandler.dump_traceback_later(spec["cell_timeout"], exit=True, file=dump)
            sys.stdout = sys.stderr = out
            try:
                exec(compiled, namespace)
            finally:
                sys.stdout, sys.stderr = real_stdout, real_stderr
                faulthandler.cancel_dump_traceback_later()
            if rewrite is not None:
                tampered = guard.problems(namespace)
                if tampered:
                    raise Tampering(tampered[0])
                for test in rewrite.tests:
                    if test not in checker.entered or test not in checker.finished:
                        raise Tampering(f"{test} did not run its own code (it was replaced or skipped)")
                    left_at = checker.finished[test]
                    missed = [i for i, always, line in rewrite.asserts[test]
                              if always and line < left_at and i not in checker.reached]
                    if missed:
                        raise Tampering(f"{test} skipped {len(missed)} of its assert statements")
        except BaseException as exc:  # noqa: BLE001 - every failure of student code is a result
            sys.stdout, sys.stderr = real_stdout, real_stderr
            faulthandler.cancel_dump_traceback_later()
            record.update(classify(exc, own, limits))
        if not cell["graded"]:  # test functions guard themselves (they must run their own code)
            # only what has behaviour (helpers, classes, modules): a lie needs code, and a student
            # reusing a constant's name by accident is no attack
            guard.locked.update({name: namespace[name] for name in names if name in namespace
                                 and isinstance(namespace[name], (types.FunctionType, types.ModuleType, type,
                                                                  types.BuiltinFunctionType))})
        record["seconds"] = round(time.perf_counter() - start, 4)
        record["output"] = out.text()
        reporter.send(record)
    reporter.send({"event": "done"})
    for stream in (real_stdout, real_stderr, dump):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    # Student threads that never end must not keep the process alive, and atexit handlers
    # registered by student code must not run after the results are in.
    real_exit(0)


def set_limits(limits: dict) -> None:
    import resource

    def cap(which, value):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    if limits.get("memory_mb"):
        cap(resource.RLIMIT_AS, int(limits["memory_mb"] * 2**20))
    if limits.get("nproc"):
        cap(resource.RLIMIT_NPROC, int(limits["nproc"]))
    if limits.get("cpu_seconds"):
        seconds = int(limits["cpu_seconds"])
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
        except (ValueError, OSError):
            pass
    cap(resource.RLIMIT_CORE, 0)


def drop_privileges(uid: int | None) -> None:
    """As root, the sandbox runs student code as an unprivileged user of its own, so the
    process limit counts only its processes."""
    if os.getuid() != 0 or uid is None:
        return
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() == 0:
        raise SystemExit("tito harness: could not drop root privileges")


def main() -> None:
    spec = json.loads(sys.stdin.read())
    os.chdir(spec["cwd"])
    sys.path[:0] = spec.get("sys_path", [])
    set_limits(spec["limits"])
    drop_privileges(spec.get("uid"))
    sys.argv = [spec["argv0"]]
    run(spec)


if __name__ == "__main__":
    main()
