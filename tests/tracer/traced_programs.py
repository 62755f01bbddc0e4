"""Small programs covering what the tracer must handle, shared by the tracer tests.

Each is a whole script (module level), runnable as ``python file.py``.
"""

PROGRAMS: dict[str, str] = {
    "letters": '''\
def count_letter(text, letter):
    count = 0
    for ch in text:
        if ch == letter:
            count += 1
    return count

n = count_letter("banana", "a")
print(n)
''',
    "caught": '''\
def parse(text):
    try:
        value = int(text)
    except ValueError as e:
        value = -1
    return value

a = parse("12")
b = parse("x")
''',
    "propagate": '''\
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
''',
    "generator": '''\
def countdown(n):
    while n > 0:
        yield n
        n -= 1

total = 0
for v in countdown(3):
    total += v
''',
    "recursion": '''\
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)

x = fact(4)
''',
    "klass": '''\
class Counter:
    start = 0

    def __init__(self):
        self.n = self.start

    def bump(self, k):
        self.n += k
        return self.n

c = Counter()
c.bump(2)
c.bump(3)
''',
    "early_return": '''\
def find(items, target):
    for i, item in enumerate(items):
        if item == target:
            return i
    return -1

i = find([4, 5, 6], 5)
j = find([4, 5, 6], 7)
''',
    "bad_repr": '''\
class Weird:
    def __repr__(self):
        raise RuntimeError("no repr")

def make():
    w = Weird()
    return w

w = make()
''',
    "duplicates": '''\
def twice(x):
    x = x + 1
    x = x + 1
    return x

y = twice(1)
y = twice(y)
''',
    "lambda_sort": '''\
def order(words):
    return sorted(words, key=lambda w: (len(w), w))

out = order(["pear", "fig", "apple"])
''',
    "strings": '''\
def shout(s):
    parts = s.split()
    return "-".join(p.upper() for p in parts)

t = shout("a <|frame_sep|> b")
''',
    "nested_with_finally": '''\
def risky(n):
    try:
        if n > 1:
            raise KeyError(n)
        return n
    finally:
        n = 0

def safe(n):
    try:
        return risky(n)
    except KeyError as e:
        return str(e)

v = [safe(0), safe(5)]
''',
    "dict_set": '''\
def index(words):
    seen = {}
    letters = set()
    for w in words:
        seen[w] = len(w)
        letters.update(w)
    return seen, sorted(letters)

r = index(["ab", "b"])
''',
}
