def parse(value):
    return int(value)


numbers = [parse(v) for v in ["1", "2"]]
bad = parse("three")
print(numbers, bad)
