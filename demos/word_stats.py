"""String handling: normalise words, find palindromes, build a Caesar cipher."""


def words_of(sentence):
    cleaned = "".join(ch.lower() if ch.isalpha() else " " for ch in sentence)
    return cleaned.split()


def is_palindrome(word):
    return len(word) > 1 and word == word[::-1]


def caesar(text, shift):
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            ch = chr((ord(ch) - ord("a") + shift) % 26 + ord("a"))
        out.append(ch)
    return "".join(out)


sentence = "Anna saw a racecar, level with Otto's kayak!"
words = words_of(sentence)
palindromes = [w for w in words if is_palindrome(w)]
secret = caesar("attack at dawn", 3)
print(palindromes)
print(secret, "->", caesar(secret, -3))
