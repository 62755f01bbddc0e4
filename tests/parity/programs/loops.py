def count_letter(text, letter):
    count = 0
    for ch in text:
        if ch == letter:
            count += 1
    return count


totals = []
for word in ["banana", "apple", "cherry"]:
    n = count_letter(word, "a")
    totals.append(n)
i = 0
while i < 3:
    i += 1
squares = [k * k for k in range(4)]
print(totals, i, squares)
