def shout(s):
    parts = s.split()
    return "-".join(p.upper() for p in parts)

t = shout("a <|frame_sep|> b")
