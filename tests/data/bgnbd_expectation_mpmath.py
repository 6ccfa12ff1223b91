"""Reference values of the BG/NBD conditional expectation E[Y(t) | x, t_x, T].

Evaluates eq. 10 of Fader, Hardie & Lee (2005) exactly as printed, with mpmath at 60 digits,
on hand-picked corners and 400 random points, and writes `bgnbd_expectation_mpmath.txt`
(columns: r alpha a b x t_x T t expected). Run with `python3 bgnbd_expectation_mpmath.py`
(needs `pip install mpmath`; written with mpmath 1.3.0). At a = 1 and at a+b+x-1 = 0, where the
printed formula is 0/0, it is evaluated 1e-40 away.
"""
import random
from mpmath import mp, mpf, hyp2f1

mp.dps = 60


def expectation(r, alpha, a, b, x, t_x, age, t):
    r, alpha, a, b, t_x, age, t = map(mpf, (r, alpha, a, b, t_x, age, t))
    if a == 1:
        a += mpf("1e-40")
    if a + b + x - 1 == 0:
        b += mpf("1e-40")
    big_a, c = r + x, a + b + x - 1
    z = t / (alpha + age + t)
    numerator = c / (a - 1) * (1 - ((alpha + age) / (alpha + age + t)) ** big_a
                               * hyp2f1(big_a, b + x, c, z, maxterms=10**7))
    odds = a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** big_a if x > 0 else 0
    return numerator / (1 + odds)


corners = [
    (0.01, 1, 50, 1, 0, 0, 0, 1e3), (0.01, 1, 5, 1, 0, 0, 0, 1e4),
    (50, 1, 0.01, 0.01, 0, 0, 0, 1e3), (50, 1, 0.01, 0.01, 0, 0, 0, 10),
    (50, 1, 0.01, 0.01, 0, 0, 0, 0.3), (10, 1, 0.5, 0.5, 0, 0, 0, 10),
    (10, 1, 0.5, 0.5, 0, 0, 0, 0.2), (50, 1, 1.0001, 0.01, 0, 0, 0, 2),
    (50, 1, 1.0001, 0.01, 0, 0, 0, 0.4), (50, 1, 1, 0.01, 0, 0, 0, 2),
    (1, 1, 1, 1, 0, 0, 0, 3), (1, 1, 1, 1, 0, 0, 0, 0.3), (50, 1, 1.0001, 0.01, 3, 1, 2, 2),
]
random.seed(2)
points = list(corners)
for _ in range(400):
    r = 10 ** random.uniform(-2, 1.7)
    alpha = 10 ** random.uniform(-2, 3)
    a = random.choice([10 ** random.uniform(-2, 1.7), 1 + random.uniform(-1e-3, 1e-3)])
    b = 10 ** random.uniform(-2, 1.7)
    x = random.choice([0, 0, 1, 2, 5, 30, 1000])
    age = random.choice([0, random.uniform(0, 100)])
    t_x = 0 if x == 0 else random.uniform(0, age)
    t = (alpha + age) * 10 ** random.uniform(-6, 3)
    points.append((r, alpha, a, b, x, t_x, age, t))

with open("bgnbd_expectation_mpmath.txt", "w") as out:
    for r, alpha, a, b, x, t_x, age, t in points:
        value = expectation(r, alpha, a, b, x, t_x, age, t)
        floats = (float(r), float(alpha), float(a), float(b))
        out.write("%r %r %r %r %d %r %r %r %s\n"
                  % (*floats, x, float(t_x), float(age), float(t), mp.nstr(value, 20)))
