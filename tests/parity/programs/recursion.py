def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def flatten(items):
    out = []
    for item in items:
        if isinstance(item, list):
            out.extend(flatten(item))
        else:
            out.append(item)
    return out


result = fib(4)
flat = flatten([1, [2, [3, 4]], 5])
print(result, flat)
