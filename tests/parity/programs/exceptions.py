class InsufficientFunds(Exception):
    pass


def withdraw(balance, amount):
    if amount > balance:
        raise InsufficientFunds(f"need {amount - balance} more")
    return balance - amount


def safe_div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        return None


balance = 100
for amount in [30, 200, 50]:
    try:
        balance = withdraw(balance, amount)
    except InsufficientFunds as e:
        message = str(e)
half = safe_div(balance, 2)
nothing = safe_div(balance, 0)
print(balance, half, nothing)
