"""Recursion: flatten nested lists, and Fibonacci numbers with a memo."""


def flatten(items):
    flat = []
    for item in items:
        if isinstance(item, list):
            flat.extend(flatten(item))
        else:
            flat.append(item)
    return flat


def fib(n, memo=None):
    if memo is None:
        memo = {}
    if n < 2:
        return n
    if n not in memo:
        memo[n] = fib(n - 1, memo) + fib(n - 2, memo)
    return memo[n]


nested = [1, [2, [3, 4]], [], [[5]]]
flat = flatten(nested)
print("flattened:", flat)
fibs = [fib(i) for i in range(8)]
print("fibonacci:", fibs)
