class Stack:
    def __init__(self):
        self.items = []

    def push(self, value):
        self.items.append(value)
        return len(self.items)

    def pop(self):
        return self.items.pop()

    def __repr__(self):
        return f"Stack({self.items})"


class MinStack(Stack):
    def push(self, value):
        size = super().push(value)
        return size


s = MinStack()
for v in [5, 3, 8]:
    s.push(v)
top = s.pop()
print(s, top)
