"""Count how often a letter occurs in a string (the example of CWM's tech report)."""


def count_letter(text, letter):
    count = 0
    for ch in text:
        if ch == letter:
            count += 1
    return count


def most_common(text):
    best, best_count = None, 0
    for letter in sorted(set(text)):
        n = count_letter(text, letter)
        if n > best_count:
            best, best_count = letter, n
    return best, best_count


word = "strawberry"
r_count = count_letter(word, "r")
print(f"{word!r} has {r_count} r's")
letter, n = most_common("mississippi")
print(f"most common in 'mississippi': {letter!r} ({n} times)")
