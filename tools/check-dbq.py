#!/usr/bin/env python3
"""Checks every db_q(db, "SQL", "fmt", args...) call in src/: one format letter per $N placeholder the SQL names,
and one argument per letter that takes one ('n' takes none). A mismatch binds a wrong value or reads a stray
va_arg, a crash waiting for the right request. Exit 1 naming each bad call."""
import re, sys, pathlib

def split_args(s):
    """Top-level comma split of a C argument list (string literals and parentheses respected)."""
    out, depth, cur, i, q = [], 0, '', 0, None
    while i < len(s):
        c = s[i]
        if q:
            cur += c
            if c == '\\':
                cur += s[i + 1]; i += 1
            elif c == q:
                q = None
        elif c in '"\'':
            q = c; cur += c
        elif c in '([{':
            depth += 1; cur += c
        elif c in ')]}':
            depth -= 1; cur += c
        elif c == ',' and depth == 0:
            out.append(cur.strip()); cur = ''
        else:
            cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out

def call_body(text, start):
    depth, i, q = 0, start, None
    while i < len(text):
        c = text[i]
        if q:
            if c == '\\': i += 1
            elif c == q: q = None
        elif c in '"\'': q = c
        elif c == '(': depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0: return text[start + 1:i]
        i += 1
    return None

def literal(s):
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', s)
    return ''.join(parts) if parts and re.fullmatch(r'(\s*"(?:[^"\\]|\\.)*"\s*)+', s) else None

bad = 0
for path in sorted(pathlib.Path('src').rglob('*.c')):
    text = path.read_text()
    for m in re.finditer(r'\bdb_q\s*\(', text):
        body = call_body(text, m.end() - 1)
        if body is None:
            continue
        args = split_args(body)
        if len(args) < 3:
            continue
        sql, fmt = literal(args[1]), literal(args[2])
        if sql is None or fmt is None:
            continue  # built at run time: not checkable here
        line = text.count('\n', 0, m.start()) + 1
        nums = [int(n) for n in re.findall(r'\$(\d+)', sql)]
        want_letters = max(nums) if nums else 0
        takes = sum(1 for c in fmt if c != 'n')
        problems = []
        if len(fmt) != want_letters:
            problems.append(f'{len(fmt)} letters for ${want_letters}')
        if takes != len(args) - 3:
            problems.append(f'{takes} values wanted, {len(args) - 3} given')
        if set(fmt) - set('tibn'):
            problems.append(f'unknown letters in "{fmt}"')
        if problems:
            bad += 1
            print(f'{path}:{line}: db_q: ' + '; '.join(problems))
print(f'check-dbq: {"no" if not bad else bad} bad call{"s" if bad != 1 else ""}')
sys.exit(1 if bad else 0)
