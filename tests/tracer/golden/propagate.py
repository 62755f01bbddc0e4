def inner(x):
    return 10 // x

def middle(x):
    y = inner(x)
    return y

def outer(x):
    try:
        return middle(x)
    except ZeroDivisionError:
        return None

r = outer(0)
