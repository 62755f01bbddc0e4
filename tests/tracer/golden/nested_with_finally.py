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
