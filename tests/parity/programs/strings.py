def normalize(text):
    cleaned = text.strip().lower()
    parts = cleaned.split()
    return " ".join(parts)


def is_palindrome(word):
    letters = [c for c in word if c.isalpha()]
    return letters == letters[::-1]


def caesar(text, shift):
    out = []
    for ch in text:
        if ch.isalpha():
            base = ord("a")
            out.append(chr((ord(ch) - base + shift) % 26 + base))
        else:
            out.append(ch)
    return "".join(out)


phrase = normalize("  Never Odd Or Even  ")
check = is_palindrome(phrase.replace(" ", ""))
secret = caesar("abc xyz", 3)
print(phrase, check, secret)
