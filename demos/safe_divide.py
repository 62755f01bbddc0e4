"""Exceptions raised, propagated through a call, and caught."""


class ParseError(ValueError):
    pass


def parse_ratio(text):
    left, sep, right = text.partition("/")
    if not sep:
        raise ParseError(f"no '/' in {text!r}")
    return int(left), int(right)


def ratio(text):
    num, den = parse_ratio(text)
    return num / den


results = {}
for text in ["6/3", "1/0", "seven", "10/4"]:
    try:
        results[text] = ratio(text)
    except ZeroDivisionError:
        results[text] = "division by zero"
    except ParseError as e:
        results[text] = f"bad input: {e}"
    finally:
        last = text
print(results)
