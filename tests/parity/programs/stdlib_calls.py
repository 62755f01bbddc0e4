import json
from collections import Counter


def summarize(text):
    counts = Counter(text.split())
    top = counts.most_common(1)
    return json.dumps({"top": top[0][0], "n": top[0][1]})


report = summarize("a b a c a")
print(report)
