"""A class with state, methods, and an error it raises itself."""


class InsufficientFunds(Exception):
    pass


class Account:
    fee = 1

    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self.history = []

    def deposit(self, amount):
        self.balance += amount
        self.history.append(("deposit", amount))
        return self.balance

    def withdraw(self, amount):
        total = amount + self.fee
        if total > self.balance:
            raise InsufficientFunds(f"{self.owner} has {self.balance}, needs {total}")
        self.balance -= total
        self.history.append(("withdraw", amount))
        return self.balance

    def __repr__(self):
        return f"Account({self.owner!r}, {self.balance})"


acct = Account("ada", 10)
acct.deposit(5)
acct.withdraw(7)
try:
    acct.withdraw(100)
except InsufficientFunds as e:
    message = str(e)
print(acct, acct.history, message)
