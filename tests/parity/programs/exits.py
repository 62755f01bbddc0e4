import sys


def check(n):
    if n > 2:
        sys.exit(3)
    return n


for k in range(5):
    check(k)
