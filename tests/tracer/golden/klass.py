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
